"""The Search panel against the emulator: debounced non-blocking search, paging, filters, download choices."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import parse_qs

import pytest
from PySide6 import QtCore

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import format_bytes
from hfgui.core.library.catalog import load_user_models, select_files
from hfgui.gui.dialogs.choice_cells import COL_FIT, COL_SIZE, INSTALLED_MARK
from hfgui.gui.search import search_panel
from hfgui.gui.search.search_model import SUMMARY_ROLE
from hfgui.gui.search.search_panel import SearchPanel
from hfgui.gui.services import Services
from tests.gui.inputs import click, pick
from tests.hubemu import generated_content

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
QUANTS = (("Q2_K", 3_000), ("Q4_K_M", 5_000), ("Q8_0", 9_000))


def populate(hub) -> None:
    quants = {f"llama-{q}.gguf": generated_content(size, seed=i) for i, (q, size) in enumerate(QUANTS)}
    hub.add_repo(
        "acme/llama-gguf",
        files={**quants, "README.md": b"# llama\n"},
        tags=["gguf", "llama"],
        library_name="gguf",
        downloads=500,
        likes=5,
    )
    hub.add_repo(
        "acme/big-llama-gguf",
        files={
            "big-Q4_K_M-00001-of-00002.gguf": generated_content(7_000, seed=10),
            "big-Q4_K_M-00002-of-00002.gguf": generated_content(4_000, seed=11),
        },
        tags=["gguf"],
        downloads=100,
        likes=50,
    )
    hub.add_repo(
        "other/llama-onnx",
        files={"model.onnx": generated_content(2_000, seed=12), "config.json": b"{}"},
        tags=["onnx"],
        library_name="transformers.js",
        downloads=300,
        likes=1,
    )


def search_requests(hub) -> list:
    return [r for r in hub.requests if r.host == "hub" and r.path == "/api/models"]


def last_params(hub, index: int = -1) -> dict[str, list[str]]:
    return parse_qs(search_requests(hub)[index].query)


def was_queried(hub, key: str, value: str) -> bool:
    return any(parse_qs(r.query).get(key) == [value] for r in search_requests(hub))


def repo_ids(panel: SearchPanel) -> list[str]:
    return [m.repo_id for m in panel.results.summaries()]


@pytest.fixture
def panel(hub_env, qtbot):
    populate(hub_env)
    widget = SearchPanel(Services.from_environment())
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    yield widget
    widget.wait_idle(WAIT)


def type_query(panel: SearchPanel, qtbot, text: str) -> None:
    """Replace the query with ``text`` and press Enter, as a person does."""
    panel.form.query_edit.clear()
    qtbot.keyClicks(panel.form.query_edit, text)
    qtbot.keyClick(panel.form.query_edit, QtCore.Qt.Key.Key_Return)


def search(panel: SearchPanel, qtbot, text: str) -> None:
    type_query(panel, qtbot, text)
    qtbot.waitUntil(lambda: not panel.results.loading and panel.query is not None, timeout=WAIT)


def select(panel: SearchPanel, qtbot, repo_id: str) -> None:
    row = repo_ids(panel).index(repo_id)
    panel.select_row(row)
    qtbot.waitUntil(lambda: panel.picked.choice.topLevelItemCount() > 0, timeout=WAIT)


def test_typing_searches_once_after_the_pause_without_blocking(hub_env, panel, qtbot):
    gate = threading.Event()
    real_make_client = panel.services.make_client

    def held_make_client(*args, **kwargs):
        gate.wait(WAIT / 1000)  # the search cannot finish before the GUI thread has run the probe
        return real_make_client(*args, **kwargs)

    panel.services.make_client = held_make_client
    hub_env.clear_requests()
    qtbot.keyClicks(panel.form.query_edit, "llama")
    assert panel.form.debounce.isActive()
    assert not search_requests(hub_env), "nothing is sent while typing"

    probe_fired = []

    def probe() -> None:
        probe_fired.append(panel.results.loading)
        gate.set()

    qtbot.waitUntil(lambda: panel.results.loading, timeout=WAIT)
    QtCore.QTimer.singleShot(0, probe)
    qtbot.waitUntil(lambda: panel.results.rowCount() == 3, timeout=WAIT)
    assert probe_fired == [True], "the event loop ran while the search was in flight"
    assert len(search_requests(hub_env)) == 1, "five keystrokes, one search"
    assert last_params(hub_env, 0)["search"] == ["llama"]
    assert repo_ids(panel) == ["acme/llama-gguf", "other/llama-onnx", "acme/big-llama-gguf"]  # by downloads
    assert panel.results.index(0, 1).data() == "500"
    assert panel.results.headerData(3, QtCore.Qt.Orientation.Horizontal) == "Framework"
    assert panel.results.index(1, 3).data() == "transformers.js"
    assert len(panel.results.index(0, 4).data()) == 10  # the day it was last modified


def test_newer_query_discards_older_results(hub_env, panel, qtbot, monkeypatch):
    gate = threading.Event()

    class HeldPages(search_panel.ResultPages):
        def next_page(self):
            if self.query.text == "llama":
                gate.wait(WAIT / 1000)  # the older search answers only after the newer one is shown
            return super().next_page()

    monkeypatch.setattr(search_panel, "ResultPages", HeldPages)
    type_query(panel, qtbot, "llama")
    type_query(panel, qtbot, "onnx")
    qtbot.waitUntil(lambda: repo_ids(panel) == ["other/llama-onnx"], timeout=WAIT)
    gate.set()
    panel.wait_idle(WAIT)
    QtCore.QCoreApplication.processEvents()  # deliver the stale page's result to the GUI thread
    assert len(search_requests(hub_env)) == 2, "the held search did run"
    assert repo_ids(panel) == ["other/llama-onnx"]


def test_scrolling_loads_the_next_page(hub_env, qtbot):
    for i in range(25):
        hub_env.add_repo(f"pager/model-{i:02d}", files={"a.txt": b"x"}, downloads=1000 - i)
    panel = SearchPanel(Services.from_environment(), page_size=10)
    qtbot.addWidget(panel)
    panel.resize(700, 220)  # fewer than 10 rows fit, so the view does not ask for more on its own
    panel.show()
    search(panel, qtbot, "pager")
    assert panel.results.rowCount() == 10
    assert panel.view.rowAt(panel.view.viewport().height() - 1) in range(9), "the last row is out of sight"
    assert panel.results.canFetchMore()
    assert len(search_requests(hub_env)) == 1

    panel.view.scrollToBottom()
    qtbot.waitUntil(lambda: panel.results.rowCount() == 20, timeout=WAIT)
    assert "cursor" in last_params(hub_env, 1), "the next page follows the Hub's Link header"
    panel.view.scrollToBottom()
    qtbot.waitUntil(lambda: panel.results.rowCount() == 25, timeout=WAIT)
    qtbot.waitUntil(lambda: not panel.results.loading, timeout=WAIT)
    assert not panel.results.canFetchMore()
    assert repo_ids(panel) == [f"pager/model-{i:02d}" for i in range(25)]
    assert "25 models" in panel.result_status.text()
    panel.wait_idle(WAIT)


def test_format_filter_and_sort_change_the_results(hub_env, panel, qtbot):
    search(panel, qtbot, "llama")
    assert len(repo_ids(panel)) == 3

    pick(qtbot, panel.form.format_combo, "GGUF")
    qtbot.waitUntil(lambda: not panel.results.loading and panel.results.rowCount() == 2, timeout=WAIT)
    assert repo_ids(panel) == ["acme/llama-gguf", "acme/big-llama-gguf"]
    assert was_queried(hub_env, "filter", "gguf")

    pick(qtbot, panel.form.sort_combo, "Most likes")
    qtbot.waitUntil(lambda: repo_ids(panel) == ["acme/big-llama-gguf", "acme/llama-gguf"], timeout=WAIT)
    assert was_queried(hub_env, "sort", "likes")

    pick(qtbot, panel.form.format_combo, "ONNX")
    qtbot.waitUntil(lambda: repo_ids(panel) == ["other/llama-onnx"], timeout=WAIT)

    pick(qtbot, panel.form.format_combo, "Any format")
    qtbot.keyClicks(panel.form.author_edit, "other")
    qtbot.keyClick(panel.form.author_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: repo_ids(panel) == ["other/llama-onnx"] and not panel.results.loading, timeout=WAIT
    )
    assert was_queried(hub_env, "author", "other")


def test_gguf_repo_offers_quants_with_the_recommended_one_chosen(hub_env, panel, qtbot):
    search(panel, qtbot, "llama")
    select(panel, qtbot, "acme/llama-gguf")
    labels = [i.label for i in panel.picked.choice.items()]
    assert labels[:3] == ["Q4_K_M", "Q2_K", "Q8_0"]  # recommended first, then small to large
    assert labels[-1] == "Whole repository"
    assert [i.label for i in panel.picked.chosen_items()] == ["Q4_K_M"]
    assert panel.picked.add_button.isEnabled() and panel.picked.download_button.isEnabled()
    assert panel.picked.choice.row_of("Q4_K_M").text(COL_SIZE) == format_bytes(5_000)
    assert panel.picked.choice.row_of("Q4_K_M").text(COL_FIT) in ("fits", "tight", "too big", "—")

    # Quantisations exclude each other.
    click(qtbot, panel.picked.choice.button("Q2_K"))
    assert [i.label for i in panel.picked.chosen_items()] == ["Q2_K"]


def test_split_gguf_is_one_item_with_the_total_size(hub_env, panel, qtbot):
    search(panel, qtbot, "big")
    select(panel, qtbot, "acme/big-llama-gguf")
    items = panel.picked.choice.items()
    quants = [i for i in items if i.kind == "gguf-quant"]
    assert len(quants) == 1
    assert quants[0].file_count == 2 and quants[0].total_bytes == 11_000
    assert panel.picked.choice.row_of("Q4_K_M (2 parts)").text(COL_SIZE) == format_bytes(11_000)
    assert panel.picked.chosen_items() == quants


def test_add_to_library_emits_an_entry_selecting_exactly_the_item(hub_env, panel, qtbot):
    search(panel, qtbot, "big")
    select(panel, qtbot, "acme/big-llama-gguf")
    item = panel.picked.chosen_items()[0]
    with qtbot.waitSignal(panel.add_requested, timeout=WAIT) as blocker:
        click(qtbot, panel.picked.add_button)
    entry = blocker.args[0]
    assert entry.repo == "acme/big-llama-gguf" and entry.revision == "main"
    assert entry.format == "gguf" and entry.quantization == "Q4_K_M"
    tree = panel.picked.tree
    assert [t.path for t in select_files(entry, tree)] == list(item.paths)
    saved = load_user_models(panel.services.paths)
    assert [e.id for e in saved] == [entry.id]

    # Adding the same choice again gives the stored entry back instead of a duplicate.
    with qtbot.waitSignal(panel.download_requested, timeout=WAIT) as again:
        click(qtbot, panel.picked.download_button)
    assert again.args[0].id == entry.id
    assert len(load_user_models(panel.services.paths)) == 1


def test_whole_repository_entry_selects_every_file(hub_env, panel, qtbot):
    search(panel, qtbot, "onnx")
    select(panel, qtbot, "other/llama-onnx")
    click(qtbot, panel.picked.choice.button("Whole repository"))
    with qtbot.waitSignal(panel.download_requested, timeout=WAIT) as blocker:
        click(qtbot, panel.picked.download_button)
    entry = blocker.args[0]
    assert {t.path for t in select_files(entry, panel.picked.tree)} == {"model.onnx", "config.json"}


def test_errors_show_one_line_in_the_panel(hub_env, panel, qtbot):
    qtbot.keyClicks(panel.form.author_edit, "a/b")
    qtbot.keyClick(panel.form.author_edit, QtCore.Qt.Key.Key_Return)
    assert "Author takes a user or organisation name" in panel.result_status.text()
    assert panel.results.rowCount() == 0

    panel.form.author_edit.clear()
    hub_env.add_repo("acme/zz-llama-gone", files={"x.gguf": b"GGUF"}, downloads=0)
    search(panel, qtbot, "llama")
    gone = repo_ids(panel).index("acme/zz-llama-gone")
    hub_env.remove_repo("acme/zz-llama-gone")
    panel.select_row(gone)
    qtbot.waitUntil(lambda: panel.picked.last_error is not None, timeout=WAIT)
    text = panel.picked.files_status.text()
    assert "\n" not in text and "acme/zz-llama-gone" in text
    assert not panel.picked.add_button.isEnabled()


def test_results_model_passes_qt_model_tester(hub_env, panel, qtbot, qtmodeltester):
    search(panel, qtbot, "llama")
    assert panel.results.rowCount() == 3
    assert panel.results.index(0, 0).data(SUMMARY_ROLE).repo_id == "acme/llama-gguf"
    qtmodeltester.check(panel.results)


def test_result_columns_show_their_whole_text(hub_env, panel, qtbot):
    panel.resize(1280, 700)
    panel.show()
    search(panel, qtbot, "llama")
    header = panel.view.horizontalHeader()
    for column in range(1, panel.results.columnCount()):  # the model name column stretches
        assert header.sectionSize(column) >= panel.view.sizeHintForColumn(column), column


def test_a_quantisation_in_the_library_is_marked_installed(hub_env, panel, qtbot):
    client = panel.services.make_client()
    try:
        request = DownloadRequest("acme/llama-gguf", include=("llama-Q8_0.gguf",))
        download_model(client, request, panel.services.library_root)
    finally:
        client.close()
    search(panel, qtbot, "llama")
    select(panel, qtbot, "acme/llama-gguf")
    assert INSTALLED_MARK in panel.picked.choice.button("Q8_0").text()
    assert INSTALLED_MARK not in panel.picked.choice.button("Q4_K_M").text()
    assert [i.label for i in panel.picked.chosen_items()] == ["Q4_K_M"], (
        "the default stays the recommended one"
    )


def test_a_search_that_cannot_reach_the_hub_fails_within_seconds(hub_env, qtbot, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once it is closed
    monkeypatch.setenv("HF_ENDPOINT", refused)
    panel = SearchPanel(Services.from_environment())  # the production retry policy, not a test one
    qtbot.addWidget(panel)
    panel.show()
    started = time.monotonic()
    type_query(panel, qtbot, "llama")
    qtbot.waitUntil(lambda: panel.last_error is not None, timeout=WAIT)
    # The issue asks for a bound here: other requests give up within a few seconds (was 12–23 s).
    assert time.monotonic() - started < 8
    text = panel.result_status.text()
    assert "\n" not in text and "could not be reached" in text and refused in text
    assert "Settings → Network" in text and "search again" in text
    assert panel.results.rowCount() == 0 and not panel.results.loading
    panel.wait_idle(WAIT)
