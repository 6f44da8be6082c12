#!/bin/sh
# Build dist/hfgui-<version>.dmg on macOS: .icns icon (iconset rendered from the SVG up to 1024 px, then
# iconutil), hfgui.app (PyInstaller BUNDLE with bundle id io.github.hfgui.HfGui, version,
# NSHighResolutionCapable and LSMinimumSystemVersion from the spec), a smoke test of the frozen app, then
# the disk image (hdiutil) with an /Applications link.
#
# Signing and notarisation run only when their variables are set:
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)"  -> codesign --options runtime
#   MACOS_NOTARY_PROFILE  a notarytool keychain profile, created once with
#                         xcrun notarytool store-credentials hfgui --apple-id ID --team-id TEAMID
#                         -> the app is notarised and stapled before it goes into the dmg (so it passes
#                            Gatekeeper offline once copied out), then the dmg is notarised and stapled
# PYTHON picks the interpreter for build/venv (default python3, needs >= 3.11 for tomllib).
# HFGUI_SKIP_BUNDLE=1 reuses an existing dist/hfgui.app; HFGUI_BUILD_DIR, HFGUI_DIST_DIR move build/, dist/.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ "$(uname -s)" = Darwin ] || { echo "build-dmg: run this on macOS (needs iconutil, hdiutil, codesign)" >&2; exit 1; }
if [ -n "${MACOS_NOTARY_PROFILE:-}" ] && [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
    echo "build-dmg: notarisation needs MACOS_SIGN_IDENTITY" >&2
    exit 1
fi

version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' hfgui/__init__.py)"
build_dir="${HFGUI_BUILD_DIR:-$root/build}"
dist_dir="${HFGUI_DIST_DIR:-$root/dist}"
app="$dist_dir/hfgui.app"
dmg="$dist_dir/hfgui-$version.dmg"
entitlements="$root/packaging/macos/entitlements.plist"

notarise() {  # submit a zip or dmg to Apple's notary service and wait for the verdict
    xcrun notarytool submit "$1" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
}

if [ "${HFGUI_SKIP_BUNDLE:-0}" != 1 ] || [ ! -d "$app" ]; then
    # 1. Icon: every iconset size up to icon_512x512@2x (1024 px), rendered by the build venv's PySide6.
    "$root/packaging/linux/build-venv.sh"
    iconset="$build_dir/hfgui.iconset"
    rm -rf "$iconset"
    "$build_dir/venv/bin/python" packaging/macos/iconset.py "$iconset"
    iconutil -c icns "$iconset" -o "$build_dir/hfgui.icns"

    # 2. The .app (same venv + spec as Linux; the spec adds BUNDLE on macOS).
    HFGUI_ICNS="$build_dir/hfgui.icns" HFGUI_ENTITLEMENTS="$entitlements" "$root/packaging/linux/build-bundle.sh"
fi
"${PYTHON:-python3}" - "$app/Contents/Info.plist" <<'PY'
import plistlib, sys
with open(sys.argv[1], "rb") as f:
    info = plistlib.load(f)
print("build-dmg:", info["CFBundleIdentifier"], info["CFBundleShortVersionString"], "macOS >=", info["LSMinimumSystemVersion"])
PY

# 3. Sign: PyInstaller already signed every binary inside with the same identity and entitlements (the
#    spec reads MACOS_SIGN_IDENTITY); seal the app itself with the hardened runtime and verify.
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --options runtime --entitlements "$entitlements" \
        --sign "$MACOS_SIGN_IDENTITY" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
else
    echo "build-dmg: MACOS_SIGN_IDENTITY unset; the app is not signed (Gatekeeper will warn)"
fi

# 4. Smoke test the frozen app before packing it.
"$app/Contents/MacOS/hfgui" --self-test

# 5. Notarise the app and staple its ticket to it: a stapled app copied out of the dmg opens without
#    Gatekeeper asking Apple (offline, or after the dmg is gone).
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
    app_zip="$build_dir/hfgui-app-notarise.zip"
    rm -f "$app_zip"
    ditto -c -k --keepParent "$app" "$app_zip"
    notarise "$app_zip"
    xcrun stapler staple "$app"
    xcrun stapler validate "$app"
fi

# 6. The disk image: the (stapled) app plus a link to /Applications for drag-and-drop install.
staging="$build_dir/dmg"
rm -rf "$staging" "$dmg" && mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "hfgui $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
    notarise "$dmg"
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
else
    echo "build-dmg: MACOS_NOTARY_PROFILE unset; neither the app nor the dmg is notarised"
fi
echo "build-dmg: $dmg"
