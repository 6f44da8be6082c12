"""Parallel Range segments for one large file: N threads write their ranges into one preallocated partial.

Trade-off: bytes arrive out of order, so the hash cannot be computed while streaming; the caller hashes
the finished partial in one sequential read pass (fast: it is usually still in the page cache).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Protocol

from hfgui.core.partials import Segment

# Below this size one stream is as fast and simpler.
SEGMENT_MIN_SIZE = 64 * 1024 * 1024
# How often the calling thread reports progress and saves segment offsets to the sidecar.
REPORT_INTERVAL = 0.25
SAVE_INTERVAL = 1.0


class RangesUnsupportedError(Exception):
    """The server did not answer a Range request with the exact 206 asked for; use one stream instead."""


class SegmentSource(Protocol):
    """What the segment runner needs from the transfer layer (implemented by transfer._Source)."""

    def stream_range(
        self, start: int, end: int, should_stop: Callable[[], bool]
    ) -> Iterator[bytes]:  # bytes [start, end) in order; raises RangesUnsupportedError
        ...


def plan_segments(size: int, count: int) -> tuple[Segment, ...]:
    """Split [0, size) into `count` near-equal ranges (at least one byte each)."""
    count = max(1, min(count, size))
    step, extra = divmod(size, count)
    segments = []
    start = 0
    for i in range(count):
        end = start + step + (1 if i < extra else 0)
        segments.append(Segment(start, end, start))
        start = end
    return tuple(segments)


class SegmentRunner:
    """Downloads each unfinished segment in its own thread; reporting and saving stay on the caller's thread.

    `write_at(offset, data)` must be safe to call from several threads at once (os.pwrite is).
    `save(segments)` persists progress; it only ever sees offsets whose bytes were already written.
    """

    def __init__(
        self,
        source: SegmentSource,
        segments: tuple[Segment, ...],
        *,
        write_at: Callable[[int, bytes], None],
        save: Callable[[tuple[Segment, ...]], None],
        cancel: threading.Event,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self._source = source
        self._segments = list(segments)
        self._done = [s.done for s in segments]
        self._write_at = write_at
        self._save = save
        self._cancel = cancel
        self._on_bytes = on_bytes
        self._abort = threading.Event()
        self._errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        self._exited = threading.Event()  # a worker finished: wake the calling thread early

    def _should_stop(self) -> bool:
        return self._cancel.is_set() or self._abort.is_set()

    def _work(self, index: int) -> None:
        segment = self._segments[index]
        try:
            for chunk in self._source.stream_range(self._done[index], segment.end, self._should_stop):
                self._write_at(self._done[index], chunk)
                self._done[index] += len(
                    chunk
                )  # only after the bytes are written: what save() sees is on disk
                if self._should_stop():
                    return
        except BaseException as exc:
            with self._errors_lock:
                self._errors.append(exc)
            self._abort.set()
        finally:
            self._exited.set()

    def current(self) -> tuple[Segment, ...]:
        return tuple(replace(s, done=d) for s, d in zip(self._segments, self._done, strict=True))

    def run(self) -> tuple[Segment, ...]:
        """Run until every segment is complete or `cancel` is set; re-raises the first worker error.

        Progress is saved (and reported) before returning or raising, so a later run resumes each segment
        from its own offset.
        """
        threads = [
            threading.Thread(target=self._work, args=(i,), name=f"hfgui-segment-{i}", daemon=True)
            for i, s in enumerate(self._segments)
            if s.done < s.end
        ]
        for thread in threads:
            thread.start()
        reported = sum(self._done)
        last_save = time.monotonic()
        saved = list(self._done)
        try:
            while any(t.is_alive() for t in threads):
                threads[0].join(REPORT_INTERVAL) if threads[0].is_alive() else self._abort.wait(
                    REPORT_INTERVAL
                )
                reported = self._report(reported)
                if time.monotonic() - last_save >= SAVE_INTERVAL and self._done != saved:
                    saved = list(self._done)
                    self._save(self.current())
                    last_save = time.monotonic()
        finally:
            self._abort.set()
            for thread in threads:
                thread.join()
            self._report(reported)
            self._save(self.current())
        if self._errors:
            raise self._errors[0]
        return self.current()

    def _report(self, reported: int) -> int:
        now = sum(self._done)
        if now != reported and self._on_bytes is not None:
            self._on_bytes(now - reported)
        return now
