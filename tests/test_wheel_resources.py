"""resources/ ships inside the wheel and is found from an installed (non-editable) package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_installed_wheel_finds_its_resources(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("hfgui-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import json, hfgui\n"
        "root = hfgui.resources_dir()\n"
        "entries = json.loads((root / 'catalog.json').read_text())\n"
        "icons = (root / 'icons' / 'hfgui.svg').is_file()\n"
        "found = {'root': str(root), 'module': hfgui.__file__, 'icons': icons, 'n': len(entries['models'])}\n"
        "print(json.dumps(found))\n"
    )
    # Run from an empty folder with only the installed copy on the path: no checkout to fall back on.
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r})\n" + code],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(out.stdout)
    assert Path(found["module"]).is_relative_to(target)
    assert Path(found["root"]) == target / "hfgui" / "resources"
    assert found["icons"] is True
    assert found["n"] > 0
