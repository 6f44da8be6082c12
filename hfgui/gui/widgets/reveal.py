"""Show a model's folder in the desktop's file manager, or — with no file manager set up to open
folders — put its path on the clipboard and say so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui


def reveal_folder(open_url: Callable[[QtCore.QUrl], object], folder: Path) -> str | None:
    """Open ``folder``; None when the desktop took it, else the one-line message to show."""
    if open_url(QtCore.QUrl.fromLocalFile(str(folder))) is not False:
        return None
    QtGui.QGuiApplication.clipboard().setText(str(folder))
    return f"No file manager is set up to open folders; the path {folder} is copied to the clipboard."
