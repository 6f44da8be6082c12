"""The models tree: one group per format (Core ML, GGUF, …), one row per model with its download state.

GUI thread only. A `QStandardItemModel`: every cell's text, sort key and filter key live in C++ items, so
painting, sorting and filtering 10,000 rows never call back into Python (each call from Qt into Python
needs the GIL, which download threads hold much of the time). Python only writes cells when a row
changes. Snapshots arriving from workers are stored with `set_progress` and reach the cells when
`flush()` runs (a timer calls it at most ten times a second); status changes are shown at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui

from hfgui.core.types import ModelProgress
from hfgui.gui.models import row_cells as cells
from hfgui.gui.models.model_groups import Groups, group_rank
from hfgui.gui.models.rows import ModelEntry, RowState, Status


class ModelsModel(Groups, QtGui.QStandardItemModel):
    """Two-level tree: group rows (column 0 only) with one child row per model.

    Signals:
        row_changed(str): a model's status, error or size changed (not emitted for byte progress).
    """

    COL_NAME, COL_REPO, COL_FORMAT, COL_QUANT = (
        cells.COL_NAME,
        cells.COL_REPO,
        cells.COL_FORMAT,
        cells.COL_QUANT,
    )
    COL_SIZE, COL_RAM, COL_STATUS = cells.COL_SIZE, cells.COL_RAM, cells.COL_STATUS
    HEADERS = cells.HEADERS

    row_changed = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self._group_items: dict[str, QtGui.QStandardItem] = {}
        self._children: dict[str, list[str]] = {}  # group label -> keys in row order
        self._states: dict[str, RowState] = {}
        self._items: dict[str, list[QtGui.QStandardItem]] = {}  # key -> the row's cells
        self._installed: dict[str, int] = {}  # group label -> installed models (header text)
        self._dirty: set[str] = set()
        self._flushed: dict[str, RowState] = {}  # dirty key -> its state as last written to the cells
        self._shown: dict[str, int] = {}  # group label -> models the filter shows (empty: no filter)
        self._bold = QtGui.QFont()
        self._bold.setBold(True)

    # --- building -------------------------------------------------------------------------------

    def set_entries(self, entries: Iterable[ModelEntry]) -> None:
        self.beginResetModel()
        blocked = self.blockSignals(True)  # one reset instead of a signal per cell
        try:
            self.removeRows(0, self.rowCount())
            self._group_items, self._children, self._states, self._items = {}, {}, {}, {}
            self._installed, self._dirty, self._flushed = {}, set(), {}
            rows: dict[str, list[list[QtGui.QStandardItem]]] = {}
            for entry in sorted(entries, key=lambda e: (group_rank(e.format), e.name.lower())):
                if entry.key in self._states:
                    continue
                rows.setdefault(entry.format, []).append(self._make_row(entry))
            for label, group_rows in rows.items():
                group = self._make_group(label)
                self.appendRow(group)
                for row in group_rows:
                    group.appendRow(row)
                self._set_group_text(label)
        finally:
            self.blockSignals(blocked)
            self.endResetModel()

    def add_entry(self, entry: ModelEntry) -> None:
        """Insert a new model, or replace the entry of an existing key (keeping its state)."""
        if entry.key in self._states:
            old = self._states[entry.key]
            if old.entry.format == entry.format:
                self._states[entry.key] = old.with_(entry=entry)
                cells.write_entry(self._items[entry.key], entry)
                self._write_state(entry.key, None)
                self.row_changed.emit(entry.key)
                return
            self.remove_entry(entry.key)
        group = self._group_items.get(entry.format)
        if group is None:
            group = self._make_group(entry.format)
            ranks = [group_rank(label) for label in self._group_order()]
            position = sum(1 for rank in ranks if rank <= group_rank(entry.format))
            self.insertRow(position, group)
        group.appendRow(self._make_row(entry))
        self._set_group_text(entry.format)

    def remove_entry(self, key: str) -> None:
        state = self._states.pop(key, None)
        if state is None:
            return
        label = state.entry.format
        group = self._group_items[label]
        row = self._children[label].index(key)
        del self._children[label][row]
        del self._items[key]
        self._dirty.discard(key)
        self._flushed.pop(key, None)
        if state.status is Status.INSTALLED:
            self._installed[label] -= 1
        if not self._children[label]:
            del self._group_items[label], self._children[label], self._installed[label]
            self.removeRow(group.row())
        else:
            group.removeRow(row)
            self._set_group_text(label)

    def _make_row(self, entry: ModelEntry) -> list[QtGui.QStandardItem]:
        items = cells.new_row(entry)
        state = RowState(entry=entry)
        self._states[entry.key] = state
        self._items[entry.key] = items
        self._children.setdefault(entry.format, []).append(entry.key)
        cells.write_entry(items, entry)
        self._write_state(entry.key, None)
        return items

    def _write_state(self, key: str, old: RowState | None) -> None:
        """Copy what changed between ``old`` and the current state into the row's cells."""
        state = self._states[key]
        installed = cells.write_state(self._items[key], state, old)
        label = state.entry.format
        if installed and label in self._installed:
            self._installed[label] += installed
            self._set_group_text(label)

    def keys(self) -> list[str]:
        return [key for label in self._group_order() for key in self._children[label]]

    def state(self, key: str) -> RowState | None:
        return self._states.get(key)

    def states(self) -> list[RowState]:
        return [self._states[key] for key in self.keys()]

    def update(self, key: str, **changes) -> None:
        """Change a row's status, error or size and repaint it now."""
        old = self._states.get(key)
        if old is None:
            return
        self._states[key] = old.with_(**changes)
        self._dirty.discard(key)
        self._write_state(key, self._flushed.pop(key, old))
        self.row_changed.emit(key)

    def set_progress(self, key: str, progress: ModelProgress) -> None:
        """Store the latest snapshot; the row repaints on the next `flush()`."""
        if key not in self._states:
            return
        if key not in self._dirty:
            self._dirty.add(key)
            self._flushed[key] = self._states[key]
        self._states[key] = self._states[key].with_(progress=progress)

    def flush(self) -> int:
        """Write the rows whose progress changed since the last flush into their cells; returns how many."""
        dirty, self._dirty = self._dirty, set()
        flushed, self._flushed = self._flushed, {}
        for key in dirty:
            if key in self._states:
                self._write_state(key, flushed.get(key))
        return len(dirty)

    def index_of(self, key: str, column: int = 0) -> QtCore.QModelIndex:
        items = self._items.get(key)
        return items[column].index() if items is not None else QtCore.QModelIndex()
