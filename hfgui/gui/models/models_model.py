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
from hfgui.core.words import counted
from hfgui.gui.models.rows import ModelEntry, RowState, Status
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.formatting import size_text
from hfgui.gui.widgets.progress_bars import bar_decoration

Qt = QtCore.Qt
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

# Groups appear in this order; anything else follows alphabetically.
FORMAT_ORDER = ("Core ML", "GGUF (llama.cpp)", "MLX", "ONNX", "safetensors")

STATUS_ORDER = {status: i for i, status in enumerate(Status)}
STATUS_COLOURS = {
    Status.INSTALLED: QtGui.QColor("#1e7d32"),
    Status.FAILED: QtGui.QColor("#c62828"),
    Status.PRIVATE_OR_MISSING: QtGui.QColor("#b26a00"),
    Status.NOT_FOUND: QtGui.QColor("#c62828"),
    Status.LICENSE_REQUIRED: QtGui.QColor("#b26a00"),
    Status.OFFLINE: QtGui.QColor("#757575"),
    Status.WAITING: QtGui.QColor("#757575"),
}
_BAR_STATES = (Status.DOWNLOADING, Status.VERIFYING, Status.PAUSED, Status.WAITING)
NO_BAR = -1  # PROGRESS_ROLE of a cell without a progress bar
# Never pass None to QStandardItem.setData: PySide6 6.12 drops a reference to None on each such call
# (the interpreter aborts with "none_dealloc" after a few thousand). Hence NO_BAR, "" and a null icon.
# Separates the searchable text from the format/status tags in FILTER_ROLE (cannot be typed).
FILTER_SEPARATOR = "\x1f"


