"""Table of the files of one model download: path, size, progress bar, speed and state per file."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui

from hfgui.core.types import FileProgress, FileState
from hfgui.gui import roles
from hfgui.gui.formatting import permille, size_text, speed_text

Qt = QtCore.Qt
DISPLAY = int(Qt.ItemDataRole.DisplayRole)

STATE_TEXT = {
    FileState.QUEUED: "Queued",
    FileState.DOWNLOADING: "Downloading",
    FileState.VERIFYING: "Verifying",
    FileState.DONE: "Done",
    FileState.SKIPPED: "Already present",
    FileState.FAILED: "Failed",
    FileState.CANCELLED: "Stopped",
}


class FilesModel(QtCore.QAbstractTableModel):
    COL_PATH, COL_SIZE, COL_PROGRESS, COL_SPEED, COL_STATE = range(5)
    HEADERS = ("File", "Size", "Progress", "Speed", "State")

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._files: list[FileProgress] = []
        self._row_of: dict[str, int] = {}

    def files(self) -> tuple[FileProgress, ...]:
        return tuple(self._files)

    def set_files(
        self, files: tuple[FileProgress, ...] | list[FileProgress], changed: Iterable[int] | None = None
    ) -> None:
        """Show these snapshots: rows are updated in place when the file list is unchanged.

        ``changed`` lists the rows that may differ from what is shown (from `ModelProgress.changed`);
        None means look at every row. A 2,500-file model then costs a handful of rows per refresh.
        """
        files = list(files)
        if len(files) != len(self._files) or (
            changed is None and any(a.path != b.path for a, b in zip(files, self._files, strict=True))
        ):
            self.beginResetModel()
            self._files = files
            self._row_of = {f.path: i for i, f in enumerate(files)}
            self.endResetModel()
            return
        old, self._files = self._files, files
        rows = range(len(files)) if changed is None else sorted(i for i in set(changed) if 0 <= i < len(files))
        dirty = [i for i in rows if old[i] != files[i]]
        if any(old[i].path != files[i].path for i in dirty):  # another model's list of the same length
            self.beginResetModel()
            self._row_of = {f.path: i for i, f in enumerate(files)}
            self.endResetModel()
            return
        # One signal per run of adjacent rows, covering only the columns that move.
        start = None
        for position, row in enumerate(dirty):
            if start is None:
                start = row
            if position + 1 == len(dirty) or dirty[position + 1] != row + 1:
                self.dataChanged.emit(self.index(start, self.COL_PROGRESS), self.index(row, self.COL_STATE), [])
                start = None

    def clear(self) -> None:
        self.set_files([])

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._files)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: QtCore.QModelIndex, role: int = DISPLAY):
        if not index.isValid() or index.row() >= len(self._files):
            return None
        item = self._files[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == self.COL_PATH:
                return item.path
            if column == self.COL_SIZE:
                return size_text(item.bytes_total)
            if column == self.COL_PROGRESS:
                return f"{permille(item.bytes_done, item.bytes_total) // 10} %"
            if column == self.COL_SPEED:
                return speed_text(item.speed) if item.state is FileState.DOWNLOADING else ""
            if column == self.COL_STATE:
                return STATE_TEXT[item.state] + (f": {item.error}" if item.error else "")
            return None
        if role == roles.PROGRESS_ROLE:
            if column == self.COL_PROGRESS:
                done = (
                    item.bytes_total if item.state in (FileState.DONE, FileState.SKIPPED) else item.bytes_done
                )
                return (
                    permille(done, item.bytes_total)
                    if item.bytes_total
                    else (1000 if item.state.finished else 0)
                )
            return None
        if role == roles.STATE_ROLE:
            return item
        if role == roles.KEY_ROLE:
            return item.path
        if role == roles.SORT_ROLE:
            return (item.path, item.bytes_total, item.bytes_done, item.speed, item.state.value)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.error or item.path
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == self.COL_STATE
            and item.state is FileState.FAILED
        ):
            return QtGui.QBrush(QtGui.QColor("#c62828"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.COL_SIZE, self.COL_SPEED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
