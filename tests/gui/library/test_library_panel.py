"""The Library tab lists library, Hugging Face cache and imported models, reveals their folders, and
keeps its table model sound through rescans."""

from __future__ import annotations

import time

from huggingface_hub import snapshot_download

from hfgui.core.library.importer import import_model
from hfgui.gui.library.library_model import LibraryTableModel
from tests.gui.inputs import click, double_click
from tests.gui.library.library_helpers import GGUF, WAIT, cell, install, rescan
from tests.hubemu import generated_content


def test_lists_library_cache_and_imported_models(
    hub, client, services, panel, qtbot, tmp_path, plain_http, opened
):
    handle = install(hub, client, services)
    hub.add_repo(
        "acme/cached", files={"config.json": b"{}", "weights.bin": generated_content(50_000, seed=2)}
    )
    snapshot_download("acme/cached", endpoint=hub.url, cache_dir=services.hf_cache_dir, token=False)
    own = tmp_path / "mine" / "llama.gguf"
    own.parent.mkdir()
    own.write_bytes(GGUF)
    import_model(own, services.library_root, mode="reference")

    rescan(panel, qtbot)
    assert set(panel.model.keys()) == {"library:acme/tiny", "hf-cache:acme/cached", "reference:local/llama"}
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_SOURCE) == "Library"
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_COMMIT) == handle.sha[:8]
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_FORMAT) == "safetensors"
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE) == "Installed"
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_DATE).startswith(time.strftime("%Y-"))
    assert cell(panel, "hf-cache:acme/cached", LibraryTableModel.COL_SOURCE) == "HF cache"
    assert cell(panel, "hf-cache:acme/cached", LibraryTableModel.COL_SIZE) == "50.0 kB"
    assert (
        cell(panel, "reference:local/llama", LibraryTableModel.COL_FORMAT) == "GGUF"
    )  # as the Models tab says
    assert cell(panel, "reference:local/llama", LibraryTableModel.COL_STATE) == "Referenced"
    assert panel.summary_label.text().startswith("3 models")
    assert "free on the library disk" in panel.summary_label.text()

    assert panel.select("library:acme/tiny")
    click(qtbot, panel.reveal_button)
    assert [url.toLocalFile() for url in opened] == [str(services.library_root / "acme" / "tiny")]


def test_table_model_passes_qt_checks_through_rescans(
    hub, client, services, panel, qtbot, qtmodeltester, tmp_path
):
    rescan(panel, qtbot)
    qtmodeltester.check(panel.model)
    install(hub, client, services, "acme/one")
    install(hub, client, services, "acme/two")
    rescan(panel, qtbot)
    qtmodeltester.check(panel.model)
    qtmodeltester.check(panel.leftovers_section.model)
    from hfgui.core.library.installed import Library

    Library(services.library_root).delete("acme/one")
    install(hub, client, services, "acme/three")
    rescan(panel, qtbot)
    qtmodeltester.check(panel.model)
    assert panel.model.keys() == ["library:acme/three", "library:acme/two"]


def test_refresh_lists_a_model_added_on_disk_behind_the_windows_back(hub, client, services, panel, qtbot):
    rescan(panel, qtbot)
    assert panel.model.keys() == []
    install(hub, client, services, "acme/later")  # e.g. `hfgui download` in a terminal
    click(qtbot, panel.refresh_button)
    qtbot.waitUntil(lambda: panel.model.keys() == ["library:acme/later"], timeout=WAIT)
    assert cell(panel, "library:acme/later", LibraryTableModel.COL_STATE) == "Installed"


def test_double_clicking_an_installed_row_reveals_its_folder(hub, client, services, panel, qtbot, opened):
    install(hub, client, services, "acme/one")
    install(hub, client, services, "acme/two")
    rescan(panel, qtbot)
    view = panel.view
    double_click(qtbot, view, view.proxy.mapFromSource(panel.model.index_of("library:acme/two", 0)))
    assert [url.toLocalFile() for url in opened] == [str(services.library_root / "acme" / "two")]
