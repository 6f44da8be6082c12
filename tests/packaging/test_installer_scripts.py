"""The installer scripts that cannot run here (Windows, macOS) at least parse and compile."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELL_SCRIPTS = sorted((ROOT / "packaging").rglob("*.sh"))


def test_every_packaging_shell_script_parses() -> None:
    assert {p.name for p in SHELL_SCRIPTS} >= {"build-bundle.sh", "build-deb.sh", "build-dmg.sh"}
    for script in SHELL_SCRIPTS:
        result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{script.name}: {result.stderr}"
    if shutil.which("shellcheck"):
        result = subprocess.run(["shellcheck", *map(str, SHELL_SCRIPTS)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_pyinstaller_spec_is_valid_python() -> None:
    spec = ROOT / "packaging/pyinstaller/hfgui.spec"
    compile(spec.read_text(), str(spec), "exec")
