"""`hfgui --self-test`: prove an installation works (window, catalog, resources, data, keyring), offline.

Runs the same way from a source install and from the frozen bundle, prints one line and returns 0, or
prints one line naming the failed check and returns 1. It opens the main window offscreen for about a
second unless ``--show`` (or HFGUI_SELFTEST_DISPLAY=1) asks for the real display. It never touches the
network: every connection or name lookup that is not loopback or a local socket is refused while it runs.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from hfgui import __version__, resources_dir

WINDOW_SECONDS = 1.0


class SelfTestFailure(Exception):
    """One check failed; the message is the second half of the one-line report."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--self-test":
        args = args[1:]
    show = "--show" in args or os.environ.get("HFGUI_SELFTEST_DISPLAY") == "1"
    if not show:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QGuiApplication exists
    elif _no_display():  # Qt would abort without a word
        print(
            f"hfgui {__version__} self-test FAILED: window: no display (DISPLAY and WAYLAND_DISPLAY "
            "are unset); run it without --show",
            file=sys.stderr,
        )
        return 1
    checks: list[tuple[str, Callable[[], str]]] = [
        ("catalog", check_catalog),
        ("resources", check_resources),
        ("data folders", check_data_folders),
        ("keyring", check_keyring),
        ("window", lambda: check_window(offscreen=not show)),
    ]
    results = []
    with no_network():
        for name, check in checks:
            try:
                results.append(check())
            except Exception as exc:  # any crash is a failed installation, reported on one line
                reason = " ".join(str(exc).split()) or type(exc).__name__
                print(f"hfgui {__version__} self-test FAILED: {name}: {reason}", file=sys.stderr)
                return 1
    window = results.pop()
    print(f"hfgui {__version__} self-test ok: {', '.join([window, *results])}")
    return 0


def _no_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# --- checks (each returns its part of the report line or raises) -----------------------------------


def check_resources() -> str:
    try:
        root = resources_dir()
    except FileNotFoundError as exc:
        raise SelfTestFailure(str(exc)) from None
    icons = [p for p in (root / "icons").glob("*") if p.suffix in (".svg", ".png", ".ico", ".icns")]
    if not icons:
        raise SelfTestFailure(f"no application icon in {root / 'icons'}; reinstall hfgui")
    return "resources"


def check_catalog() -> str:
    from hfgui.core.library.catalog import load_builtin_catalog

    entries = load_builtin_catalog()
    if not entries:
        raise SelfTestFailure("the built-in catalog is empty; reinstall hfgui")
    return f"catalog {len(entries)} models"


def check_data_folders() -> str:
    from hfgui.core.store.paths import AppPaths

    paths = AppPaths.from_environment()
    for folder in (paths.data_dir, paths.config_dir, paths.cache_dir):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".hfgui-selftest-"):
                pass
        except OSError as exc:
            raise SelfTestFailure(
                f"{folder} is not writable ({exc.strerror or exc}); fix its permissions or set HFGUI_HOME"
            ) from None
    return "data dir writable"


def check_keyring() -> str:
    """Name the keyring backend without reading any secret; no backend is reported, not a failure."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    backends = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    names = [_backend_label(b) for b in backends if not isinstance(b, fail.Keyring)]
    if not names:
        return "keyring: none (a token is kept for the session only)"
    return "keyring: " + "+".join(names)


def _backend_label(backend: Any) -> str:
    name = str(getattr(backend, "name", "") or type(backend).__name__)
    return name.removesuffix(" Keyring").replace(" ", "") or type(backend).__module__.rsplit(".", 1)[-1]


def check_window(*, offscreen: bool) -> str:
    """Build the real main window, as `hfgui` does, and keep it on screen for about a second.

    Background work (library scan, sizes, resuming downloads) is not started: it is not needed to
    prove the window works, and it could reach for the network.
    """
    from PySide6 import QtCore

    from hfgui.gui.app import build_main_window, make_application
    from hfgui.gui.services import Services

    problems: list[str] = []

    def on_qt_message(kind: Any, _context: Any, message: str) -> None:
        if kind in (QtCore.QtMsgType.QtCriticalMsg, QtCore.QtMsgType.QtFatalMsg):
            problems.append(f"Qt: {message}")

    def on_exception(kind: type[BaseException], exc: BaseException, _tb: Any) -> None:
        problems.append(f"{kind.__name__}: {exc}")

    previous_handler = QtCore.qInstallMessageHandler(on_qt_message)
    previous_hook, sys.excepthook = sys.excepthook, on_exception  # exceptions raised inside Qt slots
    try:
        app = make_application([sys.argv[0] or "hfgui"])
        window = build_main_window(Services.from_environment())
        window.show()
        shown: list[bool] = []

        def finish() -> None:
            shown.append(window.isVisible())  # before quit(), which closes every window
            app.quit()

        QtCore.QTimer.singleShot(int(WINDOW_SECONDS * 1000), finish)
        app.exec()
        window.close()
    finally:
        sys.excepthook = previous_hook
        QtCore.qInstallMessageHandler(previous_handler)
    if problems:
        raise SelfTestFailure(problems[0])
    if shown != [True]:
        raise SelfTestFailure("the main window did not stay open")
    return "window" + (" (offscreen)" if offscreen else "")


# --- network guard -------------------------------------------------------------------------------


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse non-loopback connections and name lookups from Python while the self-test runs."""
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
        def connect(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
                raise OSError(f"hfgui self-test does not use the network (refused {address[0]})")
            return method(self, address)

        return connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host):
            raise socket.gaierror(f"hfgui self-test does not use the network (refused lookup of {host})")
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded(original_connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded(original_connect_ex)  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex = original_connect, original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
