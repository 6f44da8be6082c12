"""The models tree: groups expanded and counted as the filter shows them, columns sized by their texts
with the repository taking the rest, sorting by a click on a header."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.gui.models.models_filter import ModelsFilterProxy
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.row_cells import column_widths
from hfgui.gui.widgets import roles

STATUS_MIN_WIDTH = 215  # a bar and "58 %  ·  526.3 kB/s"; longer states are cut with … (whole in details)
STATUS_MAX_WIDTH = 280
SHORT_COLUMNS = (ModelsModel.COL_FORMAT, ModelsModel.COL_QUANT, ModelsModel.COL_SIZE, ModelsModel.COL_RAM)


class ModelsTree(QtWidgets.QTreeView):
    """Shows a ModelsFilterProxy over a ModelsModel. No Python delegate: progress bars are cell pixmaps
    (progress_bars.bar_decoration), so repaints during downloads never wait for the GIL."""

    def __init__(self, model: ModelsModel, proxy: ModelsFilterProxy, parent=None) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = proxy
        self.setModel(proxy)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(False)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort_by)
        # Status (bar and text) right after the name, so a narrow window still shows downloads.
        header.moveSection(ModelsModel.COL_STATUS, 1)
        for column in range(model.columnCount()):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ModelsModel.COL_REPO, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self._content_widths = column_widths(self.fontMetrics(), [])
        proxy.rowsInserted.connect(self._groups_inserted)
        proxy.modelReset.connect(self._expand_groups)
        proxy.layoutChanged.connect(self._expand_groups)
        # Group headers count what the filter shows; recounted once after a burst of changes.
        self.count_timer = QtCore.QTimer(self)
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(0)
        self.count_timer.timeout.connect(self._count_shown)
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset, proxy.layoutChanged):
            signal.connect(lambda *_: self.count_timer.start())

    # --- columns ---------------------------------------------------------------------------------

    def measure_columns(self) -> None:
        """Measure the texts once per change of the list (10,000 names take a while), then fit."""
        self._content_widths = column_widths(self.fontMetrics(), [s.entry for s in self.source.states()])
        self.fit_columns()

    def fit_columns(self) -> None:
        """Short columns (format, quantisation, size, RAM) as wide as their texts, the status as wide as
        a bar and a speed need (less in a narrow window), the name up to its texts' width but never
        more than half of what remains; the repository stretches over the rest."""
        fit = self._content_widths
        width = self.viewport().width()
        header = self.header()
        for column in SHORT_COLUMNS:
            header.resizeSection(column, fit[column])
        status = max(STATUS_MIN_WIDTH, min(STATUS_MAX_WIDTH, int(width * 0.2)))
        header.resizeSection(ModelsModel.COL_STATUS, status)
        rest = width - status - sum(fit[c] for c in SHORT_COLUMNS)
        header.resizeSection(ModelsModel.COL_NAME, max(120, min(fit[ModelsModel.COL_NAME], rest // 2)))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    # --- groups ------------------------------------------------------------------------------------

    def _expand_groups(self) -> None:
        # Only the few group rows: expandAll() would also ask each of 10,000 models for children.
        for row in range(self.proxy.rowCount()):
            self._show_group(row)

    def _groups_inserted(self, parent: QtCore.QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        for row in range(first, last + 1):
            self._show_group(row)

    def _show_group(self, row: int) -> None:
        self.expand(self.proxy.index(row, 0))
        self.setFirstColumnSpanned(row, QtCore.QModelIndex(), True)  # its label may be long

    def _count_shown(self) -> None:
        if not self.proxy.filtering:
            self.source.set_shown_counts(None)
            return
        counts = {label: 0 for label in self.source.group_labels()}
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            counts[group.data(roles.KEY_ROLE)] = self.proxy.rowCount(group)
        self.source.set_shown_counts(counts)

    def _sort_by(self, column: int) -> None:
        """A click on a header sorts by it; a second click on the same one reverses the order."""
        header = self.header()
        ascending = QtCore.Qt.SortOrder.AscendingOrder
        order = ascending
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
            same = header.sortIndicatorOrder() == ascending
            order = QtCore.Qt.SortOrder.DescendingOrder if same else ascending
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, order)
        self.proxy.sort(column, order)
