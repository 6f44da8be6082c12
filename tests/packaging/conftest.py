"""The packaging tests' shared build: the bundle and .deb made once per run in a private temporary folder.

Nothing lands in the checkout's build/ or dist/, two runs on one machine never share a file, and the
folder (about 600 MB: build venv, PyInstaller work files, bundle, package) is removed when the run ends.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hfgui import __version__
from tests.packaging.helpers import ROOT, DebBuild, run

# bundle_policy, elfinfo and runpath import one another by name, as they do when run by the build.
sys.path.insert(0, str(ROOT / "packaging" / "pyinstaller"))

BUILD_TOOLS = ("dpkg", "dpkg-deb", "dpkg-shlibdeps", "readelf", "help2man")


@pytest.fixture(scope="session")
def deb_build() -> Iterator[DebBuild]:
    missing = [tool for tool in BUILD_TOOLS if shutil.which(tool) is None]
    if not sys.platform.startswith("linux") or missing:
        needs = ", ".join(missing) or "dpkg-dev"
        pytest.skip(f"building the .deb needs Linux and {needs} (apt-get install dpkg-dev help2man)")
    work = Path(tempfile.mkdtemp(prefix="hfgui-deb-"))
    try:
        env = {
            **os.environ,
            # The build venv must come from a real interpreter, not from the test venv.
            "PYTHON": getattr(sys, "_base_executable", sys.executable),
            "HFGUI_BUILD_DIR": str(work / "build"),
            "HFGUI_DIST_DIR": str(work / "dist"),
            "PYINSTALLER_CONFIG_DIR": str(work / "pyinstaller-cache"),  # its binary cache, else in ~/.cache
            "HFGUI_DEB_COMPRESSION": "gzip",  # xz costs a minute on two cores and proves nothing more
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        absent = [folder for folder in (ROOT / "build", ROOT / "dist") if not folder.exists()]
        build = run([str(ROOT / "packaging/linux/build-deb.sh")], env=env, cwd=ROOT)
        assert build.returncode == 0, f"build-deb.sh failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
        assert not [folder for folder in absent if folder.exists()], "the build wrote into the checkout"
        arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        deb = work / "dist" / f"hfgui_{__version__}_{arch}.deb"
        assert deb.is_file(), build.stdout
        tree = work / "tree"
        unpack = run(["dpkg-deb", "-x", str(deb), str(tree)])
        assert unpack.returncode == 0, unpack.stderr
        yield DebBuild(deb, work / "dist" / "hfgui", work / "build" / "venv" / "bin" / "python", tree)
    finally:
        shutil.rmtree(work, ignore_errors=True)
