"""The macOS app and dmg: the iconset, LSMinimumSystemVersion, and build-dmg.sh's signing and stapling order.

macOS' tools cannot run here, so build-dmg.sh runs against a stand-in hfgui.app with stand-ins for uname,
codesign, xcrun, ditto and hdiutil that record their calls.
"""

from __future__ import annotations

import os
import plistlib
import struct
import sys
from pathlib import Path

import macos_minimum

from hfgui import __version__
from tests.packaging.helpers import APP_ID, ROOT, run

APPLE_ICONSET = {
    "icon_16x16.png": 16,
    "icon_16x16@2x.png": 32,
    "icon_32x32.png": 32,
    "icon_32x32@2x.png": 64,
    "icon_128x128.png": 128,
    "icon_128x128@2x.png": 256,
    "icon_256x256.png": 256,
    "icon_256x256@2x.png": 512,
    "icon_512x512.png": 512,
    "icon_512x512@2x.png": 1024,
}
BUILD_DMG = ROOT / "packaging" / "macos" / "build-dmg.sh"


def test_iconset_has_every_size_up_to_1024_px(tmp_path: Path) -> None:
    out = tmp_path / "hfgui.iconset"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    result = run([sys.executable, str(ROOT / "packaging/macos/iconset.py"), str(out)], env=env)
    assert result.returncode == 0, result.stderr
    sizes = {}
    for png in out.iterdir():
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        sizes[png.name] = struct.unpack(">II", data[16:24])
    assert sizes == {name: (px, px) for name, px in APPLE_ICONSET.items()}


def test_minimum_macos_is_the_highest_wheel_tag() -> None:
    tags = [
        "cp310-abi3-macosx_13_0_universal2",  # PySide6-Essentials 6.11: Qt 6.11 needs macOS 13
        "cp37-abi3-macosx_10_9_universal2",
        "cp311-cp311-macosx_11_0_arm64",
        "cp310-abi3-manylinux_2_34_x86_64",
    ]
    assert macos_minimum.minimum_from_tags(tags) == "13.0"
    assert (
        macos_minimum.minimum_from_tags(["cp310-abi3-macosx_10_13_x86_64", "cp39-abi3-macosx_10_9_x86_64"])
        == "10.13"
    )
    assert macos_minimum.minimum_from_tags(["py3-none-any", "cp310-abi3-win_amd64"]) is None


def test_spec_takes_the_minimum_macos_from_the_wheels() -> None:
    spec = (ROOT / "packaging/pyinstaller/hfgui.spec").read_text()
    assert '"LSMinimumSystemVersion": macos_minimum.minimum_macos(),' in spec


def _fake_mac(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """Stand-in tools on PATH and a stand-in dist/hfgui.app; returns the environment and the call log."""
    log = tmp_path / "calls.log"
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("codesign", "xcrun", "ditto", "hdiutil", "iconutil"):
        (tools / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> {log}\n')
    (tools / "uname").write_text("#!/bin/sh\necho Darwin\n")
    app = tmp_path / "dist" / "hfgui.app" / "Contents"
    (app / "MacOS").mkdir(parents=True)
    (app / "MacOS" / "hfgui").write_text(f'#!/bin/sh\necho "hfgui $*" >> {log}\n')
    info = {
        "CFBundleIdentifier": APP_ID,
        "CFBundleShortVersionString": __version__,
        "LSMinimumSystemVersion": "13.0",
    }
    (app / "Info.plist").write_bytes(plistlib.dumps(info))
    for script in [*tools.iterdir(), app / "MacOS" / "hfgui"]:
        script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MACOS_")}
    env |= {
        "PATH": f"{tools}:{os.environ['PATH']}",
        "HFGUI_SKIP_BUNDLE": "1",
        "HFGUI_BUILD_DIR": str(tmp_path / "build"),
        "HFGUI_DIST_DIR": str(tmp_path / "dist"),
        "PYTHON": sys.executable,
    }
    return env, log


def _calls(log: Path, tmp_path: Path) -> list[str]:
    return log.read_text().replace(str(tmp_path) + "/", "").splitlines()


def test_app_is_notarised_and_stapled_before_it_goes_into_the_dmg(tmp_path: Path) -> None:
    env, log = _fake_mac(tmp_path)
    env |= {"MACOS_SIGN_IDENTITY": "Developer ID Application: Test (TEAM)", "MACOS_NOTARY_PROFILE": "hfgui"}
    result = run(["sh", str(BUILD_DMG)], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert f"build-dmg: {APP_ID} {__version__} macOS >= 13.0" in result.stdout
    calls = _calls(log, tmp_path)
    app, dmg, zip_ = "dist/hfgui.app", f"dist/hfgui-{__version__}.dmg", "build/hfgui-app-notarise.zip"
    notarise = "--keychain-profile hfgui --wait"

    def index(call: str) -> int:
        assert call in calls, f"{call!r} not among {calls}"
        return calls.index(call)

    order = [
        index(
            "codesign --force --timestamp --options runtime --entitlements "
            f"{ROOT}/packaging/macos/entitlements.plist --sign Developer ID Application: Test (TEAM) {app}"
        ),
        index("hfgui --self-test"),
        index(f"ditto -c -k --keepParent {app} {zip_}"),
        index(f"xcrun notarytool submit {zip_} {notarise}"),
        index(f"xcrun stapler staple {app}"),
        index(f"xcrun stapler validate {app}"),
        next(i for i, call in enumerate(calls) if call.startswith("hdiutil create ")),
        index(f"codesign --force --timestamp --sign Developer ID Application: Test (TEAM) {dmg}"),
        index(f"xcrun notarytool submit {dmg} {notarise}"),
        index(f"xcrun stapler staple {dmg}"),
        index(f"xcrun stapler validate {dmg}"),
    ]
    assert order == sorted(order), calls


def test_without_credentials_nothing_is_signed_or_notarised(tmp_path: Path) -> None:
    env, log = _fake_mac(tmp_path)
    result = run(["sh", str(BUILD_DMG)], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    calls = _calls(log, tmp_path)
    assert [c.split()[0] for c in calls] == ["hfgui", "hdiutil"], calls
    assert "not signed" in result.stdout and "neither the app nor the dmg is notarised" in result.stdout


def test_notarising_without_a_signing_identity_is_refused(tmp_path: Path) -> None:
    env, log = _fake_mac(tmp_path)
    result = run(["sh", str(BUILD_DMG)], env={**env, "MACOS_NOTARY_PROFILE": "hfgui"}, cwd=tmp_path)
    assert result.returncode == 1 and "notarisation needs MACOS_SIGN_IDENTITY" in result.stderr
    assert not log.exists()
