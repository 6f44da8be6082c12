"""Icons from resources/icons (plain SVG/PNG files, no compiled Qt resources)."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui


def icons_dir() -> Path:
    from hfgui import resources_dir

    return resources_dir() / "icons"


def app_icon() -> QtGui.QIcon:
    """The application icon: the PNG sizes plus the SVG for any other size."""
    icon = QtGui.QIcon()
    try:
        folder = icons_dir()
    except FileNotFoundError:
        return icon
    for size in (48, 128, 256):
        png = folder / f"hfgui-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    svg = folder / "hfgui.svg"
    if svg.is_file():
        icon.addFile(str(svg))
    return icon
