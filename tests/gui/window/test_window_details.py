"""Details a person meets: an installed model's files (from its manifest), files in progress first,
Pause and Cancel confirmed in the status bar, and Reveal without a file manager."""

from __future__ import annotations

from PySide6 import QtGui

from hfgui.gui.models.files_model import FilesModel
from hfgui.gui.models.rows import Status
from tests.gui.helpers import MANIFEST, MODEL, WEIGHTS, make_window, populate, settle
from tests.gui.inputs import answer, choose, open_context_menu, press, toolbar_click, visible_menu

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"


def status(window, key: str = KEY) -> Status:
    return window.model.state(key).status


def table_rows(window) -> list[tuple[str, str]]:
    """(path, state text) of the details table, in the order shown."""
    view = window.details.ordered
    return [
        (view.index(r, FilesModel.COL_PATH).data(), view.index(r, FilesModel.COL_STATE).data())
        for r in range(view.rowCount())
    ]


def row_index(window, key: str = KEY):
    return window.proxy.mapFromSource(window.model.index_of(key))


def test_an_installed_models_files_are_listed_from_its_manifest_as_verified(hub_env, qtbot):
    files = populate(hub_env)
    first = make_window(qtbot, start=False)
    first.select_key(KEY)
    first.act_download.trigger()
    qtbot.waitUntil(lambda: status(first) is Status.INSTALLED, timeout=WAIT)
    settle(first, qtbot)
    first.close()

    window = make_window(qtbot)  # the next start: no download in this session, only the manifest
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    window.select_key("gated-gguf")
    window.select_key(KEY)
    qtbot.waitUntil(lambda: len(table_rows(window)) == 3, timeout=WAIT)
    assert sorted(table_rows(window)) == sorted((p, "Verified") for p in (MANIFEST, MODEL, WEIGHTS))
    selected = [c for p, c in files.items() if p != "README.md"]
    total = sum(len(c) if isinstance(c, bytes) else c.size for c in selected)
    from hfgui.core.errors import format_bytes

    assert window.details.total.text() == f"3 files  ·  {format_bytes(total)}"
    window.refresh_library()  # a rescan repaints the row: the listing stays
    window.runner.wait(WAIT)
    qtbot.wait(20)
    assert len(table_rows(window)) == 3
    settle(window, qtbot)


def test_files_in_progress_come_first_and_pause_and_cancel_are_confirmed(hub_env, qtbot):
    many = {f"parts/part-{i:03d}.bin": bytes([i % 251]) * 2_000 for i in range(120)}
    many["parts/zz-big.bin"] = bytes(range(256)) * 20_000
    hub_env.add_repo("demo/many-files", files=many)
    from hfgui.core.library.catalog import CatalogEntry

    entry = CatalogEntry("many", "Many files", "demo/many-files", "transformers", "safetensors")
    hub_env.faults.stall("parts/zz-big.bin", after_bytes=1_000_000, seconds=30)
    window = make_window(qtbot, start=False, entries=[entry])
    window.select_key("many")
    press(qtbot, window.view, "Ctrl+D")

    def big_file_first() -> bool:
        rows = table_rows(window)
        return bool(rows) and rows[0][0] == "parts/zz-big.bin" and rows[0][1].startswith("Downloading")

    qtbot.waitUntil(big_file_first, timeout=WAIT)  # the last file of 121, at the top while it moves
    assert all(state == "Done" for _path, state in table_rows(window)[1:])

    toolbar_click(qtbot, window.toolbar, window.act_pause)
    qtbot.waitUntil(lambda: status(window, "many") is Status.PAUSED, timeout=WAIT)
    assert window.statusBar().currentMessage().startswith("Paused Many files")
    assert ("parts/zz-big.bin", "Paused") in table_rows(window)

    open_context_menu(qtbot, window.view, row_index(window, "many"))
    choose(qtbot, visible_menu(), "Cancel")
    answer(qtbot, window.pending_dialog, "Cancel download")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Cancelled Many"), timeout=WAIT)
    hub_env.faults.clear()
    settle(window, qtbot)


def test_reveal_without_a_file_manager_copies_the_path_and_says_so(hub_env, qtbot):
    populate(hub_env)
    window = make_window(qtbot, start=False, open_url=lambda url: False)  # no handler for folders
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    QtGui.QGuiApplication.clipboard().clear()
    open_context_menu(qtbot, window.view, row_index(window))
    choose(qtbot, visible_menu(), "Reveal in file manager")
    folder = str(window.services.library_root / "demo" / "coreml-tiny")
    assert QtGui.QGuiApplication.clipboard().text() == folder
    message = window.statusBar().toolTip() or window.statusBar().currentMessage()
    assert "No file manager" in message and "copied to the clipboard" in message
    settle(window, qtbot)


def test_the_status_bar_and_the_library_tab_show_one_free_space(hub_env, qtbot):
    from tests.gui.inputs import open_tab

    populate(hub_env)
    window = make_window(qtbot)
    open_tab(qtbot, window.tabs, "Library")
    panel = window.library_panel
    qtbot.waitUntil(lambda: panel.snapshot is not None and window.free_space.free is not None, timeout=WAIT)
    window.free_space.report(window.services.library_root, 123_400_000_000)  # a later scan measured this
    assert "123.4 GB free on the library disk" in panel.summary_label.text()
    assert "123.4 GB free on that disk" in window.storage_label.full_text()
    settle(window, qtbot)
