#!/bin/sh
# Build dist/hfgui-<version>.dmg on macOS: .icns icon (iconutil), hfgui.app (PyInstaller BUNDLE with
# bundle id io.github.hfgui.HfGui, version and NSHighResolutionCapable from the spec), a smoke test of
# the frozen app, then the disk image (hdiutil) with an /Applications link.
#
# Signing and notarisation run only when their variables are set:
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)"  -> codesign --options runtime
#   MACOS_NOTARY_PROFILE  a notarytool keychain profile, created once with
#                         xcrun notarytool store-credentials hfgui --apple-id ID --team-id TEAMID
#                         -> xcrun notarytool submit --wait, then xcrun stapler staple
# PYTHON picks the interpreter for build/venv (default python3, needs >= 3.11 for tomllib).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ "$(uname -s)" = Darwin ] || { echo "build-dmg: run this on macOS (needs iconutil, hdiutil, codesign)" >&2; exit 1; }

version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' hfgui/__init__.py)"
icons="resources/icons"
app="dist/hfgui.app"
dmg="dist/hfgui-$version.dmg"
entitlements="packaging/macos/entitlements.plist"

# 1. Icon: an .iconset of the PNG sizes iconutil expects, scaled with sips from the 256 px icon.
iconset="build/hfgui.iconset"
rm -rf "$iconset" && mkdir -p "$iconset"
for size in 16 32 128 256; do
    sips -z "$size" "$size" "$icons/hfgui-256.png" --out "$iconset/icon_${size}x${size}.png" >/dev/null
    double=$((size * 2))
    if [ "$double" -le 256 ]; then
        sips -z "$double" "$double" "$icons/hfgui-256.png" --out "$iconset/icon_${size}x${size}@2x.png" >/dev/null
    fi
done
iconutil -c icns "$iconset" -o build/hfgui.icns

# 2. The .app (same venv + spec as Linux; the spec adds BUNDLE on macOS).
HFGUI_ICNS="$root/build/hfgui.icns" HFGUI_ENTITLEMENTS="$root/$entitlements" "$root/packaging/linux/build-bundle.sh"
/usr/libexec/PlistBuddy -c "Print :CFBundleIdentifier" "$app/Contents/Info.plist"

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

# 5. The disk image: the app plus a link to /Applications for drag-and-drop install.
staging="build/dmg"
rm -rf "$staging" "$dmg" && mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "hfgui $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
    [ -n "${MACOS_SIGN_IDENTITY:-}" ] || { echo "build-dmg: notarisation needs MACOS_SIGN_IDENTITY" >&2; exit 1; }
    xcrun notarytool submit "$dmg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
else
    echo "build-dmg: MACOS_NOTARY_PROFILE unset; the dmg is not notarised"
fi
echo "build-dmg: $dmg"
