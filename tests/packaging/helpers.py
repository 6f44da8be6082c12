"""What the packaging tests share: the checkout's root, a quiet subprocess runner and the built package."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.hfgui.HfGui"


@dataclass(frozen=True)
class DebBuild:
    deb: Path  # hfgui_<version>_<arch>.deb
    bundle: Path  # the PyInstaller folder the package was made from
    venv_python: Path  # the build venv's interpreter (has PyInstaller and the bundled distributions)
    tree: Path  # the package's files, unpacked with dpkg-deb -x


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
