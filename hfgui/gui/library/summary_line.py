"""The line over the Library tab: models, their size on disk, and the free space on the library disk."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import format_bytes
from hfgui.core.words import counted
from hfgui.gui.library.library_model import LibrarySnapshot
from hfgui.gui.widgets.free_space import FreeSpace


class SummaryLine(QtWidgets.QLabel):
    """Shows the last scan; a newer free-space reading (from any scan or download) updates it in place."""

    def __init__(self, free_space: FreeSpace, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Reading the library…", parent)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._free_space = free_space
        self._snapshot: LibrarySnapshot | None = None
        free_space.changed.connect(self._show)

    def show_snapshot(self, snapshot: LibrarySnapshot) -> None:
        self._snapshot = snapshot
        self._free_space.report(snapshot.root, snapshot.free)  # shared: the status bar follows
        self._show()

    def _show(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        self.setText(
            f"{counted(len(snapshot.rows), 'model')}  ·  {format_bytes(snapshot.total_size)} on disk  ·  "
            f"{self._free_space.text()} on the library disk ({snapshot.root})"
        )
