"""Build the bundle and .deb, install it, run the installed self-test, check the desktop files, remove it."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from hfgui import __version__
from hfgui.core.catalog import load_builtin_catalog

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.hfgui.HfGui"
PREFIX = Path("/opt/hfgui")
MAX_BUNDLE_BYTES = 150 * 1024 * 1024

_missing = [tool for tool in ("dpkg", "dpkg-deb", "dpkg-shlibdeps") if shutil.which(tool) is None]
pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the .deb is built on Linux only"),
    pytest.mark.skipif(
        hasattr(os, "geteuid") and os.geteuid() != 0, reason="installing a .deb needs root (CI runs as root)"
    ),
    pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)} (apt-get install dpkg-dev)"),
    # First run creates build/venv from PyPI; later runs reuse it (about a minute in all).
    pytest.mark.timeout(1800),
]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def deb() -> Path:
    """Build the .deb once for the module (reusing build/venv), install it, and remove it afterwards."""
    env = dict(os.environ)
    # The build venv must come from a real interpreter, not from the test venv.
    env["PYTHON"] = getattr(sys, "_base_executable", sys.executable)
    env["HFGUI_DEB_COMPRESSION"] = "gzip"  # xz costs a minute on two cores and proves nothing more
    build = _run([str(ROOT / "packaging/linux/build-deb.sh")], env=env, cwd=ROOT)
    assert build.returncode == 0, f"build-deb.sh failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    arch = _run(["dpkg", "--print-architecture"]).stdout.strip()
    package = ROOT / "dist" / f"hfgui_{__version__}_{arch}.deb"
    assert package.is_file(), build.stdout
    install = _run(["dpkg", "-i", str(package)])
    if install.returncode != 0:  # missing runtime libraries: let apt fetch the Depends
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = _run(["apt-get", "install", "-f", "-y", "-q"], env=apt_env)
    assert install.returncode == 0, install.stderr
    try:
        yield package
    finally:
        removal = _run(["dpkg", "-r", "hfgui"])
        assert removal.returncode == 0, removal.stderr
        assert not PREFIX.exists() and not Path("/usr/bin/hfgui").exists(), "dpkg -r left files behind"


def test_installed_self_test_passes(deb: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PYTHON"))}
    env["HFGUI_HOME"] = str(tmp_path / "home")
    result = _run(["/usr/bin/hfgui", "--self-test"], env=env, cwd=tmp_path)
    line = result.stdout.strip()
    assert "unrecognized arguments: --self-test" not in result.stderr, (
        "hfgui.cli.main must hand `--self-test` to hfgui.selftest.main (see packaging/README.md)"
    )
    assert result.returncode == 0, f"{line} {result.stderr.strip()}"
    assert line.startswith(f"hfgui {__version__} self-test ok: window (offscreen), ")
    assert f"catalog {len(load_builtin_catalog())} models" in line
    assert "data dir writable" in line and (tmp_path / "home" / "data").is_dir()
    if os.environ.get("HFGUI_SECRET_SERVICE") == "1":
        # Proves the keyring backends made it into the frozen bundle as hidden imports.
        assert "keyring: SecretService" in line


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed (apt-get install xvfb)")
def test_installed_window_opens_on_a_real_x_display(deb: Path, tmp_path: Path) -> None:
    # Loads the xcb platform plugin against the system libraries the package Depends on.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PYTHON", "WAYLAND"))}
    env["HFGUI_HOME"] = str(tmp_path / "home")
    result = _run(["xvfb-run", "-a", "/usr/bin/hfgui", "--self-test", "--show"], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"hfgui {__version__} self-test ok: window, catalog ")


def test_desktop_file_validates_and_launches_the_installed_command(deb: Path) -> None:
    desktop = Path(f"/usr/share/applications/{APP_ID}.desktop")
    result = _run(["desktop-file-validate", str(desktop)])
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout
    entries = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
    assert shutil.which(entries["Exec"].split()[0]) == "/usr/bin/hfgui"
    assert entries["Icon"] == APP_ID


@pytest.mark.parametrize("size", [48, 128, 256])
def test_hicolor_icons_have_their_nominal_size(deb: Path, size: int) -> None:
    data = Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (size, size)


def test_metainfo_validates(deb: Path) -> None:
    metainfo = Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml")
    assert f"<id>{APP_ID}</id>" in metainfo.read_text()
    if shutil.which("appstreamcli") is None:
        pytest.skip("appstreamcli not installed (apt-get install appstream)")
    result = _run(["appstreamcli", "validate", "--no-net", str(metainfo)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_depends_come_from_the_bundled_qt_plugins(deb: Path) -> None:
    depends = _run(["dpkg-deb", "-f", str(deb), "Depends"]).stdout
    names = {part.strip().split()[0] for part in depends.split(",") if part.strip()}
    # xcb platform plugin, EGL/GL integrations, fonts, D-Bus (portal theme): what Qt needs at run time.
    expected = ("libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1", "libdbus-1-3", "libc6")
    for package in expected:
        assert package in names, f"{package} missing from Depends: {depends}"


def test_bundle_is_small_and_free_of_build_machine_libraries(deb: Path) -> None:
    size = sum(p.lstat().st_size for p in PREFIX.rglob("*"))
    assert size < MAX_BUNDLE_BYTES, f"/opt/hfgui is {size / 2**20:.0f} MiB"
    check = _run([sys.executable, str(ROOT / "packaging/pyinstaller/bundle_policy.py"), "check", str(PREFIX)])
    assert check.returncode == 0, check.stderr
    assert (PREFIX / "_internal" / "resources" / "catalog.json").is_file()
