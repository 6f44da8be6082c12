"""Start the desktop window: QApplication, services (paths, settings, token store) and the main window."""

from __future__ import annotations

import logging
import os
import sys

from PySide6 import QtCore, QtWidgets

from hfgui import __version__
from hfgui.gui.services import Services
from hfgui.gui.widgets.icons import app_icon
from hfgui.gui.window.geometry import place_window
from hfgui.gui.window.main_window import MainWindow
from hfgui.gui.window.single_instance import InstanceServer, hand_over, instance_name

log = logging.getLogger(__name__)


def build_main_window(services: Services) -> MainWindow:
    """The main window, ready to show; construction reads local files only (no network, no keyring)."""
    window = MainWindow(services)
    place_window(window, services.paths.config_dir)  # where it was, or whole on its screen
    return window


def make_application(argv: list[str]) -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv)
    app.setApplicationName("hfgui")
    app.setOrganizationName("hfgui")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.hfgui.HfGui")  # the .desktop file's id: the Wayland app id
    app.setWindowIcon(app_icon())
    return app


def main(argv: list[str] | None = None) -> int:
    """Open the window; ``argv`` (without the program name) may name models to open, e.g. Hub URLs.

    When a window is already open (same user, same HFGUI_HOME), it is brought up and given the models
    instead, and this process ends at once.
    """
    argv = list(sys.argv if argv is None else [sys.argv[0], *argv])
    app = make_application(argv)
    services = Services.from_environment()
    addresses = [arg for arg in argv[1:] if not arg.startswith("-")]
    name = instance_name(services.paths)
    if hand_over(name, addresses):
        return 0
    window = build_main_window(services)
    instance = listen_for_launches(window, name)
    window.show()
    # Library scan, sizes and interrupted downloads start once the window is on screen.
    QtCore.QTimer.singleShot(0, window.start_background)
    if addresses:
        QtCore.QTimer.singleShot(0, lambda: window.open_addresses(addresses))
    code = app.exec()
    instance.close()
    return finish(window, code)


def listen_for_launches(window: MainWindow, name: str) -> InstanceServer:
    """Later launches (see single_instance) bring this window up and hand it their models."""
    instance = InstanceServer(name, window)
    instance.launched.connect(window.launched_again)
    instance.listen()
    return instance


def finish(window: MainWindow, code: int) -> int:
    """The event loop ended (the window closed, downloads stopped). A background request still blocked
    in a network read (a Hub that accepts connections and never answers) would keep the process alive
    until its timeout, since Qt waits for pool threads at exit: end the process instead. Nothing is
    lost — those tasks only read, and downloads were stopped and waited for when the window closed."""
    if window.wait_for_background(200):
        return code
    log.warning("Background requests still running at exit; not waiting for them")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
