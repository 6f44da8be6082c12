"""What the Library tab shows: a disk scan (run on a worker) and the two tables built from it, installed
models (library, Hugging Face cache, imported) and partial downloads left in staging folders."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtGui

from hfgui.core.engine.diskspace import free_bytes
from hfgui.core.errors import HfGuiError
from hfgui.core.library.care import UpdateInfo, updatable
from hfgui.core.library.importer import detect_format
from hfgui.core.library.installed import (
    SOURCE_HF_CACHE,
    SOURCE_LIBRARY,
    SOURCE_REFERENCE,
    InstalledModel,
    InstallState,
    Library,
)
from hfgui.core.library.leftovers import KIND_DELETED_MODEL, Leftover, find_leftovers
from hfgui.core.store.manifest import LOCAL_COMMIT, read_manifest
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.formatting import duration_text, format_label, size_text
from hfgui.gui.widgets.table_model import ListTableModel

Qt = QtCore.Qt
DISPLAY = int(Qt.ItemDataRole.DisplayRole)

SOURCE_TEXT = {
    SOURCE_LIBRARY: "Library",
    SOURCE_HF_CACHE: "HF cache",
    SOURCE_REFERENCE: "Imported (in place)",
}
STATE_TEXT = {
    InstallState.INSTALLED: "Installed",
    InstallState.INCOMPLETE: "Incomplete",
    InstallState.MISSING_FILES: "Files missing",
    InstallState.DAMAGED: "Damaged",
    InstallState.REFERENCED: "Referenced",
}
OWNER_TEXT = {
    "download": "Unfinished download",
    "update": "Unfinished update",
    "queued": "Paused or queued download",
}
ORPHANED_TEXT = "Nothing (orphaned)"
WHERE_TEXT = {
    "library": "Library",
    "update": "Update",
    "hf-cache": "HF cache",
    "dest": "--dest folder",
    "deleting": "Interrupted delete",
}
DELETED_MODEL_TEXT = "All its files (a delete was interrupted)"


# --- the scan (worker thread; Qt-free values) -----------------------------------------------------


@dataclass(frozen=True)
class LibraryRow:
    """One installed model as the table shows it."""

    model: InstalledModel
    date: float | None  # seconds since the epoch: finished, imported, or last changed in the cache
    model_format: str | None

    @property
    def key(self) -> str:
        """Stable across rescans: the same model may sit in the library and in the cache."""
        return f"{self.model.source}:{self.model.repo_id}"

    @property
    def repo_id(self) -> str:
        return self.model.repo_id

    @property
    def source(self) -> str:
        return self.model.source

    @property
    def verifiable(self) -> bool:
        """Library models (against their manifest) and HF-cache snapshots (blobs are named by their hash)
        can be re-hashed; references have no hashes."""
        if self.source == SOURCE_HF_CACHE:
            return True
        return self.source == SOURCE_LIBRARY and self.model.state in (
            InstallState.INSTALLED,
            InstallState.MISSING_FILES,
            InstallState.DAMAGED,
        )

    @property
    def updatable(self) -> bool:
        return self.source == SOURCE_LIBRARY and updatable(self.model)


@dataclass(frozen=True)
class LibrarySnapshot:
    root: Path
    cache_dir: Path | None  # None when the cache is not scanned
    rows: tuple[LibraryRow, ...]
    leftovers: tuple[Leftover, ...]
    free: int | None  # bytes free on the library disk; None when unreadable

    @property
    def total_size(self) -> int:
        return sum(row.model.size for row in self.rows)


def scan_library_view(
    root: Path, cache_dir: Path | None, *, include_cache: bool = True, queued: Collection[str] = ()
) -> LibrarySnapshot:
    """Everything the Library tab shows, read from disk (blocking: call it on a worker)."""
    library = Library(root)
    models = library.all_models(cache_dir, include_cache=include_cache)
    added = {ref.repo_id: ref.added_at for ref in library.references()}
    rows = tuple(LibraryRow(m, _date_of(m, added), _format_of(m)) for m in models)
    leftovers = tuple(find_leftovers(root, cache_dir, include_cache=include_cache, queued=queued))
    try:
        free = free_bytes(root)
    except OSError:
        free = None
    return LibrarySnapshot(root, cache_dir if include_cache else None, rows, leftovers, free)


def _date_of(model: InstalledModel, added: dict[str, float]) -> float | None:
    if model.source == SOURCE_REFERENCE:
        return added.get(model.repo_id)
    if model.source == SOURCE_LIBRARY:
        manifest = read_manifest(model.root) if model.state is not InstallState.INCOMPLETE else None
        if manifest is not None:
            return manifest.completed_at
    with contextlib.suppress(OSError):
        return model.root.stat().st_mtime
    return None


def _format_of(model: InstalledModel) -> str | None:
    if model.model_format:
        return model.model_format
    if model.state is InstallState.INCOMPLETE or not model.root.is_dir():
        return None
    try:
        return detect_format(model.root)
    except (HfGuiError, OSError):  # a broken file is the Verify button's business, not the listing's
        return None


def age_text(seconds: float) -> str:
    days = seconds / 86400
    if days >= 1:
        return f"{days:.0f} day{'s' if round(days) != 1 else ''}"
    hours = seconds / 3600
    if hours >= 1:
        return f"{hours:.0f} h"
    return duration_text(seconds) or "0 s"


def date_text(when: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when)) if when else ""


# --- installed models ---------------------------------------------------------------------------


class LibraryTableModel(ListTableModel):
    """Installed models, one row per place a model lives. KEY_ROLE: row key; STATE_ROLE: LibraryRow."""

    COL_NAME, COL_FORMAT, COL_SIZE, COL_COMMIT, COL_DATE, COL_SOURCE, COL_STATE = range(7)
    HEADERS = ("Model", "Format", "Size on disk", "Commit", "Date", "Source", "State")

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LibraryRow]
        self._updates: dict[str, UpdateInfo] = {}  # repo id -> last check

    # --- contents ------------------------------------------------------------------------------

    def rows(self) -> tuple[LibraryRow, ...]:
        return tuple(self._rows)

    def keys(self) -> list[str]:
        return [row.key for row in self._rows]

    def row_for(self, key: str) -> LibraryRow | None:
        return next((row for row in self._rows if row.key == key), None)

    def index_of(self, key: str, column: int = 0) -> QtCore.QModelIndex:
        for number, row in enumerate(self._rows):
            if row.key == key:
                return self.index(number, column)
        return QtCore.QModelIndex()

    def set_rows(self, rows: Sequence[LibraryRow]) -> None:
        """Show a new scan: rows removed, changed in place and inserted, so selections survive."""
        new = list(rows)
        wanted = {row.key for row in new}
        for number in range(len(self._rows) - 1, -1, -1):
            if self._rows[number].key not in wanted:
                self.beginRemoveRows(QtCore.QModelIndex(), number, number)
                del self._rows[number]
                self.endRemoveRows()
        current = {row.key: i for i, row in enumerate(self._rows)}
        if [r.key for r in new if r.key in current] != [r.key for r in self._rows]:
            # Order changed among kept rows (cannot happen with the sorted scan); start over.
            self.beginResetModel()
            self._rows = new
            self.endResetModel()
            return
        for number, row in enumerate(new):
            if row.key in current:
                if self._rows[number] != row:
                    self._rows[number] = row
                    self._row_changed(number)
            else:
                self.beginInsertRows(QtCore.QModelIndex(), number, number)
                self._rows.insert(number, row)
                self.endInsertRows()

    def set_updates(self, updates: Sequence[UpdateInfo]) -> None:
        self._updates = {info.repo_id: info for info in updates}
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.COL_STATE), self.index(len(self._rows) - 1, self.COL_STATE), []
            )

    def update_info(self, row: LibraryRow) -> UpdateInfo | None:
        info = self._updates.get(row.repo_id)
        if info is None or row.source != SOURCE_LIBRARY or info.installed_commit != row.model.commit:
            return None  # never checked, or checked for a commit no longer installed
        return info

    def _row_changed(self, number: int) -> None:
        self.dataChanged.emit(self.index(number, 0), self.index(number, len(self.HEADERS) - 1), [])

    # --- Qt model --------------------------------------------------------------------------------

    def data(self, index: QtCore.QModelIndex, role: int = DISPLAY):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._text(row, column)
        if role == roles.KEY_ROLE:
            return row.key
        if role == roles.STATE_ROLE:
            return row
        if role == roles.SORT_ROLE:
            return self._sort_value(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.COL_COMMIT:
                return row.model.commit or ""
            info = self.update_info(row)
            if column == self.COL_STATE and info is not None and info.error:
                return info.error
            return str(row.model.root)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.COL_STATE:
            if row.model.state in (InstallState.MISSING_FILES, InstallState.DAMAGED):
                return QtGui.QBrush(QtGui.QColor("#c62828"))
            info = self.update_info(row)
            if info is not None and info.has_update:
                return QtGui.QBrush(QtGui.QColor("#1565c0"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: LibraryRow, column: int) -> str:
        model = row.model
        if column == self.COL_NAME:
            return model.repo_id
        if column == self.COL_FORMAT:
            return format_label(row.model_format)  # named as in the Models tab
        if column == self.COL_SIZE:
            return size_text(model.size)
        if column == self.COL_COMMIT:
            commit = model.commit or ""
            return commit if commit == LOCAL_COMMIT else commit[:8]
        if column == self.COL_DATE:
            return date_text(row.date)
        if column == self.COL_SOURCE:
            return SOURCE_TEXT.get(model.source, model.source)
        if column == self.COL_STATE:
            text = STATE_TEXT.get(model.state, model.state.value)
            info = self.update_info(row)
            if info is not None:
                if info.has_update:
                    text += " · update available"
                elif info.error:
                    text += " · update check failed"
                else:
                    text += " · up to date"
            return text
        return ""

    def _sort_value(self, row: LibraryRow, column: int):
        if column == self.COL_SIZE:
            return row.model.size
        if column == self.COL_DATE:
            return row.date or 0.0
        return self._text(row, column).lower()


# --- partial downloads -----------------------------------------------------------------------------


class LeftoversModel(ListTableModel):
    """Partial downloads in staging folders, oldest first. STATE_ROLE: the Leftover."""

    COL_MODEL, COL_FILE, COL_SIZE, COL_AGE, COL_OWNER, COL_WHERE = range(6)
    HEADERS = ("Model", "File", "Size", "Age", "Would resume it", "Where")

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Leftover]

    def items(self) -> tuple[Leftover, ...]:
        return tuple(self._rows)

    def orphaned(self) -> list[Leftover]:
        return [item for item in self._rows if item.orphaned]

    def set_items(self, items: Sequence[Leftover]) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self.endResetModel()

    def data(self, index: QtCore.QModelIndex, role: int = DISPLAY):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == self.COL_MODEL:
                return item.repo_id or "(unknown)"
            if column == self.COL_FILE:
                if item.kind == KIND_DELETED_MODEL:
                    return DELETED_MODEL_TEXT
                return item.path or item.partial.part_path.name
            if column == self.COL_SIZE:
                return size_text(item.size)
            if column == self.COL_AGE:
                return age_text(item.age_seconds)
            if column == self.COL_OWNER:
                return OWNER_TEXT.get(item.owner or "", item.owner or ORPHANED_TEXT)
            if column == self.COL_WHERE:
                return WHERE_TEXT.get(item.where, item.where)
            return None
        if role == roles.STATE_ROLE:
            return item
        if role == roles.KEY_ROLE:
            return str(item.partial.part_path)
        if role == roles.SORT_ROLE:
            if column == self.COL_SIZE:
                return item.size
            if column == self.COL_AGE:
                return item.age_seconds
            return str(self.data(index, DISPLAY)).lower()
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(item.partial.part_path)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
