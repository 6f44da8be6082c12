"""The table of installed models: sorted through a proxy, one row selected at a time, rows found by key."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.gui.library.library_model import LibraryRow, LibraryTableModel
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.columns import fit_columns


class InstalledTable(QtWidgets.QTableView):
    """Shows `LibraryTableModel` sorted by name; `selected_row()` is the model the buttons act on."""

    def __init__(self, model: LibraryTableModel, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.library_model = model
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(roles.SORT_ROLE)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(LibraryTableModel.COL_NAME, QtCore.Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.setWordWrap(False)
        fit_columns(self, LibraryTableModel.COL_NAME)

    def selected_row(self) -> LibraryRow | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].data(roles.STATE_ROLE) if rows else None

    def select(self, key: str) -> bool:
        """Select the row with this key ("library:owner/name", "hf-cache:…", "reference:…")."""
        source = self.library_model.index_of(key)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        self.selectionModel().select(
            index,
            QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QtCore.QItemSelectionModel.SelectionFlag.Rows,
        )
        self.setCurrentIndex(index)
        return True
