"""Settings on three pages, each scrolling on a small screen: Account (the optional Hugging Face token,
validated and kept in the OS keyring), Downloads (library folder, parallel downloads, storage in the
Hugging Face cache, bandwidth limit) and Network (endpoint, proxy and CA bundle).
Every keyring, disk and network call runs on a worker."""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtWidgets

from hfgui.core.types import Account
from hfgui.gui.services import Services
from hfgui.gui.settings.account_page import AccountPage, TokenActions
from hfgui.gui.settings.common import (
    ERROR_STYLE,
    MESSAGE_ROOM,
    PAGE_ACCOUNT,
    PAGE_DOWNLOADS,
    PAGE_NETWORK,
    PREFERRED_WIDTH,
)
from hfgui.gui.settings.downloads_page import DownloadsPage
from hfgui.gui.settings.network_page import NetworkPage
from hfgui.gui.settings.saving import SettingsSaving
from hfgui.gui.widgets.screen_room import room_on_screen
from hfgui.gui.workers import TaskRunner

log = logging.getLogger(__name__)
DIALOG_FRAME = QtCore.QSize(40, 60)


class SettingsDialog(
    AccountPage, TokenActions, DownloadsPage, NetworkPage, SettingsSaving, QtWidgets.QDialog
):
    """Signals: token_changed(str) after a token was saved or removed, with the line that says so;
    settings_saved(object) with Settings."""

    token_changed = QtCore.Signal(str)
    settings_saved = QtCore.Signal(object)
    save_warning: str | None = None  # set before settings_saved when part of it could not be kept

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.services = services
        self.runner = runner
        self.keyring_available: bool | None = None
        self.last_account: Account | None = None

        # One page per subject, each scrolling on its own: the dialog fits small screens (1024×700 and
        # below) without cutting a field off.
        self.pages = QtWidgets.QTabWidget()
        self.pages.setDocumentMode(True)
        self._scrolls: dict[str, QtWidgets.QScrollArea] = {}
        for title, page in (
            (PAGE_ACCOUNT, self._account_page()),
            (PAGE_DOWNLOADS, self._downloads_page()),
            (PAGE_NETWORK, self._network_page()),
        ):
            scroll = QtWidgets.QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self._scrolls[title] = scroll
            self.pages.addTab(scroll, title)

        self.settings_error = QtWidgets.QLabel("")
        self.settings_error.setStyleSheet(ERROR_STYLE)
        self.settings_error.setWordWrap(True)

        box = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save_and_close)
        box.rejected.connect(self.reject)
        self.ok_button = box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.settings_error)
        layout.addWidget(box)
        self.resize(self._preferred_size().boundedTo(_room_on_screen(self)))

        self.refresh_token_status()
        self.refresh_free_space()

    # --- pages -----------------------------------------------------------------------------------

    def _preferred_size(self) -> QtCore.QSize:
        """Room for the tallest page without scrolling (plus a few lines for messages); the size hint
        itself stays small so the dialog may shrink to any screen."""
        content = max(scroll.widget().sizeHint().height() for scroll in self._scrolls.values())
        chrome = self.sizeHint().height() - self.pages.currentWidget().sizeHint().height()
        return QtCore.QSize(max(PREFERRED_WIDTH, self.sizeHint().width()), content + chrome + MESSAGE_ROOM)

    def show_page(self, title: str) -> None:
        """Bring the page ``title`` (PAGE_ACCOUNT, PAGE_DOWNLOADS, PAGE_NETWORK) to the front."""
        self.pages.setCurrentWidget(self._scrolls[title])

    def _reveal(self, title: str, widget: QtWidgets.QWidget) -> None:
        """Show the page holding ``widget`` and scroll it into view (a message the person must read)."""
        self.show_page(title)
        self._scrolls[title].ensureWidgetVisible(widget)


def _room_on_screen(widget: QtWidgets.QWidget) -> QtCore.QSize:
    """The available area of the screen the dialog opens on, less room for the window frame."""
    return room_on_screen(widget, DIALOG_FRAME, unknown=QtCore.QSize(PREFERRED_WIDTH, 600))
