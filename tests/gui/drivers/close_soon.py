"""Run the real app (hfgui.gui.app.main) and close its window after it has been up for a while, as a
person clicking the close button would; prints the moment it asked, so a test can time the exit.

    python -m tests.gui.drivers.close_soon SECONDS [ARGS...]
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore

from hfgui.gui import app


def main() -> int:
    delay = float(sys.argv[1])
    build = app.build_main_window

    def build_and_schedule(services):
        window = build(services)

        def close() -> None:
            print(f"closing at {time.monotonic():.3f}", flush=True)
            window.close()

        QtCore.QTimer.singleShot(int(delay * 1000), close)
        return window

    app.build_main_window = build_and_schedule
    return app.main(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
