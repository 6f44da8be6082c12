"""`apt-get install ./hfgui_*.deb` on a minimal Debian 12 in a throw-away root, then run and remove it there.

The root is debootstrap'd into a temporary folder (no Python, no X, no Qt libraries): apt must find every
dependency from Depends alone. The running system is never touched, and the root is deleted afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hfgui import __version__
from hfgui.core.library.catalog import load_builtin_catalog
from tests.packaging.debian_root import TOOLS, DebianRoot
from tests.packaging.helpers import APP_ID, DebBuild

_missing = [tool for tool in TOOLS if shutil.which(tool) is None]
pytestmark = [
    pytest.mark.skipif(
        hasattr(os, "geteuid") and os.geteuid() != 0,
        reason="debootstrap and chroot need root (CI runs as root)",
    ),
    pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)} (apt-get install debootstrap)"),
    pytest.mark.timeout(1800),  # a hang guard: building the package and bootstrapping Debian take minutes
]
APP_ENV = {"HFGUI_HOME": "/tmp/hfgui-home"}


def _session_bus() -> tuple[str, ...]:
    """The test run's D-Bus socket (dbus-run-session in scripts/test.sh), to bind into the root."""
    match = re.match(r"unix:path=([^,;]+)", os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""))
    return (match.group(1),) if match else ()


@pytest.fixture(scope="module")
def debian12(deb_build: DebBuild) -> Iterator[DebianRoot]:
    """Debian 12 with the package installed by apt-get from the file, as the README tells users."""
    root = DebianRoot(Path(tempfile.mkdtemp(prefix="hfgui-debian12-")) / "root")
    try:
        root.bootstrap()
        shutil.copy(deb_build.deb, root.path / "tmp")
        install = root.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", f"./tmp/{deb_build.deb.name}"]
        )
        assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
        yield root
    finally:
        root.remove()
        shutil.rmtree(root.path.parent, ignore_errors=True)


def test_apt_installs_it_with_its_depends_on_a_debian_12_without_python(debian12: DebianRoot) -> None:
    status = debian12.run(["dpkg-query", "-W", "-f", "${Status} ${Version}", "hfgui"])
    assert status.stdout == f"install ok installed {__version__}", status.stderr
    assert not list((debian12.path / "usr/bin").glob("python3*")), "the bundle must not need a system Python"
    command = debian12.path / "usr/bin/hfgui"
    assert command.readlink() == Path("/opt/hfgui/hfgui") and (debian12.path / "opt/hfgui/hfgui").is_file()
    assert (debian12.path / f"usr/share/applications/{APP_ID}.desktop").is_file()


def test_installed_self_test_passes(debian12: DebianRoot) -> None:
    bus = _session_bus()
    env = {**APP_ENV, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={bus[0]}"} if bus else APP_ENV
    result = debian12.run(["hfgui", "--self-test"], env=env, sockets=bus)
    line = result.stdout.strip()
    assert result.returncode == 0, f"{line} {result.stderr.strip()}"
    assert line.startswith(f"hfgui {__version__} self-test ok: window (offscreen), ")
    assert f"catalog {len(load_builtin_catalog())} models" in line and "data dir writable" in line
    if os.environ.get("HFGUI_SECRET_SERVICE") == "1" and bus:
        # Proves the keyring backends made it into the frozen bundle as hidden imports.
        assert "keyring: SecretService" in line


def test_installed_app_loads_the_systems_openssl(debian12: DebianRoot) -> None:
    # The self-test imports requests, hence ssl; the dynamic loader names every library it initialises.
    result = debian12.run(["hfgui", "--self-test"], env={**APP_ENV, "LD_DEBUG": "libs"})
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = re.findall(r"calling init: (\S+)", result.stderr)
    for library in ("libssl.so.3", "libcrypto.so.3"):
        paths = [path for path in loaded if path.endswith("/" + library)]
        assert paths, f"{library} was not loaded"
        assert all(re.fullmatch(r"/(usr/)?lib/x86_64-linux-gnu/" + re.escape(library), p) for p in paths), (
            paths
        )
    assert any("/opt/hfgui/" in path for path in loaded)  # the bundle's own libraries do load from /opt


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed (apt-get install xvfb)")
def test_installed_window_opens_on_a_real_x_display(debian12: DebianRoot) -> None:
    # The xcb platform plugin loads against the X libraries apt installed from Depends.
    result = debian12.run(["hfgui", "--self-test", "--show"], env=APP_ENV, x_display=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(f"hfgui {__version__} self-test ok: window, catalog ")


def test_removal_leaves_no_file_behind(debian12: DebianRoot) -> None:
    # Last in this module: the other tests need the package installed.
    removal = debian12.run(["apt-get", "remove", "-y", "-q", "hfgui"])
    assert removal.returncode == 0, removal.stderr
    for path in (
        "opt/hfgui",
        "usr/bin/hfgui",
        f"usr/share/applications/{APP_ID}.desktop",
        "usr/share/doc/hfgui",
    ):
        assert not (debian12.path / path).exists(), f"apt-get remove left /{path}"
