"""The cells of one model's row in the models tree: texts, sort and filter keys, tooltips, the status
colour and its progress-bar picture. Written only when something changed (see ModelsModel)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui

from hfgui.gui.models.rows import ModelEntry, RowState, Status
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.formatting import size_text
from hfgui.gui.widgets.progress_bars import bar_decoration

COL_NAME, COL_REPO, COL_FORMAT, COL_QUANT, COL_SIZE, COL_RAM, COL_STATUS = range(7)
HEADERS = ("Name", "Repository", "Format", "Quantization", "Size", "RAM", "Status")

Qt = QtCore.Qt
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

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


def new_row(entry: ModelEntry) -> list[QtGui.QStandardItem]:
    items = [QtGui.QStandardItem() for _ in HEADERS]
    for item in items:
        item.setFlags(ROW_FLAGS)
    items[0].setData(entry.key, roles.KEY_ROLE)
    items[0].setData(False, roles.IS_GROUP_ROLE)
    items[COL_SIZE].setData(ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
    return items


def write_entry(items: list[QtGui.QStandardItem], entry: ModelEntry) -> None:
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
    items[COL_REPO].setData(entry.repo_id, TOOLTIP)


def write_state(items: list[QtGui.QStandardItem], state: RowState, old: RowState | None) -> int:
    """Copy what changed between ``old`` and ``state`` into the row's cells; +1 when the model became
    installed, -1 when it stopped being, else 0 (the group header counts installed models)."""
    entry = state.entry
    if old is None or old.shown_size != state.shown_size:
        size = state.shown_size
        items[COL_SIZE].setData(size_text(size), DISPLAY)
        items[COL_SIZE].setData(-1 if size is None else size, roles.SORT_ROLE)
    status_item = items[COL_STATUS]
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
            if column not in (COL_REPO, COL_SIZE):
                item.setData(tip, TOOLTIP)
        items[COL_REPO].setData(state.error or entry.repo_id, TOOLTIP)
        items[0].setData(_filter_key(state), roles.FILTER_ROLE)
    if status_changed or old.shown_size != state.shown_size:
        size_tip = (
            _unknown_size_tip(state.status) if state.shown_size is None else state.error or entry.description
        )
        items[COL_SIZE].setData(size_tip, TOOLTIP)
    if old is None or not status_changed:
        return 0
    return (state.status is Status.INSTALLED) - (old.status is Status.INSTALLED)


CELL_PADDING = 24  # a cell's margins and the tree's indentation slack


def column_widths(metrics: QtGui.QFontMetrics, entries: Iterable[ModelEntry]) -> dict[int, int]:
    """The width each text column needs for these models (sizes: the widest a size can read)."""
    entries = list(entries)

    def widest(texts: Iterable[str]) -> int:
        return max((metrics.horizontalAdvance(t) for t in texts), default=0) + CELL_PADDING

    return {
        COL_NAME: widest([e.name for e in entries]) + 40,  # the tree's indentation
        COL_FORMAT: widest([HEADERS[COL_FORMAT]] + [e.format_label or e.format for e in entries]),
        COL_QUANT: min(  # its header and longer names are cut with …
            widest(["Q4_K_M", *(e.quantization for e in entries)]),
            metrics.horizontalAdvance("palettized 6-bit") + CELL_PADDING,
        ),
        COL_SIZE: widest([HEADERS[COL_SIZE], "999.9 MB"]),
        COL_RAM: widest([HEADERS[COL_RAM]] + [e.ram_hint for e in entries]),
    }


def _unknown_size_tip(status: Status) -> str:
    if status is Status.OFFLINE:
        return "Size unknown: the Hub cannot be reached and its file listing was never seen here."
    if status in (Status.PRIVATE_OR_MISSING, Status.NOT_FOUND, Status.LICENSE_REQUIRED):
        return "Size unknown: the Hub does not list this model's files without access."
    return "Size not known yet: it comes from the Hub's file listing."


def _haystack(entry: ModelEntry) -> str:
    return " ".join((entry.name, entry.repo_id, entry.format, entry.format_label, entry.quantization)).lower()


def _filter_key(state: RowState) -> str:
    """What the filter proxy matches: the lower-case searchable text, then format and status tags."""
    sep = FILTER_SEPARATOR
    return f"{_haystack(state.entry)}{sep}FMT={state.entry.format}{sep}ST={state.status.name}{sep}"
