"""Render resources/icons/hfgui.svg to the PNG sizes the desktop files and installers use (48, 128, 256)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore, QtGui, QtSvg

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (48, 128, 256)


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QtSvg.QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"could not write {out}")


def main() -> int:
    app = QtGui.QGuiApplication(sys.argv[:1])  # noqa: F841 - image rendering needs an application
    svg = ICONS / "hfgui.svg"
    for size in SIZES:
        out = ICONS / f"hfgui-{size}.png"
        render(svg, size, out)
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
