"""Rescans of what the Library tab lists, on a worker; when scans overlap, the newest one wins."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from PySide6 import QtCore

from hfgui.gui.library.library_model import LibrarySnapshot, scan_library_view
from hfgui.gui.library.operations import one_line
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner

log = logging.getLogger(__name__)


class Rescans(QtCore.QObject):
    """``scanned(LibrarySnapshot)`` or ``failed(message)`` once per `start()` that no later one overtook."""

    scanned = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(
        self,
        services: Services,
        tasks: TaskRunner,
        queued_repos: Callable[[], Collection[str]],
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._tasks = tasks
        self._queued_repos = queued_repos
        self._generation = 0
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        self._generation += 1
        generation = self._generation
        root = self._services.library_root
        cache_dir = self._services.hf_cache_dir
        try:
            queued = frozenset(self._queued_repos())
        except Exception:  # a window callback must not stop the panel from listing the library
            log.exception("Could not ask which models are queued")
            queued = frozenset()
        self._running = True

        def done(snapshot: LibrarySnapshot) -> None:
            if generation == self._generation:
                self._running = False
                self.scanned.emit(snapshot)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._running = False
                self.failed.emit(f"Could not read the library at {root}: {one_line(exc)}")

        self._tasks.submit(lambda: scan_library_view(root, cache_dir, queued=queued), done, failed)
