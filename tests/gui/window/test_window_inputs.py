"""Every action of the main window, used the way a person uses it: the tool button, the menu bar, the
shortcut and the context menu. A slot that chokes on what its signal passes (Add model… once crashed on
`triggered(checked)`) or an action that cannot be reached fails here."""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, make_window, populate, settle
from tests.gui.inputs import (
    answer,
    choose,
    menu_bar_choose,
    open_context_menu,
    press,
    toolbar_click,
    visible_menu,
)

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"

# Every action of the window, by object name; the test below must use each one of them.
ACTIONS = {
    "add",
    "import",
    "settings",
    "quit",
    "download",
    "start",  # the toolbar's Download / Resume / Retry button
    "pause",
    "resume",
    "cancel",
    "retry",
    "delete",
    "reveal",
    "hub-page",
    "remove-entry",
    "about",
}


def window_actions(window) -> dict[str, QtGui.QAction]:
    """The window's own actions (not the menus' titles nor the toolbar's show/hide toggle)."""
    found = {}
    for action in window.findChildren(QtGui.QAction):
        if action.parent() is window and action.menu() is None and not action.isSeparator():
            found[action.objectName()] = action
    return found


def status(window, key: str = KEY) -> Status:
    return window.model.state(key).status


def row_index(window, key: str = KEY):
    return window.proxy.mapFromSource(window.model.index_of(key))


def test_every_action_is_known_to_this_test(hub_env, qtbot):
    window = make_window(qtbot, start=False)
    assert set(window_actions(window)) == ACTIONS


