"""A one-line label that cuts its text with "…" to the room it gets (the whole text in its tooltip),
instead of asking for its full width or running into its neighbours."""

from __future__ import annotations

import re

from PySide6 import QtCore, QtGui, QtWidgets

_URL = re.compile(r"\S+://\S+")


class ElidedLabel(QtWidgets.QLabel):
    def __init__(
        self, text: str = "", mode: QtCore.Qt.TextElideMode = QtCore.Qt.TextElideMode.ElideMiddle
    ) -> None:
        super().__init__()
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._show()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self) -> QtCore.QSize:
        hint = super().sizeHint()
        return QtCore.QSize(self.fontMetrics().horizontalAdvance(self._full) + 8, hint.height())

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(60, super().minimumSizeHint().height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def _show(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(0, self.width() - 4))
        if super().text() != shown:
            super().setText(shown)


def elide_message(metrics: QtGui.QFontMetrics, text: str, room: int) -> str:
    """``text`` cut with "…" at its end to fit ``room`` pixels; an address the cut would fall into is
    left out whole (a half address reads like a different one)."""
    if metrics.horizontalAdvance(text) <= room:
        return text
    shown = metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, room)
    kept = len(shown.rstrip("…"))
    for url in _URL.finditer(text):
        if url.start() < kept < url.end():
            return text[: url.start()].rstrip() + " …"
    return shown