class ModelsModel(QtGui.QStandardItemModel):
    """Two-level tree: group rows (column 0 only) with one child row per model.

    Signals:
        row_changed(str): a model's status, error or size changed (not emitted for byte progress).
    """

    COL_NAME, COL_REPO, COL_FORMAT, COL_QUANT, COL_SIZE, COL_RAM, COL_STATUS = range(7)
    HEADERS = ("Name", "Repository", "Format", "Quantization", "Size", "RAM", "Status")

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
            for entry in sorted(entries, key=lambda e: (_group_rank(e.format), e.name.lower())):
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
                self._write_entry(entry, self._items[entry.key])
                self._write_state(entry.key, None)
                self.row_changed.emit(entry.key)
                return
            self.remove_entry(entry.key)
        group = self._group_items.get(entry.format)
        if group is None:
            group = self._make_group(entry.format)
            ranks = [_group_rank(label) for label in self._group_order()]
            position = sum(1 for rank in ranks if rank <= _group_rank(entry.format))
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

    def _make_group(self, label: str) -> QtGui.QStandardItem:
        item = QtGui.QStandardItem(label)
        item.setFlags(GROUP_FLAGS)
        item.setData(True, roles.IS_GROUP_ROLE)
        item.setData(label, roles.KEY_ROLE)
        item.setData(self._bold, Qt.ItemDataRole.FontRole)
        rank, name = _group_rank(label)
        item.setData(f"{rank:02d} {name}", roles.SORT_ROLE)
        self._group_items[label] = item
        self._children.setdefault(label, [])
        self._installed.setdefault(label, 0)
        return item

    def _make_row(self, entry: ModelEntry) -> list[QtGui.QStandardItem]:
        items = [QtGui.QStandardItem() for _ in self.HEADERS]
        for item in items:
            item.setFlags(ROW_FLAGS)
        items[0].setData(entry.key, roles.KEY_ROLE)
        items[0].setData(False, roles.IS_GROUP_ROLE)
        items[self.COL_SIZE].setData(ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
        state = RowState(entry=entry)
        self._states[entry.key] = state
        self._items[entry.key] = items
        self._children.setdefault(entry.format, []).append(entry.key)
        self._write_entry(entry, items)
        self._write_state(entry.key, None)
        return items

    def _write_entry(self, entry: ModelEntry, items: list[QtGui.QStandardItem]) -> None:
        texts = (
            entry.name,
            entry.repo_id,
            entry.format_label or entry.format,
            entry.quantization,
            None,
            entry.ram_hint,
            None,
        )
        sort_keys = (entry.name, entry.repo_id, entry.format, entry.quantization, None, entry.ram_hint, None)
        for column, (text, sort_key) in enumerate(zip(texts, sort_keys, strict=True)):
            if text is not None:
                items[column].setData(text, DISPLAY)
                items[column].setData(sort_key.lower(), roles.SORT_ROLE)
        items[self.COL_REPO].setData(entry.repo_id, TOOLTIP)

    def _group_order(self) -> list[str]:
        return [self._label_of(row) for row in range(self.rowCount())]

    def _label_of(self, group_row: int) -> str:
        return self.item(group_row, 0).data(roles.KEY_ROLE)

    # --- writing a row's cells ---------------------------------------------------------------------

    def _write_state(self, key: str, old: RowState | None) -> None:
        """Copy what changed between ``old`` and the current state into the row's cells."""
        state = self._states[key]
        items = self._items[key]
        entry = state.entry
        if old is None or old.shown_size != state.shown_size:
            size = state.shown_size
            items[self.COL_SIZE].setData(size_text(size), DISPLAY)
            items[self.COL_SIZE].setData(-1 if size is None else size, roles.SORT_ROLE)
        status_item = items[self.COL_STATUS]
        status_item.setData(state.cell_text, DISPLAY)
        bar = state.permille if state.progress is not None and state.status in _BAR_STATES else NO_BAR
        status_item.setData(bar, roles.PROGRESS_ROLE)
        kind = "paused" if state.status in (Status.PAUSED, Status.WAITING) else "active"
        status_item.setData(bar_decoration(bar, kind), DECORATION)
        status_changed = old is None or old.status is not state.status or old.error != state.error
        if status_changed:
            status_item.setData(STATUS_ORDER[state.status], roles.SORT_ROLE)
            colour = STATUS_COLOURS.get(state.status) or QtGui.QGuiApplication.palette().text().color()
            status_item.setData(QtGui.QBrush(colour), FOREGROUND)
            tip = state.error or entry.description
            for column, item in enumerate(items):
                if column not in (self.COL_REPO, self.COL_SIZE):
                    item.setData(tip, TOOLTIP)
            items[self.COL_REPO].setData(state.error or entry.repo_id, TOOLTIP)
            items[0].setData(_filter_key(state), roles.FILTER_ROLE)
        if status_changed or old.shown_size != state.shown_size:
            size_tip = (
                _unknown_size_tip(state.status)
                if state.shown_size is None
                else state.error or entry.description
            )
            items[self.COL_SIZE].setData(size_tip, TOOLTIP)
        if status_changed:
            was_installed = old is not None and old.status is Status.INSTALLED
            now_installed = state.status is Status.INSTALLED
            if old is not None and was_installed != now_installed and entry.format in self._installed:
                self._installed[entry.format] += 1 if now_installed else -1
                self._set_group_text(entry.format)

    def _set_group_text(self, label: str) -> None:
        group = self._group_items.get(label)
        if group is None:
            return
        count = len(self._children[label])
        shown = self._shown.get(label)
        if shown is not None and shown != count:  # a filter hides some: say how many are left
            group.setData(f"{label}  ({shown} of {counted(count, 'model')})", DISPLAY)
            return
        installed = self._installed[label]
        text = counted(count, "model")
        extra = f", {installed} installed" if installed else ""
        group.setData(f"{label}  ({text}{extra})", DISPLAY)

    def set_shown_counts(self, shown: dict[str, int] | None) -> None:
        """How many models of each group the filter lets through (None: no filter)."""
        shown = dict(shown or {})
        if shown == self._shown:
            return
        self._shown = shown
        for label in self._group_items:
            self._set_group_text(label)

    # --- state updates ----------------------------------------------------------------------------

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

    def group_labels(self) -> list[str]:
        return list(self._group_items)

    def group_label(self, group: int) -> str:
        return self._label_of(group)

    def group_count(self) -> int:
        return self.rowCount()


CELL_PADDING = 24  # a cell's margins and the tree's indentation slack


def column_widths(metrics: QtGui.QFontMetrics, entries: Iterable[ModelEntry]) -> dict[int, int]:
    """The width each text column needs for these models (sizes: the widest a size can read)."""
    entries = list(entries)
    cols = ModelsModel

    def widest(texts: Iterable[str]) -> int:
        return max((metrics.horizontalAdvance(t) for t in texts), default=0) + CELL_PADDING

    return {
        cols.COL_NAME: widest([e.name for e in entries]) + 40,  # the tree's indentation
        cols.COL_FORMAT: widest(
            [cols.HEADERS[cols.COL_FORMAT]] + [e.format_label or e.format for e in entries]
        ),
        cols.COL_QUANT: min(  # its header and longer names are cut with …
            widest(["Q4_K_M", *(e.quantization for e in entries)]),
            metrics.horizontalAdvance("palettized 6-bit") + CELL_PADDING,
        ),
        cols.COL_SIZE: widest([cols.HEADERS[cols.COL_SIZE], "999.9 MB"]),
        cols.COL_RAM: widest([cols.HEADERS[cols.COL_RAM]] + [e.ram_hint for e in entries]),
    }


def _unknown_size_tip(status: Status) -> str:
    if status is Status.OFFLINE:
        return "Size unknown: the Hub cannot be reached and its file listing was never seen here."
    if status in (Status.PRIVATE_OR_MISSING, Status.NOT_FOUND, Status.LICENSE_REQUIRED):
        return "Size unknown: the Hub does not list this model's files without access."
    return "Size not known yet: it comes from the Hub's file listing."


def _group_rank(label: str) -> tuple[int, str]:
    try:
        return (FORMAT_ORDER.index(label), "")
    except ValueError:
        return (len(FORMAT_ORDER), label.lower())


def _haystack(entry: ModelEntry) -> str:
    return " ".join((entry.name, entry.repo_id, entry.format, entry.format_label, entry.quantization)).lower()


def _filter_key(state: RowState) -> str:
    """What the filter proxy matches: the lower-case searchable text, then format and status tags."""
    sep = FILTER_SEPARATOR
    return f"{_haystack(state.entry)}{sep}FMT={state.entry.format}{sep}ST={state.status.name}{sep}"
