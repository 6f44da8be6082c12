"""Bringing a partial to full size, hashing it as it grows: one stream that resumes, or ranged segments."""

from __future__ import annotations

import threading
from dataclasses import replace

from hfgui.core.engine import segments
from hfgui.core.engine.connection_budget import ConnectionBudget
from hfgui.core.engine.file_source import FileSource, RangeRefused, origin
from hfgui.core.engine.partial_file import WRITEBACK_WINDOW, PartialFile, start_writeback, writeback_behind
from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.engine.response_body import Interrupted, RangeMismatch
from hfgui.core.engine.segment_growth import ConnectionGrowth
from hfgui.core.engine.segment_runner import SegmentRunner
from hfgui.core.errors import DownloadCancelledError, NetworkError, RangeRefusedError
from hfgui.core.store import partials
from hfgui.core.store.hashing import StreamHasher
from hfgui.core.store.partials import Sidecar
from hfgui.core.wire.urls import host_of


def check_cancel(cancel: threading.Event, partial: PartialFile) -> None:
    if cancel.is_set():
        raise DownloadCancelledError(f"Download of {partial.task.path}")


def fill(
    source: FileSource,
    partial: PartialFile,
    sidecar: Sidecar,
    cancel: threading.Event,
    *,
    allow_segments: bool,
    segment_count: int,
    budget: ConnectionBudget | None,
) -> str:
    """Bring the partial to full size; returns the hex digest of its content.

    `segment_count`: 0 = adaptive, 1 = one stream, N = N connections (for a file big enough to segment).
    """
    size = partial.task.size
    offset = partial.on_disk()
    wants_segments = allow_segments and segment_count != 1 and size >= segments.SEGMENT_MIN_SIZE
    if sidecar.segments is not None or wants_segments:
        try:
            return fill_segmented(
                source, partial, sidecar, cancel, segment_count=segment_count, budget=budget
            )
        except segments.RangesUnsupportedError:
            partial.restart_from_zero()
            offset = 0
    return fill_single(source, partial, cancel, offset)


def fill_single(source: FileSource, partial: PartialFile, cancel: threading.Event, offset: int) -> str:
    """One connection from `offset` to the end, reconnecting after drops and stalls."""
    # Hashed inline, chunk by chunk while it is still in the CPU cache: sha256 runs at ~2 GB/s a
    # core, so a helper thread buys nothing below 10 Gbit/s and costs CPU, memory and GIL turns.
    hasher = StreamHasher.for_etag(partial.etag, partial.task.size)
    if offset:
        hasher.update_from_fd(partial.fd, 0, offset)
    return _stream_into(source, partial, cancel, offset, hasher)


def _stream_into(
    source: FileSource, partial: PartialFile, cancel: threading.Event, offset: int, hasher: StreamHasher
) -> str:
    task, fd = partial.task, partial.fd
    size = task.size
    failures = 0
    # Only bytes beyond the furthest point reached reset the failure budget: a server that
    # ignores Range and drops at the same place each time would otherwise loop for ever.
    furthest = offset
    whole_file = False  # set after a 206 that did not fit: ask without Range from then on
    refused_once = False  # a 416 inside the file: started over from zero once already
    while offset < size:
        check_cancel(cancel, partial)
        start = 0 if whole_file else offset
        try:
            response = source.open(start)
        except RangeRefused as exc:
            if refused_once:
                raise RangeRefusedError(task.path, start, size, host_of(str(exc))) from None
            refused_once = True
            partial.restart_from_zero()
            offset = 0
            hasher = StreamHasher.for_etag(partial.etag, size)
            continue
        try:
            try:
                body_at = source.body_start(response, start, None)
            except RangeMismatch as exc:
                # A range we cannot use (wrong span, or compressed): ask for the whole file.
                whole_file = True
                partial.restart_from_zero()
                offset = 0
                hasher = StreamHasher.for_etag(partial.etag, size)
                raise Interrupted(str(exc), "range not served; starting over") from None
            if body_at != offset:  # 200 to a Range request: the server sends the whole file again
                partial.restart_from_zero()
                offset = 0
                hasher = StreamHasher.for_etag(partial.etag, size)
            for chunk in source.read_chunks(response, size - offset):
                check_cancel(cancel, partial)
                partial.write_at(offset, chunk)
                hasher.update(chunk)
                offset += len(chunk)
                if offset % WRITEBACK_WINDOW < len(chunk):  # crossed into a new window
                    start_writeback(fd, offset - offset % WRITEBACK_WINDOW - WRITEBACK_WINDOW)
                if offset > furthest:
                    furthest = offset
                    failures = 0
                partial.report(len(chunk))
            if offset < size:
                raise Interrupted("the connection closed before the file was complete")
        except Interrupted as exc:
            failures += 1
            source.pause_before_retry(failures, exc, response.url or task.url)
        finally:
            source.release(response)
    return hasher.hexdigest()


def fill_segmented(
    source: FileSource,
    partial: PartialFile,
    sidecar: Sidecar,
    cancel: threading.Event,
    *,
    segment_count: int,
    budget: ConnectionBudget | None,
) -> str:
    """Fetch the file over ranged connections (segment_runner.py), hashing it as its prefix grows.

    A single-stream partial continues as the first segment; a segmented one continues every
    segment where it stopped, with as many connections as it has unfinished segments.
    """
    size = partial.task.size
    if sidecar.segments is None:
        done = partial.on_disk()
        partial.preallocate()
        sidecar = replace(sidecar, segments=(partials.Segment(0, size, done),))
        partial.save_sidecar(sidecar)
    base = sidecar
    table = segments.SegmentTable(size, sidecar.segments)
    fd = partial.fd
    runner = SegmentRunner(
        source,
        table,
        write_at=partial.write_at,
        save=lambda segs: partial.save_sidecar(replace(base, segments=segs)),
        hasher=PrefixHasher(StreamHasher.for_etag(partial.etag, size), fd, on_hashed=writeback_behind(fd)),
        growth=_growth(size, table, segment_count),
        cancel=cancel,
        on_bytes=partial.report,
        budget=budget,
    )
    try:
        runner.run()
    finally:
        # Whatever happened, the reported total must equal the bytes the segments hold on disk.
        held = table.done_bytes()
        if held != partial.reported:
            partial.report(held - partial.reported)
    if not table.complete():
        check_cancel(cancel, partial)
        raise NetworkError(origin(partial.task.url), "a segment stopped before it was complete")
    return runner.hasher.hexdigest()


def _growth(size: int, table: segments.SegmentTable, segment_count: int) -> ConnectionGrowth:
    """Adaptive from one connection; or as many as a resumed layout has segments to continue; or the
    count the user fixed."""
    if segment_count > 0:
        return ConnectionGrowth(segment_count, start=segment_count, fixed=True)
    maximum = segments.max_connections(size)
    return ConnectionGrowth(maximum, start=min(maximum, max(1, table.started_count())))
