"""What the PyInstaller spec keeps in and drops from the bundle (packaging/pyinstaller/bundle_policy.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parents[2] / "packaging/pyinstaller/bundle_policy.py"
_spec = importlib.util.spec_from_file_location("bundle_policy", _path)
assert _spec and _spec.loader
policy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(policy)

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
        (f"{QT}/lib/libQt6Network.so.6", False),
        (f"{QT}/lib/libQt6Widgets.so.6", True),
        (f"{QT}/lib/libQt6XcbQpa.so.6", True),
        (f"{QT}/qml/QtQuick/Controls/qmldir", False),
        (f"{QT}/translations/qtbase_de.qm", True),
        (f"{QT}/translations/qtdeclarative_de.qm", False),
        ("resources/catalog.json", True),
    ],
)
def test_qt_files_kept_or_dropped(dest: str, kept: bool) -> None:
    assert policy.keep_entry(dest) is kept


def test_system_libraries_stay_out_except_pythons_own() -> None:
    assert not policy.keep_binary("libfontconfig.so.1", "/usr/lib/x86_64-linux-gnu/libfontconfig.so.1")
    assert not policy.keep_binary("libxcb-cursor.so.0", "/lib/x86_64-linux-gnu/libxcb-cursor.so.0")
    assert policy.keep_binary("libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3")
    assert policy.keep_binary("libpython3.11.so.1.0", "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0")
    # Wheels and the interpreter's own extension modules are never "system" libraries.
    assert policy.keep_binary("PySide6/Qt/lib/libQt6Gui.so.6", "/venv/lib/python3.11/site-packages/x.so")
    assert policy.keep_binary("lib-dynload/_ssl.so", "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311.so")
