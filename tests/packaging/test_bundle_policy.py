"""What the PyInstaller spec keeps in and drops from the bundle, and how the post-build check reads ELF files
(packaging/pyinstaller/bundle_policy.py, elfinfo.py, runpath.py; conftest.py puts them on sys.path)."""

from __future__ import annotations

import sys
from pathlib import Path

import bundle_policy as policy
import elfinfo
import pytest
import runpath

QT = "PySide6/Qt"


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        (f"{QT}/plugins/platforms/libqxcb.so", True),
        (f"{QT}/plugins/platforms/libqoffscreen.so", True),
        (f"{QT}/plugins/platforms/libqwayland.so", True),
        (f"{QT}/plugins/platforms/qwindows.dll", True),
        (f"{QT}/plugins/platforms/libqcocoa.dylib", True),
        (f"{QT}/plugins/platforms/libqeglfs.so", False),
        (f"{QT}/plugins/platforms/libqvnc.so", False),
        (f"{QT}/plugins/imageformats/libqsvg.so", True),
        (f"{QT}/plugins/imageformats/libqjpeg.so", False),
        (f"{QT}/plugins/iconengines/libqsvgicon.so", True),
        (f"{QT}/plugins/platformthemes/libqgtk3.so", False),
        (f"{QT}/plugins/platformthemes/libqxdgdesktopportal.so", True),
        (f"{QT}/plugins/sqldrivers/libqsqlite.so", False),
        (f"{QT}/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        (f"{QT}/lib/libQt6Quick.so.6", False),
        (f"{QT}/lib/libQt6Network.so.6", True),  # the local socket of one window per user
        (f"{QT}/plugins/tls/libqopensslbackend.so", False),  # HTTP goes through requests, not Qt
        (f"{QT}/lib/libQt6Widgets.so.6", True),
        (f"{QT}/lib/libQt6XcbQpa.so.6", True),
        (f"{QT}/qml/QtQuick/Controls/qmldir", False),
        (f"{QT}/translations/qtbase_de.qm", True),
        (f"{QT}/translations/qtdeclarative_de.qm", False),
        ("resources/catalog.json", True),
        # Interpreter extensions with a pure-Python fallback, linked without libc by pyenv's build.
        ("python3.11/lib-dynload/_uuid.cpython-311-x86_64-linux-gnu.so", False),
        ("python3.11/lib-dynload/_statistics.cpython-311-x86_64-linux-gnu.so", False),
        ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", True),
    ],
)
def test_qt_files_kept_or_dropped(dest: str, kept: bool) -> None:
    assert policy.keep_entry(dest) is kept


def test_system_libraries_stay_out_except_libpython() -> None:
    assert not policy.keep_binary("libfontconfig.so.1", "/usr/lib/x86_64-linux-gnu/libfontconfig.so.1")
    assert not policy.keep_binary("libxcb-cursor.so.0", "/lib/x86_64-linux-gnu/libxcb-cursor.so.0")
    # The distributions' OpenSSL, zlib, libffi, expat get their security updates only if not bundled.
    for name in (
        "libssl.so.3",
        "libcrypto.so.3",
        "libz.so.1",
        "libffi.so.8",
        "libexpat.so.1",
        "liblzma.so.5",
    ):
        assert not policy.keep_binary(name, f"/usr/lib/x86_64-linux-gnu/{name}"), name
    assert policy.keep_binary("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0")
    # Wheels and the interpreter's own extension modules are never "system" libraries.
    assert policy.keep_binary("PySide6/Qt/lib/libQt6Gui.so.6", "/venv/lib/python3.11/site-packages/x.so")
    assert policy.keep_binary("lib-dynload/_ssl.so", "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311.so")


def test_symbol_versions_above_ubuntu_22_04_are_reported() -> None:
    needs = {
        "libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.35", "GLIBC_2.36"},
        "libstdc++.so.6": {"GLIBCXX_3.4.30", "GLIBCXX_3.4.31", "CXXABI_1.3.13"},
        "libz.so.1": {"ZLIB_1.2.9"},
    }
    assert policy.too_new(needs) == ["GLIBC_2.36", "GLIBCXX_3.4.31"]
    assert policy.too_new({"libc.so.6": {"GLIBC_2.35", "GLIBC_2.4"}}) == []


def test_version_needs_are_read_from_a_real_elf_file() -> None:
    interpreter = Path(sys.executable).resolve()
    assert elfinfo.is_elf(interpreter)
    needs = elfinfo.version_needs(interpreter)
    assert any(name.startswith("libc.so") for name in needs)
    assert all(v.startswith("GLIBC_") for v in needs[next(n for n in needs if n.startswith("libc.so"))])
    assert elfinfo.version_key("GLIBC_2.3.4") == (2, 3, 4) < elfinfo.version_key("GLIBC_2.35")


@pytest.mark.parametrize(
    ("entry", "inside"),
    [
        ("$ORIGIN", True),
        ("$ORIGIN/../../lib", True),  # a Qt plugin's way to its libraries
        ("${ORIGIN}/../shiboken6/", True),
        ("$ORIGIN/../../../../../..", False),  # climbs out of the bundle
        ("/root/.pyenv/versions/3.11.7/lib", False),  # the build machine's interpreter
        ("lib", False),  # relative to the working directory
    ],
)
def test_run_path_entries_inside_and_outside_the_bundle(tmp_path: Path, entry: str, inside: bool) -> None:
    elf = tmp_path / "bundle" / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    target = runpath.resolve(entry, elf)
    assert (target is not None and target.is_relative_to(tmp_path / "bundle")) is inside