def test_every_action_runs_through_its_button_menu_shortcut_and_context_menu(hub_env, qtbot, tmp_path):
    populate(hub_env)
    opened: list[QtCore.QUrl] = []
    quits: list[int] = []
    picked = tmp_path / "model.gguf"
    window = make_window(
        qtbot,
        opened,
        quit_app=lambda: quits.append(1),
        pick_file=lambda _parent, _kind, _start: str(picked),
    )
    used: set[str] = set()
    for name, action in window_actions(window).items():
        action.triggered.connect(lambda _checked=False, name=name: used.add(name))
    qtbot.waitUntil(lambda: window.model.state(KEY).size is not None, timeout=WAIT)

    # Dialogs: the tool button, the shortcut and the File menu each open them.
    for how in ("button", "shortcut", "menu"):
        if how == "button":
            toolbar_click(qtbot, window.toolbar, window.act_add)
        elif how == "shortcut":
            press(qtbot, window.view, "Ctrl+N")
        else:
            menu_bar_choose(qtbot, window, "File/Add model…")
        assert window.add_dialog is not None and window.add_dialog.isVisible(), how
        qtbot.keyClick(window.add_dialog, QtCore.Qt.Key.Key_Escape)
        assert not window.add_dialog.isVisible()
    for open_it in (
        lambda: toolbar_click(qtbot, window.toolbar, window.act_import),
        lambda: press(qtbot, window.view, "Ctrl+I"),
        lambda: menu_bar_choose(qtbot, window, "File/Import…"),
    ):
        open_it()
        assert window.import_dialog is not None and window.import_dialog.isVisible()
        window.import_dialog.reject()
    for open_it in (
        lambda: toolbar_click(qtbot, window.toolbar, window.act_settings),
        lambda: press(qtbot, window.view, "Ctrl+,"),
        lambda: menu_bar_choose(qtbot, window, "File/Settings…"),
    ):
        open_it()
        assert window.settings_dialog is not None and window.settings_dialog.isVisible()
        qtbot.waitUntil(lambda: window.settings_dialog.keyring_available is not None, timeout=WAIT)
        window.settings_dialog.reject()
    menu_bar_choose(qtbot, window, "Help/About hfgui")
    assert window.pending_dialog is not None and "hfgui" in window.pending_dialog.text()
    answer(qtbot, window.pending_dialog, "Close")

    # A model: selected by a click, opened on the Hub from the toolbar.
    qtbot.mouseClick(window.view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=_centre(window))
    assert window.selected_key() == KEY
    toolbar_click(qtbot, window.toolbar, window.act_open_hub)
    assert opened[-1].toString().endswith("/demo/coreml-tiny")

    # Download (Ctrl+D), Pause (Model menu), Resume (the toolbar's start button says so), Resume
    # again (Model menu), Cancel kept (context menu).
    hub_env.faults.stall(WEIGHTS, after_bytes=1_000_000, seconds=30, times=None)
    press(qtbot, window.view, "Ctrl+D")
    qtbot.waitUntil(lambda: status(window) is Status.DOWNLOADING, timeout=WAIT)
    menu_bar_choose(qtbot, window, "Model/Pause")
    qtbot.waitUntil(lambda: status(window) is Status.PAUSED, timeout=WAIT)
    assert window.toolbar.widgetForAction(window.act_start).text() == "Resume"
    toolbar_click(qtbot, window.toolbar, window.act_start)
    qtbot.waitUntil(lambda: status(window) in (Status.QUEUED, Status.DOWNLOADING), timeout=WAIT)
    toolbar_click(qtbot, window.toolbar, window.act_pause)
    qtbot.waitUntil(lambda: status(window) is Status.PAUSED, timeout=WAIT)
    menu_bar_choose(qtbot, window, "Model/Resume")
    qtbot.waitUntil(lambda: status(window) in (Status.QUEUED, Status.DOWNLOADING), timeout=WAIT)
    open_context_menu(qtbot, window.view, row_index(window))
    choose(qtbot, visible_menu(), "Cancel")
    assert window.pending_dialog.windowTitle() == "Cancel download"
    answer(qtbot, window.pending_dialog, "Keep downloading")
    assert window.manager.is_active(KEY)
    hub_env.faults.clear()
    window.act_pause.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.PAUSED, timeout=WAIT)
    toolbar_click(qtbot, window.toolbar, window.act_start)
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)

    # Installed: Reveal (context menu), Delete (Del key, then kept).
    open_context_menu(qtbot, window.view, row_index(window))
    choose(qtbot, visible_menu(), "Reveal in file manager")
    assert opened[-1].isLocalFile() and opened[-1].toLocalFile().endswith("demo/coreml-tiny")
    press(qtbot, window.view, "Del")
    assert window.pending_dialog.windowTitle() == "Delete model"
    answer(qtbot, window.pending_dialog, "Keep")
    assert status(window) is Status.INSTALLED

    # Delete for real (Model menu), then a failure that Retry (Model menu) mends.
    menu_bar_choose(qtbot, window, "Model/Delete…")
    answer(qtbot, window.pending_dialog, "Delete")
    qtbot.waitUntil(lambda: status(window) is Status.AVAILABLE, timeout=WAIT)
    hub_env.faults.status(WEIGHTS, 404, times=None)
    menu_bar_choose(qtbot, window, "Model/Download")
    qtbot.waitUntil(lambda: status(window) is Status.FAILED, timeout=WAIT)
    assert window.toolbar.widgetForAction(window.act_start).text() == "Retry"
    hub_env.faults.clear()
    menu_bar_choose(qtbot, window, "Model/Retry")
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)

    # A model the user added: Remove from list (context menu).
    press(qtbot, window.view, "Ctrl+N")
    dialog = window.add_dialog
    hub_env.add_repo("fresh/new-model", files={"model.gguf": b"GGUF" + bytes(100)})
    qtbot.keyClicks(dialog.reference, "fresh/new-model")
    qtbot.keyClick(dialog.reference, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=WAIT)
    qtbot.keyClick(dialog.name_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    added = window.selected_key()
    assert window.model.state(added).entry.user_added
    open_context_menu(qtbot, window.view, row_index(window, added))
    choose(qtbot, visible_menu(), "Remove from list…")
    answer(qtbot, window.pending_dialog, "Remove")
    qtbot.waitUntil(lambda: window.model.state(added) is None, timeout=WAIT)

    # Quit (Ctrl+Q) with nothing running ends the app.
    settle(window, qtbot)
    press(qtbot, window.view, "Ctrl+Q")
    assert quits == [1] and not window.isVisible()
    assert used == ACTIONS


def test_quit_with_a_download_running_asks_like_closing(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_000_000, seconds=30, times=None)
    quits: list[int] = []
    window = make_window(qtbot, quit_app=lambda: quits.append(1))
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.DOWNLOADING, timeout=WAIT)
    press(qtbot, window.view, "Ctrl+Q")
    assert window.pending_dialog.windowTitle() == "Downloads in progress"
    answer(qtbot, window.pending_dialog, "Don't quit")
    assert quits == [] and window.isVisible() and window.manager.is_active(KEY)
    menu_bar_choose(qtbot, window, "File/Quit")
    answer(qtbot, window.pending_dialog, "Pause and quit")
    qtbot.waitUntil(lambda: quits == [1], timeout=WAIT)
    assert status(window) is Status.PAUSED
    hub_env.faults.clear()
    settle(window, qtbot)


def _centre(window) -> QtCore.QPoint:
    return window.view.visualRect(row_index(window)).center()
