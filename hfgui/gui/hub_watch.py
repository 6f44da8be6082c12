"""Whether the Hub answers, for the whole window: told when a request could not reach it (offline) or got
an answer (online). While offline it asks the Hub itself, more and more rarely, and says when it answers
again, so waiting downloads start and unknown states are filled in without anyone pressing Retry."""

from __future__ import annotations

from PySide6 import QtCore

from hfgui.core.errors import NetworkError
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner

FIRST_PROBE_MS = 2_000
LONGEST_PROBE_MS = 30_000


class HubWatch(QtCore.QObject):
    """Signals: went_offline(object) with the NetworkError that said so; came_online()."""

    went_offline = QtCore.Signal(object)
    came_online = QtCore.Signal()

    def __init__(self, services: Services, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.offline = False
        self.error: NetworkError | None = None
        self.runner = TaskRunner(1, self)
        self._interval = FIRST_PROBE_MS
        self._probing = False
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.probe_now)

    def report_failure(self, error: NetworkError) -> None:
        """A request could not reach the Hub."""
        self.error = error
        if self.offline:
            return
        self.offline = True
        self._interval = FIRST_PROBE_MS
        self.timer.start(self._interval)
        self.went_offline.emit(error)

    def report_answer(self) -> None:
        """The Hub answered a request (a size arrived, a download went through)."""
        if not self.offline:
            return
        self.offline = False
        self.error = None
        self.timer.stop()
        self.came_online.emit()

    def probe_now(self) -> None:
        """Ask the Hub once (Retry in the offline banner, and the timer while offline)."""
        if self._probing or self.services.closing.is_set():
            return
        self._probing = True
        services = self.services

        def ping() -> None:
            client = services.make_client(quick=True)
            try:
                client.ping()
            finally:
                client.close()

        self.runner.submit(ping, self._answered, self._unanswered)

    def _answered(self, _result: object) -> None:
        self._probing = False
        self.report_answer()

    def _unanswered(self, exc: BaseException) -> None:
        self._probing = False
        if not self.offline:
            return
        if isinstance(exc, NetworkError):
            self.error = exc
        self._interval = min(LONGEST_PROBE_MS, self._interval * 2)
        self.timer.start(self._interval)

    def wait(self, msecs: int) -> bool:
        return self.runner.wait(msecs)
