"""Table of the files of one model download: path, size, progress bar, speed and state per file.

A `QStandardItemModel`: cells live in C++ and painting them runs no Python; `set_files` writes only the
rows that changed (from `ModelProgress.changed`), so a refresh of a 2,500-file model touches a handful.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui

from hfgui.core.types import FileProgress, FileState
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.formatting import permille, reconnecting_text, size_text, speed_text
from hfgui.gui.widgets.progress_bars import bar_decoration

Qt = QtCore.Qt
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
DECORATION = int(Qt.ItemDataRole.DecorationRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
FAILED_COLOUR = QtGui.QColor("#c62828")

STATE_TEXT = {
    FileState.QUEUED: "Queued",
    FileState.DOWNLOADING: "Downloading",
    FileState.VERIFYING: "Verifying",
    FileState.DONE: "Done",
    FileState.SKIPPED: "Done",  # verified before this run (an earlier run or another download)
    FileState.FAILED: "Failed",
    FileState.CANCELLED: "Paused",  # stopped with its partial kept (Cancel deletes the whole download)
}
_BAR_KIND = {FileState.DONE: "done", FileState.SKIPPED: "done", FileState.FAILED: "failed"}
# Files in progress first, then those still to come, then the finished ones: in a model of thousands
# of files the ones moving are at the top of the table, not somewhere past row 2,000.
_ORDER = {
    FileState.DOWNLOADING: 0,
    FileState.VERIFYING: 1,
    FileState.FAILED: 2,
    FileState.QUEUED: 3,
    FileState.CANCELLED: 3,
    FileState.DONE: 4,
    FileState.SKIPPED: 4,
}


class FilesModel(QtGui.QStandardItemModel):
    COL_PATH, COL_SIZE, COL_PROGRESS, COL_SPEED, COL_STATE = range(5)
    HEADERS = ("File", "Size", "Progress", "Speed", "State")

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self._files: list[FileProgress] = []
        self.done_text = STATE_TEXT[FileState.DONE]

    def show_installed(self, files: list[tuple[str, int]], state_text: str) -> None:
        """An installed model's files (path, size), each saying ``state_text`` (e.g. "Verified")."""
        self.done_text = state_text
        self._replace([FileProgress(path, size, size, FileState.DONE) for path, size in files])

    def files(self) -> tuple[FileProgress, ...]:
        return tuple(self._files)

    def set_files(
        self, files: tuple[FileProgress, ...] | list[FileProgress], changed: Iterable[int] | None = None
    ) -> None:
        """Show these snapshots: rows are updated in place when the file list is unchanged.

        ``changed`` lists the rows that may differ from what is shown (from `ModelProgress.changed`);
        None means look at every row.
        """
        files = list(files)
        same_list = len(files) == len(self._files) and (
            changed is not None or all(a.path == b.path for a, b in zip(files, self._files, strict=True))
        )
        if not same_list:
            self.done_text = STATE_TEXT[FileState.DONE]
            self._replace(files)
            return
        old, self._files = self._files, files
        rows = (
            range(len(files)) if changed is None else sorted(i for i in set(changed) if 0 <= i < len(files))
        )
        dirty = [i for i in rows if old[i] != files[i]]
        if any(old[i].path != files[i].path for i in dirty):  # another model's list of the same length
            self._files = old
            self._replace(files)
            return
        for row in dirty:
            self._write(row, files[row], old[row])

    def clear(self) -> None:
        self.set_files([])

    def _replace(self, files: list[FileProgress]) -> None:
        self.beginResetModel()
        blocked = self.blockSignals(True)  # one reset, not a signal per cell
        try:
            self.setRowCount(0)
            self.setRowCount(len(files))
            for row, item in enumerate(files):
                self._write(row, item, None)
        finally:
            self.blockSignals(blocked)
            self._files = files
            self.endResetModel()

    def _write(self, row: int, item: FileProgress, old: FileProgress | None) -> None:
        if old is None:
            self._put(
                row,
                self.COL_PATH,
                {DISPLAY: item.path, roles.KEY_ROLE: item.path, roles.SORT_ROLE: item.path},
            )
            self._put(
                row,
                self.COL_SIZE,
                {
                    DISPLAY: size_text(item.bytes_total),
                    roles.SORT_ROLE: item.bytes_total,
                    ALIGNMENT: ALIGN_RIGHT,
                },
            )
            self._put(row, self.COL_SPEED, {ALIGNMENT: ALIGN_RIGHT})
        done = item.bytes_total if item.state in (FileState.DONE, FileState.SKIPPED) else item.bytes_done
        bar = permille(done, item.bytes_total) if item.bytes_total else (1000 if item.state.finished else 0)
        self._put(
            row,
            self.COL_PROGRESS,
            {
                DISPLAY: f"{bar // 10} %",
                roles.PROGRESS_ROLE: bar,
                roles.SORT_ROLE: item.bytes_done,
                DECORATION: bar_decoration(bar, _BAR_KIND.get(item.state, "active")),
            },
        )
        speed = speed_text(item.speed) if item.state is FileState.DOWNLOADING else ""
        self._put(row, self.COL_SPEED, {DISPLAY: speed, roles.SORT_ROLE: item.speed})
        if (
            old is None
            or old.state is not item.state
            or old.error != item.error
            or old.reconnecting != item.reconnecting
        ):
            colour = FAILED_COLOUR if item.state is FileState.FAILED else _text_colour()
            self._put(row, self.COL_PATH, {roles.ORDER_ROLE: _ORDER[item.state] * 10_000_000 + row})
            self._put(
                row,
                self.COL_STATE,
                {
                    DISPLAY: state_text(item, self.done_text),
                    roles.SORT_ROLE: item.state.value,
                    FOREGROUND: QtGui.QBrush(colour),
                    TOOLTIP: item.error or item.path,
                },
            )
            self._put(row, self.COL_PATH, {TOOLTIP: item.error or item.path})

    def _put(self, row: int, column: int, values: dict[int, object]) -> None:
        """Set a cell's roles one by one: QStandardItemModel.setItemData lets go of the GIL, and
        getting it back from busy download threads can take milliseconds per call; setData keeps it."""
        item = self.item(row, column)
        if item is None:
            item = QtGui.QStandardItem()
            self.setItem(row, column, item)
        for role, value in values.items():
            item.setData(value, role)


def _text_colour() -> QtGui.QColor:
    return QtGui.QGuiApplication.palette().text().color()


def state_text(item: FileProgress, done_text: str = STATE_TEXT[FileState.DONE]) -> str:
    if item.state is FileState.DOWNLOADING and item.reconnecting is not None:
        return reconnecting_text(item.reconnecting)
    if item.state is FileState.DONE:
        return done_text
    return STATE_TEXT[item.state] + (f": {item.error}" if item.error else "")
