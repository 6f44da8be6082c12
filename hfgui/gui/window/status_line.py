"""The status bar: one-line messages on the left, cut to the room they have, and the storage line on
the right (library folder, what models use, the free space). A mixin of MainWindow."""

from __future__ import annotations

from PySide6 import QtGui

from hfgui.core.errors import format_bytes
from hfgui.core.words import counted
from hfgui.gui.widgets.elided import ElidedLabel, elide_message


class StatusLine:
    """Needs from the window: library_state, free_space, tray, notifications."""

    def _build_status_line(self) -> None:
        self.storage_label = ElidedLabel()
        self.statusBar().addPermanentWidget(self.storage_label)
        self._show_storage()

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        """A status-bar message, cut with "…" to the room left of the storage line (whole in its tooltip;
        an address is dropped whole rather than cut mid-path)."""
        bar = self.statusBar()
        room = max(80, bar.width() - self.storage_label.width() - 40)
        shown = elide_message(bar.fontMetrics(), text, room)
        bar.setToolTip(text if shown != text else "")
        bar.showMessage(shown, timeout_ms)

    def notify(self, title: str, message: str) -> None:
        """A tray message when the tray icon is shown, else a status-bar message."""
        self.notifications.append((title, message))
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage(title, message)
        else:
            self.show_status(f"{title}: {message}", 10000)

    def _restored(self, resumed: list[str]) -> None:
        if resumed:
            self.show_status(f"Resuming {counted(len(resumed), 'interrupted download')}.", 10000)

    def _show_storage(self) -> None:
        state = self.library_state
        self.storage_label.setText(
            f"Library: {state.root}  ·  models use {format_bytes(state.used_bytes)}"
            f"  ·  {self.free_space.text()} on that disk"
        )

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self.storage_label.setMaximumWidth(max(200, int(self.width() * 0.45)))  # messages get the rest
