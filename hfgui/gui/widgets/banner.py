"""A strip above the models list for conditions that affect every download (offline, rate limited)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets


class Banner(QtWidgets.QFrame):
    """Shows one message with up to two action buttons; an optional countdown runs a callback at zero."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet("#banner { background: #fff4e5; border: 1px solid #f0c36d; border-radius: 4px; }")
        self.label = QtWidgets.QLabel("")
        self.label.setWordWrap(True)
        self.primary = QtWidgets.QPushButton()
        self.secondary = QtWidgets.QPushButton()
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.primary)
        layout.addWidget(self.secondary)
        layout.addWidget(self.close_button)
        self._callbacks: dict[QtWidgets.QPushButton, Callable[[], None] | None] = {}
        self.primary.clicked.connect(lambda: self._run(self.primary))
        self.secondary.clicked.connect(lambda: self._run(self.secondary))
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self._remaining = 0
        self._template = ""
        self._on_zero: Callable[[], None] | None = None
        self.kind = ""
        self.hide()

    def show_message(
        self,
        kind: str,
        text: str,
        actions: tuple[tuple[str, Callable[[], None]], ...] = (),
    ) -> None:
        self.timer.stop()
        self.kind = kind
        self.label.setText(text)
        for button, action in zip((self.primary, self.secondary), (*actions, None, None), strict=False):
            if action is None:
                button.hide()
                self._callbacks[button] = None
            else:
                button.setText(action[0])
                self._callbacks[button] = action[1]
                button.show()
        self.show()

    def show_countdown(
        self,
        kind: str,
        template: str,
        seconds: int,
        on_zero: Callable[[], None],
        actions: tuple[tuple[str, Callable[[], None]], ...] = (),
    ) -> None:
        """``template`` has one ``{seconds}`` field, refreshed every second until zero."""
        self.show_message(kind, template.format(seconds=seconds), actions)
        self._template, self._remaining, self._on_zero = template, seconds, on_zero
        self.timer.start()

    @property
    def remaining(self) -> int:
        return self._remaining

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining > 0:
            self.label.setText(self._template.format(seconds=self._remaining))
            return
        self.timer.stop()
        callback, self._on_zero = self._on_zero, None
        self.dismiss()
        if callback is not None:
            callback()

    def _run(self, button: QtWidgets.QPushButton) -> None:
        callback = self._callbacks.get(button)
        if callback is not None:
            callback()

    def dismiss(self) -> None:
        self.timer.stop()
        self.kind = ""
        self.hide()
