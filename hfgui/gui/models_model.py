"""The models tree: one group per format (Core ML, GGUF, …), one row per model with its download state.

GUI thread only. Snapshots arriving from workers are stored with `set_progress` and reach the view
when `flush()` runs (the window calls it from a timer at most ten times a second), so a fast download
never floods the event loop with repaints. Status changes are shown at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui

from hfgui.core.types import ModelProgress
from hfgui.gui import roles
from hfgui.gui.formatting import size_text
from hfgui.gui.rows import ModelEntry, RowState, Status

Qt = QtCore.Qt
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
NO_PARENT = QtCore.QModelIndex()

# Groups appear in this order; anything else follows alphabetically.
FORMAT_ORDER = ("Core ML", "GGUF (llama.cpp)", "MLX", "ONNX", "safetensors")

STATUS_ORDER = {status: i for i, status in enumerate(Status)}
STATUS_COLOURS = {
    Status.INSTALLED: QtGui.QColor("#1e7d32"),
    Status.FAILED: QtGui.QColor("#c62828"),
    Status.NEEDS_TOKEN: QtGui.QColor("#b26a00"),
    Status.LICENSE_REQUIRED: QtGui.QColor("#b26a00"),
}


class ModelsModel(QtCore.QAbstractItemModel):
    """Two-level tree. A group index has internalId 0; a model index has internalId = group row + 1."""

    COL_NAME, COL_REPO, COL_FORMAT, COL_QUANT, COL_SIZE, COL_RAM, COL_STATUS = range(7)
    HEADERS = ("Name", "Repository", "Format", "Quantization", "Size", "RAM", "Status")

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[str] = []
        self._children: list[list[str]] = []  # keys per group, in insertion order
        self._states: dict[str, RowState] = {}
        self._where: dict[str, tuple[int, int]] = {}  # key -> (group row, child row)
        self._haystacks: dict[str, str] = {}  # lower-case text the filter box searches
        self._dirty: set[str] = set()

    # --- building -------------------------------------------------------------------------------

    def set_entries(self, entries: Iterable[ModelEntry]) -> None:
        self.beginResetModel()
        self._groups, self._children = [], []
        self._states, self._where, self._haystacks, self._dirty = {}, {}, {}, set()
        for entry in sorted(entries, key=lambda e: (_group_rank(e.format), e.name.lower())):
            if entry.key in self._states:
                continue
            group = self._group_row(entry.format, create=True)
            self._place(entry, group)
        self.endResetModel()

    def add_entry(self, entry: ModelEntry) -> None:
        """Insert a new model, or replace the entry of an existing key (keeping its state)."""
        if entry.key in self._states:
            old = self._states[entry.key]
            if old.entry.format == entry.format:
                self._states[entry.key] = old.with_(entry=entry)
                self._haystacks[entry.key] = _haystack(entry)
                self._emit_row_changed(entry.key)
                return
            self.remove_entry(entry.key)
        group = self._group_row(entry.format, create=False)
        if group is None:
            group = len(self._groups)
            self.beginInsertRows(QtCore.QModelIndex(), group, group)
            self._groups.append(entry.format)
            self._children.append([])
            self._place(entry, group)
            self.endInsertRows()
            return
        row = len(self._children[group])
        self.beginInsertRows(self.index(group, 0), row, row)
        self._place(entry, group)
        self.endInsertRows()

    def remove_entry(self, key: str) -> None:
        if key not in self._where:
            return
        group, row = self._where[key]
        if len(self._children[group]) == 1:
            self.beginRemoveRows(QtCore.QModelIndex(), group, group)
            del self._groups[group]
            del self._children[group]
        else:
            self.beginRemoveRows(self.index(group, 0), row, row)
            del self._children[group][row]
        for mapping in (self._states, self._where, self._haystacks):
            mapping.pop(key, None)
        self._dirty.discard(key)
        self._reindex()
        self.endRemoveRows()

    def _group_row(self, label: str, *, create: bool) -> int | None:
        try:
            return self._groups.index(label)
        except ValueError:
            if not create:
                return None
            self._groups.append(label)
            self._children.append([])
            return len(self._groups) - 1

    def _place(self, entry: ModelEntry, group: int) -> None:
        self._children[group].append(entry.key)
        self._where[entry.key] = (group, len(self._children[group]) - 1)
        self._states[entry.key] = RowState(entry=entry)
        self._haystacks[entry.key] = _haystack(entry)

    def _reindex(self) -> None:
        self._where = {key: (g, r) for g, keys in enumerate(self._children) for r, key in enumerate(keys)}

    # --- state updates ----------------------------------------------------------------------------

    def keys(self) -> list[str]:
        return [key for keys in self._children for key in keys]

    def state(self, key: str) -> RowState | None:
        return self._states.get(key)

    def states(self) -> list[RowState]:
        return [self._states[key] for key in self.keys()]

    def update(self, key: str, **changes) -> None:
        """Change a row's status, error or size and repaint it now."""
        if key not in self._states:
            return
        self._states[key] = self._states[key].with_(**changes)
        self._dirty.discard(key)
        self._emit_row_changed(key)

    def set_progress(self, key: str, progress: ModelProgress) -> None:
        """Store the latest snapshot; the row repaints on the next `flush()`."""
        if key not in self._states:
            return
        self._states[key] = self._states[key].with_(progress=progress)
        self._dirty.add(key)

    def flush(self) -> int:
        """Emit dataChanged for rows whose progress changed since the last flush; returns how many."""
        dirty, self._dirty = self._dirty, set()
        for key in dirty:
            if key in self._where:
                self._emit_row_changed(key)
        return len(dirty)

    def _emit_row_changed(self, key: str) -> None:
        group, row = self._where[key]
        parent = self.index(group, 0)
        self.dataChanged.emit(self.index(row, 0, parent), self.index(row, len(self.HEADERS) - 1, parent), [])
        # The group header counts installed models.
        self.dataChanged.emit(parent, parent, [DISPLAY])

    def index_of(self, key: str, column: int = 0) -> QtCore.QModelIndex:
        if key not in self._where:
            return QtCore.QModelIndex()
        group, row = self._where[key]
        return self.index(row, column, self.index(group, 0))

    # Fast paths for the filter proxy (avoids data() round trips on 10,000 rows).
    def state_at(self, group: int, row: int) -> RowState:
        return self._states[self._children[group][row]]

    def haystack_at(self, group: int, row: int) -> str:
        return self._haystacks[self._children[group][row]]

    def group_label(self, group: int) -> str:
        return self._groups[group]

    def group_count(self) -> int:
        return len(self._groups)

    def child_count(self, group: int) -> int:
        return len(self._children[group])

    # --- QAbstractItemModel -------------------------------------------------------------------

    def index(
        self, row: int, column: int, parent: QtCore.QModelIndex = QtCore.QModelIndex()
    ) -> QtCore.QModelIndex:
        if column < 0 or column >= len(self.HEADERS) or row < 0:
            return QtCore.QModelIndex()
        if not parent.isValid():
            if row >= len(self._groups):
                return QtCore.QModelIndex()
            return self.createIndex(row, column, 0)
        if parent.internalId() != 0 or parent.row() >= len(self._groups):
            return QtCore.QModelIndex()
        if row >= len(self._children[parent.row()]):
            return QtCore.QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: QtCore.QModelIndex | None = None):
        if index is None:  # QObject.parent()
            return super().parent()
        if not index.isValid() or index.internalId() == 0:
            return QtCore.QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == 0 and parent.column() == 0 and parent.row() < len(self._children):
            return len(self._children[parent.row()])
        return 0

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:
        return len(self.HEADERS)

    def hasChildren(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation, role: int = DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: QtCore.QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QtCore.QModelIndex, role: int = DISPLAY):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._group_data(index, role)
        state = self._states[self._children[index.internalId() - 1][index.row()]]
        return self._row_data(state, index.column(), role)

    def _group_data(self, index: QtCore.QModelIndex, role: int):
        group = index.row()
        if role == roles.IS_GROUP_ROLE:
            return True
        if role == roles.SORT_ROLE:
            return (_group_rank(self._groups[group]), self._groups[group])
        if index.column() != 0:
            return None
        if role == DISPLAY:
            keys = self._children[group]
            installed = sum(1 for key in keys if self._states[key].status is Status.INSTALLED)
            count = f"{len(keys)} model" + ("s" if len(keys) != 1 else "")
            extra = f", {installed} installed" if installed else ""
            return f"{self._groups[group]}  ({count}{extra})"
        if role == Qt.ItemDataRole.FontRole:
            font = QtGui.QFont()
            font.setBold(True)
            return font
        return None

    def _row_data(self, state: RowState, column: int, role: int):
        entry = state.entry
        if role == DISPLAY:
            if column == self.COL_NAME:
                return entry.name
            if column == self.COL_REPO:
                return entry.repo_id
            if column == self.COL_FORMAT:
                return entry.format_label or entry.format
            if column == self.COL_QUANT:
                return entry.quantization
            if column == self.COL_SIZE:
                return size_text(state.shown_size)
            if column == self.COL_RAM:
                return entry.ram_hint
            if column == self.COL_STATUS:
                return state.status_text
            return None
        if role == roles.STATE_ROLE:
            return state
        if role == roles.KEY_ROLE:
            return entry.key
        if role == roles.IS_GROUP_ROLE:
            return False
        if role == roles.PROGRESS_ROLE:
            if column == self.COL_STATUS and state.progress is not None and state.status in _BAR_STATES:
                return state.permille
            return None
        if role == roles.SORT_ROLE:
            return _sort_key(state, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_STATUS:
            colour = STATUS_COLOURS.get(state.status)
            return QtGui.QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if state.error:
                return state.error
            if column == self.COL_REPO:
                return entry.repo_id
            return entry.description or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


_BAR_STATES = (Status.DOWNLOADING, Status.VERIFYING, Status.PAUSED)


def _group_rank(label: str) -> tuple[int, str]:
    try:
        return (FORMAT_ORDER.index(label), "")
    except ValueError:
        return (len(FORMAT_ORDER), label.lower())


def _haystack(entry: ModelEntry) -> str:
    return " ".join((entry.name, entry.repo_id, entry.format, entry.format_label, entry.quantization)).lower()


def _sort_key(state: RowState, column: int):
    entry = state.entry
    if column == ModelsModel.COL_SIZE:
        size = state.shown_size
        return -1 if size is None else size
    if column == ModelsModel.COL_STATUS:
        return STATUS_ORDER[state.status]
    return {
        ModelsModel.COL_NAME: entry.name,
        ModelsModel.COL_REPO: entry.repo_id,
        ModelsModel.COL_FORMAT: entry.format,
        ModelsModel.COL_QUANT: entry.quantization,
        ModelsModel.COL_RAM: entry.ram_hint,
    }.get(column, entry.name).lower()
