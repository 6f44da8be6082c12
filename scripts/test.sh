#!/bin/sh
# Install hfgui with its test extras into ./.venv and run lint plus the whole test suite.
# Where gnome-keyring is installed, the suite runs inside a private D-Bus session with an unlocked
# Secret Service so the keyring tests use a real OS keyring.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
export QT_QPA_PLATFORM=offscreen
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    exec dbus-run-session -- sh -c '
        printf %s hfgui-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        HFGUI_SECRET_SERVICE=1 exec .venv/bin/python -m pytest "$@"' sh "$@"
fi
exec .venv/bin/python -m pytest "$@"
