"""Paints a progress bar in any cell whose PROGRESS_ROLE is set (and not negative); other cells paint as usual.

One delegate for the whole view instead of a QProgressBar widget per row keeps 10,000 rows cheap.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.gui import roles


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
        bar.state = option.state | QtWidgets.QStyle.StateFlag.State_Horizontal
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
