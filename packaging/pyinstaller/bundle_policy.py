"""What goes into the frozen bundle: Qt modules/plugins to drop, system libraries allowed, a post-build check.

Used twice: `hfgui.spec` imports it to filter PyInstaller's Analysis, and `python bundle_policy.py check
dist/hfgui` verifies a finished bundle (run by packaging/linux/build-bundle.sh). Standard library only (plus
its neighbours elfinfo.py and runpath.py), so it runs under any interpreter.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import elfinfo  # packaging/pyinstaller/ is sys.path[0] when run as a script and put there by the spec
import runpath

# Qt bindings hfgui never imports (HTTP goes through requests in hfgui.core; QtNetwork is kept only for the
# local socket that makes one window per user, gui/window/single_instance.py); excluding
# them keeps PyInstaller's hooks from collecting their libraries, QML files and plugins. Most are not in
# PySide6-Essentials at all: listed so a full PySide6 in the build venv cannot bloat the bundle either.
EXCLUDED_QT_MODULES = [
    f"PySide6.{name}"
    for name in (
        "Qt3DAnimation Qt3DCore Qt3DExtras Qt3DInput Qt3DLogic Qt3DRender QtBluetooth QtCharts "
        "QtConcurrent QtDataVisualization QtDesigner QtGraphs QtGraphsWidgets QtHelp QtHttpServer "
        "QtLabsStyleKit QtLocation QtMultimedia QtMultimediaWidgets QtNfc QtOpenGL "
        "QtOpenGLWidgets QtPdf QtPdfWidgets QtPositioning QtPrintSupport QtQml QtQmlFeatures "
        "QtQuick QtQuick3D QtQuickControls2 QtQuickTest QtQuickWidgets QtRemoteObjects QtScxml "
        "QtSensors QtSerialBus QtSerialPort QtSpatialAudio QtSql QtStateMachine QtTest "
        "QtTextToSpeech QtUiTools QtWebChannel QtWebEngineCore QtWebEngineQuick QtWebEngineWidgets "
        "QtWebSockets QtWebView QtXml"
    ).split()
]
EXCLUDED_PY_MODULES = ["tkinter", "_tkinter", "unittest", "pydoc_data", "test", "lib2to3", "idlelib"]

# Plugins kept, per plugin folder (file stem without the "lib"/"q" prefixes matched by regex). Folders not
# listed are dropped entirely (sqldrivers, qmltooling, printsupport, generic, egldeviceintegrations, ...).
KEEP_PLUGINS: dict[str, str] = {
    "platforms": r"(lib)?q(xcb|offscreen|wayland|minimal|cocoa|windows|direct2d)\b.*",
    "platformthemes": r"(lib)?q?xdgdesktopportal.*",  # no gtk3 theme: it would drag GTK into Depends
    "platforminputcontexts": r"(lib)?(compose|ibus)platforminputcontextplugin.*",  # dead keys, CJK input
    "imageformats": r"(lib)?q(svg|ico|icns)\b.*",  # PNG/JPEG decoding for icons is built into QtGui
    "iconengines": r"(lib)?qsvgicon.*",
    "styles": r".*",  # only exists on Windows/macOS (native style)
    "xcbglintegrations": r".*",
    "wayland-shell-integration": r"(lib)?xdg-shell.*",
    "wayland-decoration-client": r".*",
    "wayland-graphics-integration-client": r"(lib)?qt-plugin-wayland-egl.*",
}

# Qt libraries that only the dropped plugins and modules use.
_DROPPED_QT_LIB = re.compile(
    r"(lib)?Qt6(Qml|Quick|VirtualKeyboard|Pdf|OpenGLWidgets|PrintSupport|Sql|Test|Designer|Help|UiTools|"
    r"LabsStyleKit|WaylandCompositor|WaylandEgl(Compositor|Client)HwIntegration|WlShellIntegration|EglFS|EglFs|"
    r"Xml|Concurrent)\w*\.(so|dylib|dll)[.\d]*"
)
# Interpreter extension modules with a pure-Python fallback that pyenv's build links without libc (lintian:
# library-not-linked-against-libc); `uuid` and `statistics` work without them, and libuuid leaves Depends.
_DROPPED_EXTENSION = re.compile(r"_(uuid|statistics)\.cpython-[-\w]+\.so")
_PLUGIN_DIR = re.compile(r"(?:^|/)Qt6?/plugins/([^/]+)/([^/]+)$")

# Libraries from the build machine's /usr/lib or /lib allowed into the bundle: only libpython (neither
# Ubuntu 22.04 nor Debian 12 ships the 3.11 we build with). Everything else - OpenSSL, libffi, zlib, bz2,
# lzma, expat, X11/xcb, GL/EGL, fontconfig, glib, dbus, ... - comes from the target system through the
# package's Depends: a copy would carry the build machine's glibc needs and miss the distribution's
# security updates (OpenSSL above all).
SYSTEM_LIB_ALLOWLIST = re.compile(r"libpython3\b[-.\w]*\.so[.\d]*")
SYSTEM_LIB_DIRS = ("/usr/lib", "/lib", "/usr/lib64", "/lib64", "/usr/local/lib")


def keep_entry(dest: str) -> bool:
    """Whether a collected file (its path inside the bundle) belongs in the bundle."""
    dest = dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    if _DROPPED_QT_LIB.fullmatch(name) or _DROPPED_EXTENSION.fullmatch(name):
        return False
    plugin = _PLUGIN_DIR.search(dest)
    if plugin:
        folder, file = plugin.groups()
        pattern = KEEP_PLUGINS.get(folder)
        return pattern is not None and re.fullmatch(pattern, file) is not None
    # Qt's QML tree and non-base translations are only needed by modules we exclude.
    if "/Qt/qml/" in dest or "/Qt6/qml/" in dest:
        return False
    if "/translations/" in dest and name.endswith(".qm") and not name.startswith("qtbase_"):
        return False
    return True


def is_system_library(src: str | None) -> bool:
    """True for a shared library that comes from the OS (not from the venv or Python's own stdlib)."""
    if not src:
        return False
    path = os.path.realpath(src)
    if "/python3" in path and "/lib-dynload/" in path:
        return False  # the interpreter's own extension modules
    return path.startswith(tuple(d + "/" for d in SYSTEM_LIB_DIRS))


def keep_binary(dest: str, src: str | None) -> bool:
    if not keep_entry(dest):
        return False
    if is_system_library(src) and not SYSTEM_LIB_ALLOWLIST.fullmatch(os.path.basename(dest)):
        return False
    return True


# --- post-build check ---------------------------------------------------------------------------

# Newest symbol versions a bundled ELF file may need: what Ubuntu 22.04 LTS has (glibc 2.35, libstdc++ of
# GCC 12), the oldest system the .deb supports; Debian 12 has glibc 2.36 and the same libstdc++.
SYMBOL_VERSION_FLOOR = {"GLIBC": (2, 35), "GLIBCXX": (3, 4, 30), "CXXABI": (1, 3, 13)}


def too_new(needs: dict[str, set[str]]) -> list[str]:
    """The needed symbol versions (of `elfinfo.version_needs`) above SYMBOL_VERSION_FLOOR."""
    found = []
    for versions in needs.values():
        for version in versions:
            family = version.partition("_")[0]
            floor = SYMBOL_VERSION_FLOOR.get(family)
            if floor is not None and elfinfo.version_key(version) > floor:
                found.append(version)
    return sorted(set(found), key=lambda v: (v.partition("_")[0], elfinfo.version_key(v)))


def check_bundle(bundle: Path) -> list[str]:
    """Problems with a finished Linux bundle: stray system libraries, a missing bundled Qt library, symbol
    versions newer than the oldest supported system, run paths pointing outside the bundle."""
    problems = []
    elves = list(elfinfo.elf_files(bundle))
    present = {p.name for p in bundle.rglob("*")}
    system_names = set()
    for directory in SYSTEM_LIB_DIRS:
        for sub in (Path(directory), *Path(directory).glob("*-linux-gnu")):
            if sub.is_dir():
                system_names.update(p.name for p in sub.iterdir())
    for elf in elves:
        rel = elf.relative_to(bundle).as_posix()
        from_wheel_or_interpreter = "PySide6/" in rel or "shiboken6/" in rel or "/lib-dynload/" in rel
        if not from_wheel_or_interpreter and elf.name in system_names:
            if not SYSTEM_LIB_ALLOWLIST.fullmatch(elf.name):
                problems.append(f"{rel}: copied from the build machine's system libraries (not allowed)")
        for soname in elfinfo.needed(elf):
            if re.match(r"lib(Qt6|pyside6|shiboken6)", soname) and soname not in present:
                problems.append(f"{rel}: needs {soname}, which the bundle lacks")
        newer = too_new(elfinfo.version_needs(elf))
        if newer:
            problems.append(f"{rel}: needs {', '.join(newer)}, newer than Ubuntu 22.04 has")
        foreign = runpath.foreign_entries(elf, bundle)
        if foreign:
            problems.append(f"{rel}: run path {':'.join(foreign)} points outside the bundle")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "check":
        print("usage: bundle_policy.py check BUNDLE_DIR", file=sys.stderr)
        return 2
    if not sys.platform.startswith("linux"):
        print("bundle_policy: the library check only runs on Linux; skipped")
        return 0
    problems = check_bundle(Path(argv[1]))
    for problem in problems:
        print(f"bundle_policy: {problem}", file=sys.stderr)
    if problems:
        print(f"bundle_policy: {len(problems)} problem(s); see packaging/README.md", file=sys.stderr)
        return 1
    print(
        "bundle_policy: no stray system libraries, every bundled Qt library present, glibc <= 2.35, "
        "no run path outside the bundle"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
