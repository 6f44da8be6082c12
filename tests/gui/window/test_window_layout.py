"""The window reads well at the sizes people's screens have: every toolbar button on screen (none behind
»), the repository column given the room, and status messages that never run into the storage line."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from hfgui.gui.models.models_model import ModelsModel
from tests.gui.helpers import make_window, populate

SIZES = [(1024, 700), (1280, 800), (1920, 1080)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_window_reads_well_at_common_sizes(hub_env, qtbot, width, height):
    populate(hub_env)
    window = make_window(qtbot, start=False)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width, timeout=5_000)
    qtbot.wait(20)  # the layout settles

    toolbar = window.toolbar
    extension = toolbar.findChild(QtWidgets.QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible(), "some actions hide behind »"
    for action in toolbar.actions():
        if action.isSeparator() or not action.isVisible() or toolbar.widgetForAction(action) is None:
            continue
        button = toolbar.widgetForAction(action)
        assert button.isVisible() and toolbar.rect().contains(button.geometry()), action.text()
    assert toolbar.widgetForAction(window.act_settings).isVisible()

    header = window.view.header()
    repo = header.sectionSize(ModelsModel.COL_REPO)
    status = header.sectionSize(ModelsModel.COL_STATUS)
    assert repo >= 180, f"the repository column is {repo} px"
    assert repo >= status * 0.8, (repo, status)
    shown = header.length()
    assert shown <= window.view.viewport().width() + 1, "columns wider than the view scroll sideways"

    long_message = "Download finished: " + "A very long model name " * 8 + "is installed and verified."
    window.show_status(long_message)
    bar = window.statusBar()
    text_width = bar.fontMetrics().horizontalAdvance(bar.currentMessage())
    assert text_width <= bar.width() - window.storage_label.width(), "the message runs into the storage line"
    assert bar.toolTip() == long_message  # the whole message stays readable


def test_a_cut_message_drops_an_address_whole_rather_than_mid_path(hub_env, qtbot):
    window = make_window(qtbot, start=False)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5_000)
    url = "https://huggingface.co/some-organisation/a-model-with-a-long-name-GGUF/blob/main/README.md"
    window.show_status("Could not open that address: " + url + " — check the spelling " + "x" * 200)
    shown = window.statusBar().currentMessage()
    assert url in shown or "huggingface.co" not in shown, shown


def test_the_window_title_names_hfgui_once(hub_env, qtbot):
    from hfgui.gui.app import make_application

    make_application([])  # the application's names as the real start sets them
    window = make_window(qtbot, start=False)
    qtbot.waitExposed(window)
    assert window.windowTitle() == "hfgui — Hugging Face models"
    # What a desktop shows (where X11 would append a display name) is read with xprop under Xvfb in
    # tests/packaging/test_freedesktop.py; offscreen windows carry the title unchanged.


def test_the_first_window_fits_its_screen_whole(hub_env, qtbot):
    from hfgui.gui.app import build_main_window
    from hfgui.gui.services import Services

    window = build_main_window(Services.from_environment())  # as `hfgui` opens it
    qtbot.addWidget(window)
    window.show()
    room = window.screen().availableGeometry().size()
    assert room.width() < 1280 or room.height() < 800, "the test screen is smaller than the window wants"
    assert window.width() <= room.width() - 16 and window.height() <= room.height() - 48, window.size()
    assert window.width() >= min(1280, room.width() - 16)  # as large as it may be, not smaller


def test_the_window_opens_where_and_as_large_as_it_was_closed(hub_env, qtbot):
    from hfgui.gui.app import build_main_window
    from hfgui.gui.services import Services

    first = build_main_window(Services.from_environment())
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 520)  # as a person drags it smaller
    qtbot.waitUntil(lambda: first.size() == QtCore.QSize(700, 520))
    first.close()  # nothing running: it closes at once, keeping its place
    assert not first.isVisible()

    again = build_main_window(Services.from_environment())
    qtbot.addWidget(again)
    assert again.size() == QtCore.QSize(700, 520)


def test_an_unreadable_window_file_opens_the_window_fitted(hub_env, qtbot, caplog):
    from hfgui.gui.app import build_main_window
    from hfgui.gui.services import Services

    services = Services.from_environment()
    (services.paths.config_dir).mkdir(parents=True, exist_ok=True)
    (services.paths.config_dir / "window.json").write_text('{"format": 1, "geometry": "not base64!"}')
    window = build_main_window(services)
    qtbot.addWidget(window)
    room = window.screen().availableGeometry().size()
    assert 0 < window.width() <= room.width() and 0 < window.height() <= room.height()
    assert "window.json" in caplog.text  # said in the log, not in the person's way
