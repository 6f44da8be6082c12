"""The Library tab's one long task at a time: its worker, progress bar, Cancel button and status line."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import format_bytes
from hfgui.core.types import ModelProgress
from hfgui.gui.widgets.formatting import permille
from hfgui.gui.workers import Mailbox, TaskRunner

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #1e7d32;"
PROGRESS_STEPS = 1000


@dataclass
class Operation:
    """One running task; workers watch `cancel` and report progress through `OperationRunner.report`."""

    id: int
    kind: str
    title: str
    cancel: threading.Event = field(default_factory=threading.Event)
    cancelable: bool = False


class OperationRunner(QtWidgets.QWidget):
    """Runs one operation at a time on `tasks` and shows it: a progress bar with Cancel, then a status
    line saying how it ended. ``busy_changed(bool)`` fires (GUI thread) when one begins or ends."""

    busy_changed = QtCore.Signal(bool)

    def __init__(self, tasks: TaskRunner, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.current: Operation | None = None
        self._ids = itertools.count(1)
        # Workers never touch widgets: their progress crosses to the GUI thread through this mailbox.
        self._progress_box = Mailbox(self._progress_arrived, self)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setVisible(False)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        self.status_label = QtWidgets.QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

        progress_row = QtWidgets.QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(progress_row)
        layout.addWidget(self.status_label)

    @property
    def busy(self) -> bool:
        return self.current is not None

    def begin(
        self, kind: str, title: str, *, cancelable: bool = False, indeterminate: bool = False
    ) -> Operation | None:
        """Start showing a new operation, or say what runs and return None when one already does.
        ``indeterminate``: a busy indicator, for work that reports no progress."""
        if self.current is not None:
            self.say(f"Wait until “{self.current.title}” finishes.", error=True)
            return None
        self.current = Operation(next(self._ids), kind, title, cancelable=cancelable)
        self.progress.setRange(0, 0 if indeterminate else PROGRESS_STEPS)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.progress.setFormat(title)
        self.progress.setTextVisible(True)
        self.cancel_button.setVisible(cancelable)
        self.cancel_button.setEnabled(cancelable)
        self.say(f"{title}…")
        self.busy_changed.emit(True)
        return self.current

    def run(
        self,
        operation: Operation,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Run ``work`` on a worker; the operation ends before ``done`` or ``failed`` reports the outcome,
        so their messages and follow-up rescans see the panel idle."""

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def ended(value: Any) -> None:
                self._end(operation)
                callback(value)

            return ended

        self.tasks.submit(work, finish(done), finish(failed))

    def _end(self, operation: Operation) -> None:
        if self.current is not operation:
            return
        self.current = None
        self.progress.setVisible(False)
        self.progress.setRange(0, PROGRESS_STEPS)
        self.cancel_button.setVisible(False)
        self.busy_changed.emit(False)

    def report(self, operation: Operation, value: ModelProgress | tuple[int, int, str]) -> None:
        """From any thread: bytes of an update (ModelProgress) or files of a verify (done, total, path)."""
        self._progress_box.post((operation.id, value))

    def cancel(self) -> None:
        if self.current is not None and self.current.cancelable:
            self.current.cancel.set()
            self.cancel_button.setEnabled(False)
            self.say(f"Cancelling {self.current.title.lower()}…")

    def stop(self) -> None:
        """Ask the running operation to stop, saying nothing (the window is closing)."""
        if self.current is not None:
            self.current.cancel.set()

    def say(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE if ok else "")
        self.status_label.setText(text)

    def _progress_arrived(self, item: tuple[int, object]) -> None:
        op_id, value = item
        operation = self.current
        if operation is None or operation.id != op_id:
            return  # a late report from a finished task
        if isinstance(value, ModelProgress):
            self.progress.setValue(permille(value.bytes_done, value.bytes_total))
            self.progress.setFormat(
                f"{operation.title}: {format_bytes(value.bytes_done)} of {format_bytes(value.bytes_total)}"
                f" ({value.files_done}/{value.files_total} files)"
            )
        elif isinstance(value, tuple):
            done, total, path = value
            self.progress.setValue(permille(done, total))
            self.progress.setFormat(f"{operation.title}: {done}/{total} files")
            self.progress.setToolTip(path)


def one_line(exc: BaseException) -> str:
    """An error as one status line (some messages carry the server's line breaks)."""
    return " ".join(str(exc).split()) or type(exc).__name__
