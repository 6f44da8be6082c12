"""Progress bars in item-view cells.

The window's views use `bar_brush`: the bar is the cell's background brush (a gradient with a hard stop),
painted by Qt's own delegate, so repainting a row during a download runs no Python at all (each call from
Qt into Python waits for the GIL, which busy download threads hold much of the time). `ProgressDelegate`
paints a styled bar in any cell whose PROGRESS_ROLE is set (and not negative), for views that want one.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.gui import roles

BAR_COLOURS = {
    "active": QtGui.QColor("#b7e1b9"),
    "paused": QtGui.QColor("#dcdcdc"),
    "done": QtGui.QColor("#d5ecd6"),
    "failed": QtGui.QColor("#f6c6c1"),
}
_CLEAR = QtGui.QColor(0, 0, 0, 0)


def bar_brush(permille: int, kind: str = "active") -> QtGui.QBrush:
    """A cell background that fills ``permille``/1000 of the cell from the left."""
    if permille < 0:
        return QtGui.QBrush()  # no brush: the view paints its usual background
    colour = BAR_COLOURS[kind]
    fraction = min(1.0, permille / 1000)
    gradient = QtGui.QLinearGradient(0, 0, 1, 0)
    gradient.setCoordinateMode(QtGui.QGradient.CoordinateMode.ObjectBoundingMode)
    gradient.setColorAt(0.0, colour)
    if fraction < 1.0:
        gradient.setColorAt(max(0.0, fraction - 1e-4), colour)
        gradient.setColorAt(fraction, _CLEAR)
    gradient.setColorAt(1.0, colour if fraction >= 1.0 else _CLEAR)
    return QtGui.QBrush(gradient)


class ProgressDelegate(QtWidgets.QStyledItemDelegate):
    def paint(
        self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex
    ) -> None:
        value = index.data(roles.PROGRESS_ROLE)
        if value is None or value < 0:
            super().paint(painter, option, index)
            return
        # Background and selection first, so the selected row stays highlighted behind the bar.
        item = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style = item.widget.style() if item.widget is not None else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)

        bar = QtWidgets.QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        # Not "selected": the bar's text would take the highlight colour and vanish on the white trough.
        bar.state = (option.state & ~QtWidgets.QStyle.StateFlag.State_Selected) | (
            QtWidgets.QStyle.StateFlag.State_Horizontal
        )
        bar.direction = option.direction
        bar.fontMetrics = option.fontMetrics
        bar.palette = option.palette
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = int(value)
        bar.text = str(index.data(QtCore.Qt.ItemDataRole.DisplayRole) or "")
        bar.textVisible = True
        bar.textAlignment = QtCore.Qt.AlignmentFlag.AlignCenter
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ProgressBar, bar, painter, item.widget)

    def sizeHint(self, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex) -> QtCore.QSize:
        hint = super().sizeHint(option, index)
        value = index.data(roles.PROGRESS_ROLE)
        if value is not None and value >= 0:
            hint.setWidth(max(hint.width(), 140))
        return hint
