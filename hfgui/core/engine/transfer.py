"""Download one file from the Hub: resumable across drops and restarts, verified, installed atomically.

The life cycle of one file is here; where its bytes come from is file_source.py (redirects, ranges,
reconnects), how they are fetched is fill.py (one stream or segments), and its partial on disk is
partial_file.py. The result is checked against the etag (sha256 or git blob sha1).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hfgui.core.engine.cancel_watch import CANCEL_POLL as CANCEL_POLL
from hfgui.core.engine.cancel_watch import CANCEL_WATCH
from hfgui.core.engine.file_source import MAX_CONSECUTIVE_FAILURES as MAX_CONSECUTIVE_FAILURES
from hfgui.core.engine.file_source import MAX_REDIRECTS as MAX_REDIRECTS
from hfgui.core.engine.file_source import FileSource
from hfgui.core.engine.file_task import FileTask as FileTask
from hfgui.core.engine.fill import check_cancel, fill
from hfgui.core.engine.partial_file import RESUMABLE_MIN_SIZE as RESUMABLE_MIN_SIZE
from hfgui.core.engine.partial_file import WRITEBACK_WINDOW as WRITEBACK_WINDOW
from hfgui.core.engine.partial_file import PartialFile
from hfgui.core.engine.partial_file import fsync_dir as fsync_dir
from hfgui.core.engine.response_body import CHUNK as CHUNK
from hfgui.core.engine.response_body import MIN_CAPPED_CHUNK as MIN_CAPPED_CHUNK
from hfgui.core.errors import ChecksumError, HfGuiError, RangeRefusedError, StaleObjectError
from hfgui.core.store.durable import sync_data
from hfgui.core.store.hashing import StreamHasher
from hfgui.core.types import RetryNotice

if TYPE_CHECKING:
    from hfgui.core.engine.bandwidth import BandwidthLimiter
    from hfgui.core.engine.connection_budget import ConnectionBudget
    from hfgui.core.wire.hub import HubClient

# Reconnect when no byte arrives for this long (Settings.stall_timeout_seconds; huggingface_hub uses 10 s).
DEFAULT_STALL_TIMEOUT = 10.0
# Failures that say the server's copy is not the file the Hub lists: nothing of it is worth keeping.
_WRONG_OBJECT = (ChecksumError, StaleObjectError, RangeRefusedError)


def download_file(
    client: HubClient,
    task: FileTask,
    staging_dir: Path,
    *,
    cancel: threading.Event,
    on_bytes: Callable[[int], None] | None = None,
    segments: int = 0,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
    limiter: BandwidthLimiter | None = None,
    sync_dir: bool = True,
    on_retry: Callable[[RetryNotice], None] | None = None,
    budget: ConnectionBudget | None = None,
    sync_data: bool = True,
) -> Path:
    """Fetch `task` into `task.dest` through a resumable partial in `staging_dir`; returns `task.dest`.

    `staging_dir` must be on the same filesystem as the destination (the final step is a rename).
    `on_bytes(n)` is called on the calling thread; the running sum of its values is always the number
    of bytes in the partial, so a resumed partial is reported once at the start and a restart from zero
    reports a negative value. Raises ChecksumError (twice wrong, nothing kept), DownloadCancelledError and
    InsufficientSpaceError (partial kept for a later resume), NetworkError and the Hub client's errors.
    `limiter` (shared by all workers of a run) caps the bandwidth; each chunk waits for its share.
    `sync_dir=False` leaves making the final rename durable to the caller (a many-file download syncs
    each folder once, before it records the model as installed); `sync_data=False` also leaves the
    file's content to the caller to make durable (it must before it records the file as verified).
    `on_retry(notice)` is told, on the calling thread (or a segment's), each time the transfer starts
    waiting to reconnect (a drop, a stall of `stall_timeout` seconds, a 5xx); the next byte ends it.
    A server whose copy has another size than the listing (StaleObjectError) or that refuses to resume
    inside it twice (RangeRefusedError) fails the file without keeping anything of it.
    `segments`: ranged connections for a file of at least segments.SEGMENT_MIN_SIZE: 0 = adaptive (one
    first, more while they raise the rate, see segment_growth.py), 1 = one stream, N = N. `budget` caps
    the extra connections all files of a run hold together.
    """
    job = _FileDownload(
        client, task, Path(staging_dir), cancel, on_bytes, max(0, segments), stall_timeout, limiter, on_retry
    )
    job.sync_dir = sync_dir
    job.sync_data = sync_data
    job.budget = budget
    return job.run()


class _FileDownload:
    """One download_file call: open the partial, fill it, verify it (once more from zero), install it."""

    def __init__(
        self,
        client: HubClient,
        task: FileTask,
        staging_dir: Path,
        cancel: threading.Event,
        on_bytes: Callable[[int], None] | None,
        segment_count: int,
        stall_timeout: float,
        limiter: BandwidthLimiter | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        self.task = task
        self.sync_dir = True
        self.sync_data = True
        self.budget: ConnectionBudget | None = None
        self.cancel = cancel
        self.segment_count = segment_count
        self.source = FileSource(client, task, cancel, stall_timeout, limiter, on_retry)
        self.partial = PartialFile(task, staging_dir, cancel, on_bytes, limiter)
        StreamHasher.for_etag(self.partial.etag, task.size)  # fail early on an etag we cannot check

    def run(self) -> Path:
        partial = self.partial
        check_cancel(self.cancel, partial)
        partial.open()
        watch = CANCEL_WATCH.add(self.cancel, self.source)
        try:
            partial.lock()
            try:
                self.fill_and_verify()
            except _WRONG_OBJECT:
                partial.discard()
                raise
            except HfGuiError:
                if partial.on_disk() == 0:  # nothing worth resuming: leave no empty partial behind
                    partial.discard()
                else:
                    partial.keep_for_resume()
                raise
            if self.sync_data:
                sync_data(partial.fd)
            if os.name == "nt":  # Windows cannot rename an open file
                partial.close()
            partial.install(sync_dir=self.sync_dir)
        finally:
            CANCEL_WATCH.remove(watch)
            partial.close()
        return self.task.dest

    def fill_and_verify(self) -> None:
        """Complete the partial and check its hash; one retry from zero after a mismatch."""
        partial = self.partial
        sidecar = partial.load()
        actual = ""
        for attempt in range(2):
            actual = fill(
                self.source,
                partial,
                sidecar,
                self.cancel,
                allow_segments=attempt == 0,
                segment_count=self.segment_count,
                budget=self.budget,
            )
            if actual == partial.etag:
                return
            partial.restart_from_zero()
            sidecar = partial.fresh_sidecar
        raise ChecksumError(self.task.path, partial.etag, actual)
