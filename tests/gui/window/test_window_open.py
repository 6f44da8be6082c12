"""Opening models named on the command line, and the Search/Library tabs wired into the window."""

from __future__ import annotations

from PySide6 import QtCore

from hfgui.gui import app as app_module
from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, expected_sha256, make_window, populate, settle, sha256_of
from tests.gui.inputs import (
    answer,
    choose,
    click,
    click_row,
    open_context_menu,
    open_tab,
    press,
    toolbar_click,
    visible_menu,
)

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"
GGUF = b"GGUF" + bytes(range(256)) * 160  # a file the Hub's search and the planner take for a GGUF model


def test_address_of_a_listed_model_selects_its_row(hub_env, qtbot):
    populate(hub_env)
    window = make_window(qtbot, start=False)
    window.open_addresses([f"{hub_env.url}/demo/gated-llama"])
    assert window.selected_key() == "gated-gguf"
    assert window.add_dialog is None


def test_address_of_a_new_model_opens_add_model_prefilled_and_checking(hub_env, qtbot):
    populate(hub_env)
    hub_env.add_repo("fresh/new-model", files={"model.gguf": b"GGUF" + bytes(100)})
    window = make_window(qtbot, start=False)
    window.open_addresses(["https://huggingface.co/fresh/new-model"])
    dialog = window.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.reference.text() == "fresh/new-model"
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=WAIT)
    assert dialog.info.repo_id == "fresh/new-model"
    dialog.reject()
    window.runner.wait(WAIT)


def test_address_that_names_no_model_explains_itself(hub_env, qtbot):
    window = make_window(qtbot, start=False)
    window.open_addresses(["https://huggingface.co/datasets/owner/data"])
    dialog = window.pending_dialog
    assert dialog is not None and dialog.windowTitle() == "Cannot open that address"
    assert "datasets/owner" in dialog.text() or "not a valid model id" in dialog.text()


def test_app_main_passes_command_line_addresses_to_the_window(hub_env, qtbot, qapp, monkeypatch):
    populate(hub_env)
    built = []

    class NoLoopApp:
        def exec(self) -> int:  # the test's own event loop runs the window instead
            return 0

    def build(services):
        window = app_module.MainWindow(services, catalog=_catalog(), quit_app=lambda: None)
        qtbot.addWidget(window)
        built.append(window)
        return window

    monkeypatch.setattr(app_module, "make_application", lambda argv: NoLoopApp())
    monkeypatch.setattr(app_module, "build_main_window", build)
    assert app_module.main([f"{hub_env.url}/demo/coreml-tiny"]) == 0
    window = built[0]
    qtbot.waitUntil(lambda: window.selected_key() == "tiny-coreml", timeout=WAIT)
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)
    window.manager.wait_idle(WAIT)


def _catalog():
    from tests.gui.helpers import catalog

    return catalog()


def test_the_search_tabs_download_button_downloads_in_the_models_tab(hub_env, qtbot):
    hub_env.add_repo("fresh/searched-gguf", files={"searched-Q4_K_M.gguf": GGUF}, tags=["gguf"])
    window = make_window(qtbot, start=False)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Models", "Search", "Library"]
    open_tab(qtbot, window.tabs, "Search")
    assert not window.act_download.isVisible()
    search = window.search_panel
    qtbot.keyClicks(search.form.query_edit, "searched")
    qtbot.keyClick(search.form.query_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: search.results.rowCount() == 1 and not search.results.loading, timeout=WAIT)
    click_row(qtbot, search.view, search.results.index(0, 0))
    qtbot.waitUntil(search.picked.download_button.isEnabled, timeout=WAIT)
    click(qtbot, search.picked.download_button)
    qtbot.waitUntil(lambda: window.tabs.currentIndex() == 0, timeout=WAIT)
    key = window.selected_key()
    assert window.model.state(key).entry.repo_id == "fresh/searched-gguf"
    qtbot.waitUntil(lambda: window.model.state(key).status is Status.INSTALLED, timeout=WAIT)
    root = window.services.library_root / "fresh" / "searched-gguf"
    assert (root / "searched-Q4_K_M.gguf").read_bytes() == GGUF
    settle(window, qtbot)


