"""Column widths for the window's list tables."""

from __future__ import annotations

from PySide6 import QtWidgets


def fit_columns(view: QtWidgets.QTableView, stretch: int) -> None:
    """Every column as wide as its contents except ``stretch``, which takes the rest.

    A ResizeToContents header re-measures when cells change or the model resets, but not when rows
    are inserted (a page of search results, a newly installed model): then the new rows are measured
    here, so a longer text does not end in "…".
    """
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    mode = QtWidgets.QHeaderView.ResizeMode
    count = view.model().columnCount()
    for column in range(count):
        header.setSectionResizeMode(column, mode.Stretch if column == stretch else mode.ResizeToContents)

    def measure(*_args) -> None:
        for column in range(count):
            if column != stretch:
                view.resizeColumnToContents(column)

    view.model().rowsInserted.connect(measure)
