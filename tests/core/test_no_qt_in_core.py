"""hfgui.core must stay importable without Qt: the CLI and the window both drive it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import hfgui.core


def test_core_modules_do_not_import_qt() -> None:
    names = [m.name for m in pkgutil.walk_packages(hfgui.core.__path__, "hfgui.core.")]
    assert names, "no core modules found"
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6')\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(leaked))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt imported by hfgui.core: {out.stdout.strip()}"
