"""How much of its screen a window may take: the available area (panels excluded) less the frame the
window manager adds, so a window opened on a small screen fits whole instead of hanging off its edge."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

WINDOW_FRAME = QtCore.QSize(16, 48)  # borders and a title bar
SMALLEST = QtCore.QSize(320, 240)


def room_on_screen(
    widget: QtWidgets.QWidget, frame: QtCore.QSize = WINDOW_FRAME, *, unknown: QtCore.QSize | None = None
) -> QtCore.QSize:
    """The size ``widget`` may have on the screen it opens on; ``unknown`` (or no bound) without a screen."""
    screen = widget.screen() or QtGui.QGuiApplication.primaryScreen()
    if screen is None:
        return unknown or QtCore.QSize(QtWidgets.QWIDGETSIZE_MAX, QtWidgets.QWIDGETSIZE_MAX)
    room = screen.availableGeometry().size() - frame
    return room.expandedTo(SMALLEST)