def test_the_library_tabs_download_again_button_fetches_in_the_models_tab(hub_env, qtbot):
    files = populate(hub_env)
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    press(qtbot, window.view, "Ctrl+D")
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)
    weights = window.services.library_root / "demo" / "coreml-tiny" / WEIGHTS
    weights.write_bytes(b"damaged" + weights.read_bytes()[7:])

    open_tab(qtbot, window.tabs, "Library")
    library, row = window.library_panel, "library:demo/coreml-tiny"
    qtbot.waitUntil(lambda: row in library.model.keys() and not library.scanning, timeout=WAIT)
    click_row(qtbot, library.view, library.view.proxy.mapFromSource(library.model.index_of(row, 0)))
    click(qtbot, library.verify_button)
    redownload = library.care.verifier.redownload_button
    qtbot.waitUntil(redownload.isVisible, timeout=WAIT)
    click(qtbot, redownload)
    assert window.tabs.currentIndex() == 0 and window.selected_key() == KEY
    qtbot.waitUntil(lambda: sha256_of(weights) == expected_sha256(files[WEIGHTS]), timeout=WAIT)
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)
    library.shutdown(WAIT)
    settle(window, qtbot)


def test_import_from_the_toolbar_lists_the_model_in_the_library_tab(hub_env, qtbot, tmp_path):
    model_file = tmp_path / "tiny-Q4_K_M.gguf"
    model_file.write_bytes(b"GGUF" + bytes(range(256)) * 40)
    window = make_window(qtbot, start=False, pick_file=lambda parent, kind, start: str(model_file))
    toolbar_click(qtbot, window.toolbar, window.act_import)
    dialog = window.import_dialog
    click(qtbot, dialog.file_button)
    qtbot.waitUntil(lambda: dialog.detected is not None or dialog.last_error is not None, timeout=WAIT)
    dialog.name_edit.setText("tiny")
    with qtbot.waitSignal(dialog.imported, timeout=WAIT):
        click(qtbot, dialog.import_button)

    assert "Imported local/tiny" in window.statusBar().currentMessage()
    qtbot.waitUntil(
        lambda: "local/tiny" in [r.model.repo_id for r in window.library_panel.model.rows()], timeout=WAIT
    )
    window.library_panel.shutdown(WAIT)
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)


def test_a_model_the_user_added_can_be_removed_from_the_list_built_ins_cannot(hub_env, qtbot):
    from hfgui.core.library.catalog import load_user_models

    populate(hub_env)
    hub_env.add_repo("fresh/new-model", files={"model.gguf": b"GGUF" + bytes(100)})
    window = make_window(qtbot, start=False)
    window.select_key("tiny-coreml")
    assert not window.act_remove_entry.isEnabled()  # a built-in entry
    press(qtbot, window.view, "Ctrl+N")
    dialog = window.add_dialog
    qtbot.keyClicks(dialog.reference, "fresh/new-model")
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: dialog.add_button.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(dialog.added, timeout=WAIT) as added:
        click(qtbot, dialog.add_button)
    key = added.args[0].id
    assert window.selected_key() == key and window.act_remove_entry.isEnabled()
    open_context_menu(qtbot, window.view, window.proxy.mapFromSource(window.model.index_of(key)))
    choose(qtbot, visible_menu(), "Remove from list…")
    question = window.pending_dialog
    assert question.windowTitle() == "Remove from list"
    answer(qtbot, question, "Remove")
    qtbot.waitUntil(lambda: window.model.state(key) is None, timeout=WAIT)
    assert load_user_models(window.services.paths) == []  # gone after a restart too
    window.runner.wait(WAIT)
