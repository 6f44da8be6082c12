"""Settings fits small screens: three pages in tabs (Account, Downloads, Network), each scrolling, every
field reachable; the window's "Add token" and "Change folder" open the right page."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from hfgui.core.settings import load_settings
from hfgui.core.store.paths import AppPaths
from hfgui.gui.services import Services
from hfgui.gui.settings.settings_dialog import PAGE_ACCOUNT, PAGE_DOWNLOADS, PAGE_NETWORK, SettingsDialog
from hfgui.gui.workers import TaskRunner
from tests.gui.helpers import make_window, open_settings
from tests.gui.inputs import click, open_tab

WAIT = 60_000
SMALL_SCREEN = QtCore.QSize(1024, 700)
FRAME = QtCore.QSize(20, 60)  # title bar and borders the window manager adds


@pytest.fixture
def dialog(hub_env, qtbot):
    runner = TaskRunner(2)
    dlg = SettingsDialog(Services.from_environment(), runner)
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitUntil(lambda: dlg.keyring_available is not None, timeout=WAIT)
    yield dlg
    runner.wait(WAIT)


def current_title(dlg: SettingsDialog) -> str:
    return dlg.pages.tabText(dlg.pages.currentIndex())


def test_its_size_hint_fits_a_1024_by_700_screen(dialog):
    hint = dialog.sizeHint() + FRAME
    assert hint.width() <= SMALL_SCREEN.width() and hint.height() <= SMALL_SCREEN.height(), hint
    # Not even a 600-px screen is too small: what does not fit scrolls instead of being cut off.
    assert dialog.minimumSizeHint().height() + FRAME.height() <= 600


def test_each_page_opens_by_clicking_its_tab_and_shows_its_fields(dialog, qtbot):
    fields = {
        PAGE_ACCOUNT: [dialog.token_edit, dialog.validate_button, dialog.save_token_button],
        PAGE_DOWNLOADS: [
            dialog.library_edit,
            dialog.parallel_spin,
            dialog.use_hf_cache,
            dialog.bandwidth_spin,
        ],
        PAGE_NETWORK: [dialog.endpoint_edit, dialog.proxy_mode_combo, dialog.ca_bundle_edit],
    }
    assert [dialog.pages.tabText(i) for i in range(dialog.pages.count())] == list(fields)
    for title in (PAGE_NETWORK, PAGE_DOWNLOADS, PAGE_ACCOUNT):
        open_tab(qtbot, dialog.pages, title)
        assert all(widget.isVisible() for widget in fields[title]), title
        others = [w for t, ws in fields.items() if t != title for w in ws]
        assert not any(widget.isVisible() for widget in others), title


def test_a_small_dialog_scrolls_to_every_field(dialog, qtbot):
    dialog.resize(420, 260)  # smaller than any screen it should meet
    open_tab(qtbot, dialog.pages, PAGE_DOWNLOADS)
    scroll = dialog.pages.currentWidget()
    assert isinstance(scroll, QtWidgets.QScrollArea)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=WAIT)
    assert not scroll.horizontalScrollBar().isVisible()
    scroll.ensureWidgetVisible(dialog.auto_resume)
    click(qtbot, dialog.auto_resume)  # the last field is reachable and works
    assert not dialog.auto_resume.isChecked()


def test_a_network_problem_brings_the_network_page_forward(dialog, qtbot):
    open_tab(qtbot, dialog.pages, PAGE_NETWORK)
    dialog.set_proxy_mode("manual")
    dialog.proxy_url_edit.setText("ftp://proxy.example:21")
    open_tab(qtbot, dialog.pages, PAGE_ACCOUNT)
    click(qtbot, dialog.ok_button)
    assert current_title(dialog) == PAGE_NETWORK
    assert dialog.network_error.isVisible() and "not usable" in dialog.network_error.text()


def test_a_library_folder_problem_brings_the_downloads_page_forward(dialog, qtbot, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    open_tab(qtbot, dialog.pages, PAGE_DOWNLOADS)
    dialog.library_edit.setText(str(blocker))
    open_tab(qtbot, dialog.pages, PAGE_NETWORK)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.settings_error.text() != "", timeout=WAIT)
    assert current_title(dialog) == PAGE_DOWNLOADS and dialog.library_edit.isVisible()
    assert load_settings(AppPaths.from_environment()).library_dir is None


def test_the_window_opens_settings_on_the_account_page(hub_env, qtbot):
    window = make_window(qtbot, start=False)
    dialog = open_settings(qtbot, window)
    assert current_title(dialog) == PAGE_ACCOUNT and dialog.token_edit.isVisible()
    qtbot.waitUntil(lambda: dialog.keyring_available is not None, timeout=WAIT)
    open_tab(qtbot, dialog.pages, PAGE_NETWORK)
    dialog.focus_library()  # what "Change folder" after a full disk calls
    assert current_title(dialog) == PAGE_DOWNLOADS and dialog.library_edit.isVisible()
    dialog.focus_token()  # what "Add token" / "Fix token" call
    assert current_title(dialog) == PAGE_ACCOUNT and dialog.token_edit.isVisible()
    dialog.focus_network()  # where TLS errors send people ("Settings → Network")
    assert current_title(dialog) == PAGE_NETWORK and dialog.ca_bundle_edit.isVisible()
    dialog.reject()
    window.runner.wait(WAIT)
