"""The free space on the library's disk as the window last measured it: the status bar and the Library
tab show this one value (whichever scan measured last), so the two never disagree."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from hfgui.core.errors import format_bytes


class FreeSpace(QtCore.QObject):
    """Signal: changed() after a scan measured a new value."""

    changed = QtCore.Signal()

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.root: Path | None = None
        self.free: int | None = None

    def report(self, root: Path, free: int | None) -> None:
        if (root, free) != (self.root, self.free):
            self.root, self.free = root, free
            self.changed.emit()

    def text(self) -> str:
        """ "81.1 GB free", or what is known instead."""
        return f"{format_bytes(self.free)} free" if self.free is not None else "free space unknown"
