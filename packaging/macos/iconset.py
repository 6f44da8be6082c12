"""Render the .iconset folder that iconutil turns into hfgui.icns: every size macOS uses, up to 1024 px.

    python iconset.py OUT.iconset      # run with the build venv's Python (PySide6 renders the SVG)

Each size is drawn from resources/icons/hfgui.svg, so the 512@2x (1024 px) icon of Retina Finder views and
the App Store sizes are sharp instead of scaled up from the 256 px PNG.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6 import QtGui  # noqa: E402
from render_icons import render  # noqa: E402  (scripts/render_icons.py; sets the offscreen platform)

# (points, scale) pairs of Apple's iconset naming: icon_16x16.png, icon_16x16@2x.png, ..., icon_512x512@2x.png
ICONSET = [(points, scale) for points in (16, 32, 128, 256, 512) for scale in (1, 2)]


def entries() -> list[tuple[str, int]]:
    """(file name, pixels) of every image in the iconset."""
    return [(f"icon_{p}x{p}{'@2x' if scale == 2 else ''}.png", p * scale) for p, scale in ICONSET]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: iconset.py OUT.iconset", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    app = QtGui.QGuiApplication(sys.argv[:1])  # noqa: F841 - image rendering needs an application
    for name, pixels in entries():
        render(ROOT / "resources" / "icons" / "hfgui.svg", pixels, out / name)
    print(f"iconset: {len(ICONSET)} images up to {max(px for _, px in entries())} px in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
