"""Open the main window on the X display in $DISPLAY and print its properties as the X server has them.

    python x11_window_properties.py      # HFGUI_HOME must point to a scratch folder

Prints xprop's lines for WM_NAME, _NET_WM_NAME, WM_CLASS, _GTK_APPLICATION_ID and _KDE_NET_WM_DESKTOP_FILE:
what a window manager, a task bar and a Wayland compositor's X11 bridge use to name and match the window.
"""

from __future__ import annotations

import subprocess

from PySide6 import QtCore, QtTest

from hfgui.gui.app import build_main_window, make_application
from hfgui.gui.services import Services

PROPERTIES = ["WM_NAME", "_NET_WM_NAME", "WM_CLASS", "_GTK_APPLICATION_ID", "_KDE_NET_WM_DESKTOP_FILE"]


def main() -> None:
    app = make_application(["hfgui"])
    window = build_main_window(Services.from_environment())
    window.show()
    QtTest.QTest.qWaitForWindowExposed(window)
    app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents)
    xprop = ["xprop", "-id", str(int(window.winId())), *PROPERTIES]
    print(subprocess.run(xprop, capture_output=True, text=True, check=True).stdout, end="")


if __name__ == "__main__":
    main()
