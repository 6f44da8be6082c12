"""The main window's life cycle: closing with downloads running asks to keep going in the system tray
or to pause and quit; quitting waits for workers so partial files are consistent for the next start.
A mixin of MainWindow: it uses the window's manager, panels, runner and tray."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.gui.window.geometry import remember_window

DOWNLOADS_STOP_MS = 10_000  # stopped downloads end within a chunk; this only bounds a stuck disk
BACKGROUND_STOP_MS = 1_500  # the window closes within 2 s whatever the network does


class LifeCycle:
    """Needs from the window: manager, library_panel, search_panel, runner, tray, tray_available(),
    ask(), quit_app() and the flag `_quitting`."""

    def quit_requested(self) -> None:
        """File → Quit (Ctrl+Q): like closing the window, then the whole app ends (tray icon too)."""
        self._quit_requested = True
        self.close()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if self._quitting or not self.manager.active_keys():
            self._quitting = self._quitting or self._quit_requested
            remember_window(self, self.services.paths.config_dir)
            self._shutdown()
            event.accept()
            return
        event.ignore()
        self._quit_requested = False  # "Pause and quit" quits by itself; the other answers stay open
        count = len(self.manager.active_keys())
        buttons: list[tuple[str, Callable[[], None] | None]] = []
        if self.tray_available():
            buttons.append(("Keep downloading in the tray", self.hide_to_tray))
        buttons += [("Pause and quit", self.pause_and_quit), ("Don't quit", None)]
        self.ask(
            "Downloads in progress",
            f"{_still_running(count)} Partial files are kept, so paused downloads resume later.",
            tuple(buttons),
        )

    def hide_to_tray(self) -> None:
        if self.tray is None:
            self.tray = QtWidgets.QSystemTrayIcon(self.windowIcon(), self)
            menu = QtWidgets.QMenu(self)
            menu.addAction("Show hfgui", self.show_from_tray)
            menu.addAction("Pause and quit", self.pause_and_quit)
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(lambda _reason: self.show_from_tray())
            self.tray_menu = menu
        self.tray.setToolTip("hfgui — downloading")
        self.tray.show()
        self.hide()

    def launched_again(self, args: list[str]) -> None:
        """hfgui was started again while this window runs: come to the front, open what it named."""
        self.show_from_tray()
        addresses = [arg for arg in args if not arg.startswith("-")]
        if addresses:
            self.open_addresses(addresses)

    def show_from_tray(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def pause_and_quit(self) -> None:
        """Stop every download keeping partials (they resume on the next start), then close."""
        self._quitting = True
        self.show_status("Pausing downloads…")
        if self.manager.stop_all("quit") == 0:
            self.close()
            return
        self.manager.activity_changed.connect(self._close_when_stopped)

    def _close_when_stopped(self, _count: int) -> None:
        if self.manager.running_count() == 0:
            self.close()

    def _shutdown(self) -> None:
        # Downloads were stopped (or none ran): wait for them so their partial files are consistent.
        self.services.closing.set()  # background requests stop retrying at once
        self.manager.save_queue()
        self.manager.wait_idle(DOWNLOADS_STOP_MS)
        self.wait_for_background(BACKGROUND_STOP_MS)
        if self.tray is not None:
            self.tray.hide()
        if self._quitting:
            self.quit_app()

    def wait_for_background(self, msecs: int) -> bool:
        """Wait up to ``msecs`` in all for the short background tasks (sizes, scans, searches); True when
        all ended. They only read: one still blocked in a network read may be abandoned at exit."""
        deadline = QtCore.QDeadlineTimer(msecs)
        waits = (
            self.library_panel.shutdown,
            self.search_panel.wait_idle,
            self.runner.wait,
            self.sizes.wait,
            self.hub_watch.wait,
        )
        return all([wait(max(0, deadline.remainingTime())) for wait in waits])


def _still_running(count: int) -> str:
    return "1 download is still running." if count == 1 else f"{count} downloads are still running."
