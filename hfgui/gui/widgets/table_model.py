"""A flat Qt table over a Python list: the row and column counts and header texts every such model needs."""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore

Qt = QtCore.Qt


class ListTableModel(QtCore.QAbstractTableModel):
    """One row per item of `self._rows`, one column per entry of HEADERS; subclasses supply `data()`."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None
