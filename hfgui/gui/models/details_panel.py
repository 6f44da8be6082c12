"""The download details of the selected model: one row per file, a total line, and the error with Retry."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core.errors import format_bytes
from hfgui.core.words import counted
from hfgui.gui.models.files_model import FilesModel
from hfgui.gui.models.rows import RowState, Status
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.formatting import duration_text, speed_text

LEFT = QtCore.Qt.AlignmentFlag.AlignLeft


def steady_text(alignment: QtCore.Qt.AlignmentFlag = LEFT) -> QtWidgets.QLineEdit:
    """One line of selectable text that looks like a label but never asks for a new layout.

    QLabel.setText re-lays out every parent up to the window, and the relayout repaints most of it:
    at ten refreshes a second during a download that kept the GUI thread busy for tens of
    milliseconds while download threads held the cores. A read-only line edit's size does not
    depend on its text, so a new text only repaints the field.
    """
    field = QtWidgets.QLineEdit()
    field.setReadOnly(True)
    field.setFrame(False)
    field.setAlignment(alignment | QtCore.Qt.AlignmentFlag.AlignVCenter)
    field.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
    palette = field.palette()
    palette.setColor(QtGui.QPalette.ColorRole.Base, QtGui.QColor(0, 0, 0, 0))  # the panel shows through
    field.setPalette(palette)
    field.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
    return field


class DetailsPanel(QtWidgets.QWidget):
    """Signals: retry_requested(str) with the model key."""

    retry_requested = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._key: str | None = None
        self._installed_total: str | None = None  # the total line of a shown installed listing
        self.title = steady_text()
        self.title.setObjectName("detailsTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.total = steady_text(QtCore.Qt.AlignmentFlag.AlignRight)
        self.error = QtWidgets.QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QtWidgets.QPushButton("Retry")
        self.retry.clicked.connect(self._retry)
        error_row = QtWidgets.QHBoxLayout()
        error_row.addWidget(self.error, 1)
        error_row.addWidget(self.retry)

        self.files = FilesModel(self)
        # Files in progress first (FilesModel's ORDER_ROLE), sorted in Qt as their states change.
        self.ordered = QtCore.QSortFilterProxyModel(self)
        self.ordered.setSourceModel(self.files)
        self.ordered.setSortRole(roles.ORDER_ROLE)
        self.ordered.setDynamicSortFilter(True)
        self.ordered.sort(FilesModel.COL_PATH)
        self.table = QtWidgets.QTableView()
        self.table.setModel(self.ordered)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)  # a long path keeps its file name
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FilesModel.COL_PATH, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (FilesModel.COL_SIZE, 90),
            (FilesModel.COL_PROGRESS, 160),
            (FilesModel.COL_SPEED, 90),
        ):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.resizeSection(FilesModel.COL_STATE, 130)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.title, 3)
        top.addWidget(self.total, 2)
        layout.addLayout(top)
        layout.addLayout(error_row)
        layout.addWidget(self.table, 1)
        self.show_state(None)

    @property
    def key(self) -> str | None:
        return self._key

    def show_state(self, state: RowState | None, changed: Iterable[int] | None = None) -> None:
        """Show (or refresh) the given model; called on selection and on each refresh tick.

        ``changed``: indexes of files that changed since the previous call for the same model (None: any).
        """
        if state is None:
            self._key = None
            self._set_texts("Select a model to see its files.", "")
            self.files.clear()
            self._set_error(None)
            return
        if state.entry.key != self._key:
            self._key = state.entry.key
            self._installed_total = None
            self.files.clear()
            changed = None
        # A failure's reason has its own line below (with Retry): the title just says it failed.
        status = state.status.value if state.status is Status.FAILED else state.status_text
        title = f"{state.entry.name} — {status}"
        progress = state.progress
        if progress is not None:
            self.files.set_files(progress.files, changed)
            self._set_texts(
                title,
                total_text(
                    progress.bytes_done,
                    progress.bytes_total,
                    progress.files_done,
                    progress.files_total,
                    progress.speed,
                    progress.eta_seconds,
                    running=state.status is Status.DOWNLOADING,
                ),
            )
        elif state.status is Status.INSTALLED and self._installed_total is not None:
            self._set_texts(title, self._installed_total)  # its listing stays (show_installed_files)
        else:
            self._installed_total = None
            self.files.clear()
            self._set_texts(title, state.entry.repo_id)
        self._set_error(state.error if state.status is Status.FAILED else None)

    def show_installed_files(self, key: str, files: list[tuple[str, int]], state_text: str) -> None:
        """The files of the installed model shown now (``key``), from its manifest or folder."""
        if key != self._key:
            return  # another model was selected meanwhile
        self.files.show_installed(files, state_text)
        total = sum(size for _path, size in files)
        self._installed_total = f"{counted(len(files), 'file')}  ·  {format_bytes(total)}"
        self._set_texts(self.title.text(), self._installed_total)

    def _set_texts(self, title: str, total: str) -> None:
        for widget, text in ((self.title, title), (self.total, total)):
            if widget.text() != text:
                widget.setText(text)
                widget.setCursorPosition(0)  # a text wider than the field shows its start
                widget.setToolTip(text)

    def _set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.retry.setVisible(bool(message))

    def _retry(self) -> None:
        if self._key is not None:
            self.retry_requested.emit(self._key)


def total_text(
    done: int,
    total: int,
    files_done: int,
    files_total: int,
    speed: float,
    eta: float | None,
    *,
    running: bool,
) -> str:
    parts = [f"{format_bytes(done)} of {format_bytes(total)}", f"{files_done} of {files_total} files"]
    if running:
        if speed_text(speed):
            parts.append(speed_text(speed))
        if duration_text(eta):
            parts.append(f"{duration_text(eta)} left")
    return "  ·  ".join(parts)
