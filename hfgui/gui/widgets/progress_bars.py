"""Progress bars in item-view cells, painted by Qt's own delegate.

A bar is a small pixmap in the cell's DecorationRole, drawn beside the cell's text. The model makes it
when the progress changes (at most ten times a second, one per whole percent, cached), so repainting
a row runs no Python: each call from Qt into Python would wait for the GIL, which busy download threads
hold much of the time, and a custom delegate makes such a call for every painted cell.
"""

from __future__ import annotations

import functools

from PySide6 import QtCore, QtGui

BAR_SIZE = QtCore.QSize(84, 12)
FILL_COLOURS = {
    "active": QtGui.QColor("#3f9c48"),
    "paused": QtGui.QColor("#9e9e9e"),
    "done": QtGui.QColor("#8cc48f"),
    "failed": QtGui.QColor("#d9534f"),
}
_TROUGH = QtGui.QColor("#ffffff")
_EDGE = QtGui.QColor("#a0a0a0")
NO_BAR_ICON = QtGui.QIcon()  # a null icon: the delegate draws no decoration and keeps the text in place


def bar_decoration(permille: int, kind: str = "active") -> QtGui.QPixmap | QtGui.QIcon:
    """What a cell's DecorationRole holds: a bar filled to ``permille``/1000, or NO_BAR_ICON when negative."""
    if permille < 0:
        return NO_BAR_ICON
    ratio = QtGui.QGuiApplication.instance().devicePixelRatio()
    return _bar(min(1000, permille) // 10, kind, ratio)


@functools.cache  # at most 101 steps × 4 kinds per pixel ratio
def _bar(percent: int, kind: str, ratio: float) -> QtGui.QPixmap:
    pixmap = QtGui.QPixmap(BAR_SIZE * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    outline = QtCore.QRectF(0.5, 0.5, BAR_SIZE.width() - 1, BAR_SIZE.height() - 1)
    painter.setPen(_EDGE)
    painter.setBrush(_TROUGH)
    painter.drawRoundedRect(outline, 2, 2)
    if percent:
        filled = QtCore.QRectF(1, 1, (BAR_SIZE.width() - 2) * percent / 100, BAR_SIZE.height() - 2)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(FILL_COLOURS[kind])
        painter.drawRoundedRect(filled, 1.5, 1.5)
    painter.end()
    return pixmap
