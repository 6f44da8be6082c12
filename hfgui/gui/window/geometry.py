"""Where the window was: its size and place are kept in `<config dir>/window.json` when it closes and
given back when hfgui opens again; the first time, or when that file is unreadable, the window takes
1280×800 or what its screen has room for."""

from __future__ import annotations

import base64
import binascii
import logging
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.gui.widgets.screen_room import room_on_screen

log = logging.getLogger(__name__)
FILE_NAME = "window.json"


def place_window(window: QtWidgets.QWidget, config_dir: Path) -> None:
    """Where the window was last time (Qt moves it onto a screen that exists now), else fitted whole."""
    if not _restore(window, config_dir / FILE_NAME):
        window.resize(window.size().boundedTo(room_on_screen(window)))


def remember_window(window: QtWidgets.QWidget, config_dir: Path) -> None:
    """Keep the window's size and place for the next start; losing them costs nothing but the place."""
    saved = base64.b64encode(bytes(window.saveGeometry().data())).decode("ascii")
    try:
        write_json_atomic(config_dir / FILE_NAME, {"format": 1, "geometry": saved}, durable=False)
    except OSError as exc:
        log.warning("Could not keep the window's place: %s", exc)


def _restore(window: QtWidgets.QWidget, path: Path) -> bool:
    try:
        data = read_json(path)
        saved = base64.b64decode(data["geometry"], validate=True)
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
        log.warning("Ignoring %s: %s", path, exc)
        return False
    return window.restoreGeometry(QtCore.QByteArray(saved))
