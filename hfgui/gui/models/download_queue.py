"""The download queue kept across restarts (`<config>/downloads.json`): what was running or queued when
the window closed resumes (or shows as Paused) at the next start. A mixin of DownloadManager."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.gui.models.rows import Status

log = logging.getLogger(__name__)

QUEUE_FILE_NAME = "downloads.json"


class QueueFile:
    """Needs from the manager: services, model, io (a one-thread TaskRunner), problem (signal),
    `_paused`, `_interrupted`, `_queue_loaded`, `_queue_written`, active_keys(), is_active(), start()."""

    @property
    def queue_file(self) -> Path:
        return self.services.paths.config_dir / QUEUE_FILE_NAME

    def queue_snapshot(self) -> dict[str, Any]:
        downloads = [{"key": k, "state": "active"} for k in self.active_keys()]
        downloads += [{"key": k, "state": "active"} for k in sorted(self._interrupted)]
        downloads += [{"key": k, "state": "paused"} for k in sorted(self._paused)]
        return {"version": 1, "downloads": downloads}

    def save_queue(self) -> None:
        path, data = self.queue_file, self.queue_snapshot()
        if not self._queue_loaded and not data["downloads"] and not self._queue_written:
            return
        self._queue_written = True
        self.io.submit(
            lambda: write_json_atomic(path, data),
            on_error=lambda exc: self._report(f"Could not save the download queue to {path}", exc),
        )

    def _report(self, what: str, exc: BaseException) -> None:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        log.warning("%s: %s", what, detail)
        self.problem.emit(f"{what} ({detail}). Check that the folder is writable.")

    def restore(self, on_done=None) -> None:
        """Read the queue file on a worker; list interrupted downloads as Paused or resume them."""
        path = self.queue_file

        def read() -> list[tuple[str, str]]:
            try:
                data = read_json(path)
            except (OSError, ValueError):
                return []
            items = data.get("downloads", []) if isinstance(data, dict) else []
            return [(str(i.get("key")), str(i.get("state"))) for i in items if isinstance(i, dict)]

        def apply(items: list[tuple[str, str]]) -> None:
            resumed = []
            for key, state in items:
                if self.model.state(key) is None or self.is_active(key):
                    continue
                if state == "active" and self.services.settings.auto_resume:
                    resumed.append(key)
                    continue
                self._paused.add(key)
                self.model.update(key, status=Status.PAUSED)
            for key in resumed:
                self.start(key)
            self._queue_loaded = True
            self.save_queue()  # what was read, merged with anything started meanwhile
            if on_done is not None:
                on_done(resumed)

        self.io.submit(read, apply)
