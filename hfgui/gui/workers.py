"""Run blocking work (network, disk, keyring) off the GUI thread and get the result back on it.

Results cross threads through a `Mailbox`: the worker puts an immutable value in a thread-safe queue and
asks Qt (QMetaObject.invokeMethod, queued) to drain it on the GUI thread. Workers do not emit Qt signals:
the crashes first seen that way ("Fatal Python error: bool_dealloc") came from PySide6 6.12.0 dropping
references on void calls (now excluded in pyproject.toml), but one queue per consumer also keeps every
hand-over in one place and lets the GUI thread take a burst of results in one go. Everything GUI-side
still uses ordinary signals, emitted on the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

log = logging.getLogger(__name__)


class Mailbox(QtCore.QObject):
    """`post(item)` from any thread; `handler(item)` runs later on the thread the mailbox lives in."""

    def __init__(self, handler: Callable[[Any], None], parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = handler
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._scheduled = False

    def post(self, item: Any) -> None:
        self._queue.put(item)
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        try:
            QtCore.QMetaObject.invokeMethod(self, "_drain", QtCore.Qt.ConnectionType.QueuedConnection)
        except RuntimeError:  # the mailbox is gone (its window closed): nobody needs the item
            pass

    @QtCore.Slot()
    def _drain(self) -> None:
        with self._lock:
            self._scheduled = False
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            try:
                self._handler(item)
            except Exception:  # one bad callback must not drop the rest of the queue
                log.exception("Error while handling a background result")


class _Task(QtCore.QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], mailbox: Mailbox) -> None:
        super().__init__()
        self._id = task_id
        self._fn = fn
        self._mailbox = mailbox

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # never let an exception escape a pool thread
            self._mailbox.post((self._id, False, exc))
        else:
            self._mailbox.post((self._id, True, result))


class TaskRunner(QtCore.QObject):
    """A thread pool whose results come back to callbacks on the GUI thread."""

    def __init__(self, max_threads: int = 4, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._ids = itertools.count()
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._mailbox = Mailbox(self._deliver, self)

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        self.pool.start(_Task(task_id, fn, self._mailbox))

    def _deliver(self, item: tuple[int, bool, Any]) -> None:
        task_id, ok, value = item
        on_done, on_error = self._callbacks.pop(task_id, (None, None))
        if ok:
            if on_done is not None:
                on_done(value)
        elif on_error is not None:
            on_error(value)
        else:
            log.warning("Background task failed: %s", value)

    @property
    def pending(self) -> int:
        """Tasks whose callback has not run yet."""
        return len(self._callbacks)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (shutdown and tests only)."""
        return self.pool.waitForDone(msecs)
