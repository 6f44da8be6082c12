#!/bin/sh
# Build the one-folder PyInstaller bundle (dist/hfgui/) from the dedicated, cached build venv (build/venv,
# made by build-venv.sh: only hfgui's runtime dependencies plus PyInstaller); hfgui itself is taken from
# this checkout.
# Afterwards (Linux) run paths pointing outside the bundle are stripped (packaging/pyinstaller/runpath.py)
# and the bundle is checked: no library copied from the system's /usr/lib or /lib but libpython, no symbol
# version newer than Ubuntu 22.04's glibc (see packaging/pyinstaller/bundle_policy.py).
#
# Environment: PYTHON (interpreter for the venv, default python3), PYINSTALLER_SPEC (default
# packaging/pyinstaller/hfgui.spec), HFGUI_BUILD_DIR (default build), HFGUI_DIST_DIR (default dist).
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
build_dir="${HFGUI_BUILD_DIR:-$root/build}"
dist_dir="${HFGUI_DIST_DIR:-$root/dist}"
venv="$build_dir/venv"

"$root/packaging/linux/build-venv.sh"
"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath "$build_dir/pyinstaller" --distpath "$dist_dir" \
    "${PYINSTALLER_SPEC:-packaging/pyinstaller/hfgui.spec}"

if [ "$(uname -s)" = Linux ]; then
    "$venv/bin/python" packaging/pyinstaller/runpath.py strip "$dist_dir/hfgui"
fi
"$venv/bin/python" packaging/pyinstaller/bundle_policy.py check "$dist_dir/hfgui"
echo "build-bundle: $(du -sh "$dist_dir/hfgui" | cut -f1) in $dist_dir/hfgui"
