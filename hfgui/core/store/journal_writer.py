"""Record verified files in the resume journal from one thread, making small files durable first.

A many-file model used to fdatasync each small file on the worker that fetched it, before its rename:
thousands of syncs, each holding a worker (a slot of files in flight) for the disk's flush. Instead a
small file is renamed into place at once and handed here; this thread syncs it and only then appends
its journal record. The order that keeps a crash harmless stays the same — a record is written only
for a file whose content is on disk — so after a crash a file without a record is hashed again by the
planner, and one that was renamed but not yet flushed (empty or zero-filled) fails that check and is
fetched again. Records are appended in batches: one open and one write for whatever is queued.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from hfgui.core.store.durable import sync_file_data
from hfgui.core.store.manifest import ManifestFile, append_journal_records

_STOP = object()


class JournalWriter:
    def __init__(self, model_root: Path) -> None:
        self._root = model_root
        self._queue: queue.Queue = queue.Queue()
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="hfgui-journal", daemon=True)
        self._thread.start()

    def add(self, dest: Path, commit: str, entry: ManifestFile, *, sync: bool) -> None:
        """Record `entry` (installed at `dest`, fetched by this run); `sync`: flush its content first."""
        self._queue.put((dest, commit, entry, sync))

    def close(self) -> None:
        """Write everything queued; raises the first OSError met (a file whose content may not be on
        disk has no record then, so a later run checks it again)."""
        self._queue.put(_STOP)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            stop = _STOP in batch
            done: list[tuple[str, ManifestFile]] = []
            for dest, commit, entry, sync in (item for item in batch if item is not _STOP):
                if self._error is not None:
                    break  # after a failure nothing more is recorded: the planner re-checks those files
                try:
                    if sync:
                        sync_file_data(dest)
                    done.append((commit, entry))
                except OSError as exc:
                    self._error = exc
            if done:
                try:
                    append_journal_records(self._root, done, fetched=True)
                except OSError as exc:
                    self._error = self._error or exc
            if stop:
                return
