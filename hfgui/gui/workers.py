"""Run blocking work (network, disk, keyring) off the GUI thread and get the result back on it.

`TaskRunner.submit(fn, on_done, on_error)` runs ``fn()`` on a QThreadPool. The result (or the exception)
crosses back through a queued signal to a relay object that lives in the GUI thread, so the callbacks
always run there — never on the worker — and may touch widgets freely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

log = logging.getLogger(__name__)


class _Relay(QtCore.QObject):
    """Lives in the GUI thread; its slots run there because the signals are emitted from workers."""

    done = QtCore.Signal(object)
    failed = QtCore.Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        parent: QtCore.QObject,
    ) -> None:
        # Parented to the runner: when its window goes away, pending results are dropped, not delivered.
        super().__init__(parent)
        self._on_done = on_done
        self._on_error = on_error
        self.done.connect(self._deliver_done, QtCore.Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._deliver_error, QtCore.Qt.ConnectionType.QueuedConnection)
        self.finished_callback: Callable[[_Relay], None] | None = None

    @QtCore.Slot(object)
    def _deliver_done(self, boxed: tuple[Any]) -> None:
        try:
            if self._on_done is not None:
                self._on_done(boxed[0])
        finally:
            self._finish()

    @QtCore.Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        try:
            if self._on_error is not None:
                self._on_error(exc)
            else:
                log.warning("Background task failed: %s", exc)
        finally:
            self._finish()

    def _finish(self) -> None:
        if self.finished_callback is not None:
            self.finished_callback(self)
        self.deleteLater()


class _Task(QtCore.QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # never let an exception escape a pool thread
            self._send(self._relay.failed, exc)
        else:
            # Boxed: PySide6 mis-counts references when None itself crosses a queued Signal(object).
            self._send(self._relay.done, (result,))

    @staticmethod
    def _send(signal, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the receiver is gone (the app is shutting down): nobody needs the result
            pass


class TaskRunner(QtCore.QObject):
    """A thread pool plus bookkeeping so relays stay alive until their callback has run."""

    def __init__(self, max_threads: int = 4, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        relay = _Relay(on_done, on_error, self)
        relay.finished_callback = self._relays.discard
        self._relays.add(relay)
        self.pool.start(_Task(fn, relay))

    @property
    def pending(self) -> int:
        """Tasks whose callback has not run yet."""
        return len(self._relays)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (shutdown and tests only)."""
        return self.pool.waitForDone(msecs)
