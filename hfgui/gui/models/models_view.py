"""The Models tab's page: the filter box and the format and state filters above the models tree, the
selected model's details below."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtWidgets

from hfgui.gui.models.details_panel import DetailsPanel
from hfgui.gui.models.models_filter import ModelsFilterProxy
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.models_tree import ModelsTree
from hfgui.gui.models.rows import RowState, Status
from hfgui.gui.widgets import roles

FILTER_DELAY_MS = 150

STATUS_FILTERS: tuple[tuple[str, frozenset[Status] | None], ...] = (
    ("All states", None),
    ("Installed", frozenset({Status.INSTALLED})),
    ("Downloading", frozenset({Status.QUEUED, Status.WAITING, Status.DOWNLOADING, Status.VERIFYING})),
    ("Paused", frozenset({Status.PAUSED})),
    ("Failed", frozenset({Status.FAILED})),
    ("Available", frozenset({Status.AVAILABLE})),
    ("Needs token or license", frozenset({Status.PRIVATE_OR_MISSING, Status.LICENSE_REQUIRED})),
    ("Not found or offline", frozenset({Status.NOT_FOUND, Status.OFFLINE})),
)


class ModelsView(QtWidgets.QWidget):
    """Signals: selection_changed(); selected_row_changed() when the selected row's state changed."""

    selection_changed = QtCore.Signal()
    selected_row_changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ModelsModel(self)
        self.proxy = ModelsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.tree = ModelsTree(self.model, self.proxy)
        self.tree.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.model.row_changed.connect(self._row_changed)
        self.details = DetailsPanel()

        self.filter_edit = QtWidgets.QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, repository, format or quantisation…")
        self.filter_edit.setClearButtonEnabled(True)
        # Filter ~150 ms after the last keystroke, not on every one (each still costs little).
        self.filter_timer = QtCore.QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self.filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.format_combo = QtWidgets.QComboBox()
        self.format_combo.addItem("All formats", None)
        self.format_combo.currentIndexChanged.connect(self._format_filter_changed)
        self.status_combo = QtWidgets.QComboBox()
        for label, statuses in STATUS_FILTERS:
            self.status_combo.addItem(label, statuses)
        self.status_combo.currentIndexChanged.connect(
            lambda i: self.proxy.set_statuses(self.status_combo.itemData(i))
        )
        filters = QtWidgets.QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.format_combo)
        filters.addWidget(self.status_combo)

        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([460, 260])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

    # --- the list and its filters ------------------------------------------------------------------

    def set_entries(self, entries: Iterable) -> None:
        """A new list of models (the catalog): rows, the format filter's choices and column widths."""
        self.model.set_entries(entries)
        self.tree.measure_columns()
        labels = sorted(self.model.group_labels())
        self.format_combo.blockSignals(True)
        self.format_combo.clear()
        self.format_combo.addItem("All formats", None)
        for label in labels:
            self.format_combo.addItem(label, label)
        self.format_combo.blockSignals(False)

    def add_entry(self, entry) -> None:
        self.model.add_entry(entry)
        if self.format_combo.findData(entry.format) < 0:
            self.format_combo.addItem(entry.format, entry.format)
        self.tree.measure_columns()

    def apply_filter(self) -> None:
        """Apply the filter box now (the debounce timer calls this)."""
        self.filter_timer.stop()
        self.proxy.set_text(self.filter_edit.text())

    def _format_filter_changed(self, index: int) -> None:
        label = self.format_combo.itemData(index)
        self.proxy.set_formats(None if label is None else {label})

    # --- selection and details ---------------------------------------------------------------------

    def selected_key(self) -> str | None:
        index = self.tree.currentIndex()
        if not index.isValid() or index.data(roles.IS_GROUP_ROLE):
            return None
        return index.siblingAtColumn(0).data(roles.KEY_ROLE)

    def selected_state(self) -> RowState | None:
        key = self.selected_key()
        return self.model.state(key) if key else None

    def select_key(self, key: str) -> None:
        index = self.proxy.mapFromSource(self.model.index_of(key))
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def row_index(self, key: str) -> QtCore.QModelIndex:
        """Where the model's row is in the tree (invalid when the filter hides it)."""
        return self.proxy.mapFromSource(self.model.index_of(key))

    def _selection_changed(self) -> None:
        self.details.show_state(self.selected_state())
        self.selection_changed.emit()

    def _row_changed(self, key: str) -> None:
        if key == self.details.key:
            self.details.show_state(self.model.state(key))
            self.selected_row_changed.emit()

    def refresh_details(self, changed_files: dict[str, set[int] | None]) -> None:
        """A refresh tick: the selected model's files that changed since the last one."""
        key = self.details.key
        if key is not None and key in changed_files:
            self.details.show_state(self.model.state(key), changed_files[key])
