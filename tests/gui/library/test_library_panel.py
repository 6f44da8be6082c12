"""The Library tab lists library, Hugging Face cache and imported models, and verifies, updates, deletes
and reveals them against the emulator; orphaned partial downloads are listed and removed."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import pytest
from huggingface_hub import constants, snapshot_download

from hfgui.core import partials
from hfgui.core.errors import format_bytes
from hfgui.core.hub import HubClient
from hfgui.core.importer import import_model
from hfgui.core.model_download import download_model
from hfgui.core.planner import DownloadRequest
from hfgui.gui.library.library_model import LibraryTableModel
from hfgui.gui.library.library_panel import LibraryPanel
from hfgui.gui.services import Services
from tests.gui.helpers import sha256_of as expected_sha256
from tests.gui.inputs import answer, click
from tests.hubemu import generated_content

WAIT = 60_000
DAY = 86400
GGUF = b"GGUF" + bytes(range(200)) * 20


@pytest.fixture
def plain_http(monkeypatch):
    """huggingface_hub reads its switches at import time: set the variable and the constant."""
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture
def services(hub_env):
    return Services.from_environment()


@pytest.fixture
def client(hub):
    made = HubClient(endpoint=hub.url, token=False)
    yield made
    made.close()


@pytest.fixture
def opened():
    return []


@pytest.fixture
def panel(services, qtbot, opened):
    made = LibraryPanel(services, open_url=opened.append)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.shutdown(WAIT)


def rescan(panel, qtbot) -> None:
    panel.refresh()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)


def wait_idle(panel, qtbot) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)


def cell(panel, key: str, column: int) -> str:
    return panel.model.index_of(key, column).data()


def install(hub, client, services, repo_id="acme/tiny", files=None):
    files = files or {
        "config.json": b'{"model_type": "tiny"}',
        "model.safetensors": generated_content(300_000, seed=1),
        "README.md": b"# tiny\n",
    }
    handle = hub.add_repo(repo_id, files=files)
    download_model(client, DownloadRequest(repo_id), services.library_root)
    return handle


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
    from hfgui.core.library import Library

    Library(services.library_root).delete("acme/one")
    install(hub, client, services, "acme/three")
    rescan(panel, qtbot)
    qtmodeltester.check(panel.model)
    assert panel.model.keys() == ["library:acme/three", "library:acme/two"]


def test_verify_reports_ok_then_a_flipped_byte(hub, client, services, panel, qtbot):
    install(hub, client, services)
    rescan(panel, qtbot)
    panel.select("library:acme/tiny")
    click(qtbot, panel.verify_button)
    wait_idle(panel, qtbot)
    assert panel.care.verifier.last_problems == []
    assert "OK" in panel.status_label.text() and "3 files" in panel.status_label.text()

    weights = services.library_root / "acme" / "tiny" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[1234] ^= 0x01
    weights.write_bytes(bytes(data))
    requested = []
    panel.download_requested.connect(requested.append)
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.verify_button)
    assert [p.path for p in panel.care.verifier.last_problems] == ["model.safetensors"]
    assert panel.care.verifier.last_problems[0].kind == "hash"
    assert "1 problem" in panel.status_label.text()
    assert (
        panel.care.verifier.problems_list.count() == 1
        and "model.safetensors" in panel.care.verifier.problems_list.item(0).text()
    )
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE) == "Damaged"
    click(qtbot, panel.care.verifier.redownload_button)
    assert requested == ["acme/tiny"]


def test_verify_a_hugging_face_cache_snapshot_reports_damage_and_changes_nothing(
    hub, services, panel, qtbot, plain_http
):
    handle = hub.add_repo(
        "acme/cached", files={"config.json": b"{}", "weights.bin": generated_content(50_000, seed=2)}
    )
    folder = Path(
        snapshot_download("acme/cached", endpoint=hub.url, cache_dir=services.hf_cache_dir, token=False)
    )
    rescan(panel, qtbot)
    panel.select("hf-cache:acme/cached")
    assert panel.verify_button.isEnabled()
    click(qtbot, panel.verify_button)
    wait_idle(panel, qtbot)
    assert panel.care.verifier.last_problems == []
    assert "all 2 files match their hashes" in panel.status_label.text()

    blob = (folder / "weights.bin").resolve()
    data = bytearray(blob.read_bytes())
    data[4321] ^= 0x01
    blob.write_bytes(bytes(data))
    click(qtbot, panel.verify_button)
    wait_idle(panel, qtbot)
    assert [(p.path, p.kind) for p in panel.care.verifier.last_problems] == [("weights.bin", "hash")]
    assert "Hugging Face cache" in panel.status_label.text()
    assert (
        panel.care.verifier.problems_list.isVisible()
        and not panel.care.verifier.redownload_button.isVisible()
    )
    assert blob.read_bytes() == bytes(data) and (folder / "weights.bin").is_symlink()
    assert handle.sha == folder.name


def test_check_for_updates_then_update_fetches_only_the_changed_file(hub, client, services, panel, qtbot):
    handle = install(hub, client, services)
    rescan(panel, qtbot)
    panel.select("library:acme/tiny")
    assert not panel.update_button.isEnabled()

    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE) == "Installed · up to date"
    assert not panel.update_button.isEnabled()

    new_sha = handle.commit(files={"config.json": b'{"model_type": "tiny", "v": 2}'})
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    assert "update available" in cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE)
    assert "acme/tiny" in panel.status_label.text()
    assert panel.update_button.isEnabled()

    hub.clear_requests()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.update_button)
    fetched = [r.path for r in hub.requests if r.method == "GET" and "/resolve/" in r.path]
    assert len(fetched) == 1 and fetched[0].endswith("/config.json"), fetched
    assert not any("model.safetensors" in r.path for r in hub.requests)
    assert "1 file downloaded, 2 unchanged" in panel.status_label.text()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_COMMIT) == new_sha[:8]
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE) == "Installed"
    root = services.library_root / "acme" / "tiny"
    assert (root / "config.json").read_bytes() == b'{"model_type": "tiny", "v": 2}'


def test_update_failure_leaves_model_unchanged_and_says_so(hub, client, services, panel, qtbot):
    handle = install(hub, client, services)
    rescan(panel, qtbot)
    handle.commit(files={"config.json": b'{"v": 3}'})
    panel.select("library:acme/tiny")
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    hub.faults.status("config.json", 404, times=100, host="hub")
    click(qtbot, panel.update_button)
    wait_idle(panel, qtbot)
    assert "installed copy is unchanged" in panel.status_label.text()
    root = services.library_root / "acme" / "tiny"
    assert (root / "config.json").read_bytes() == b'{"model_type": "tiny"}'


def test_delete_library_model_frees_space_and_row_disappears(hub, client, services, panel, qtbot):
    install(hub, client, services)
    root = services.library_root / "acme" / "tiny"
    rescan(panel, qtbot)
    panel.select("library:acme/tiny")
    click(qtbot, panel.delete_button)
    assert "frees about 300.0 kB" in panel.pending_dialog.text()
    answer(qtbot, panel.pending_dialog, "Cancel")
    assert root.exists()

    click(qtbot, panel.delete_button)
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        answer(qtbot, panel.pending_dialog, "Delete")
    assert not root.exists()
    assert "Deleted acme/tiny" in panel.status_label.text() and "freed" in panel.status_label.text()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert panel.model.keys() == []
    assert panel.summary_label.text().startswith("0 models")


def test_delete_reference_keeps_files_and_cache_model_is_removed(
    services, hub, panel, qtbot, tmp_path, plain_http
):
    own = tmp_path / "mine" / "llama.gguf"
    own.parent.mkdir()
    own.write_bytes(GGUF)
    import_model(own, services.library_root, mode="reference")
    hub.add_repo("acme/cached", files={"weights.bin": generated_content(40_000, seed=5)})
    folder = Path(
        snapshot_download("acme/cached", endpoint=hub.url, cache_dir=services.hf_cache_dir, token=False)
    )
    rescan(panel, qtbot)

    panel.select("reference:local/llama")
    click(qtbot, panel.delete_button)
    assert "stay where they are" in panel.pending_dialog.text()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        answer(qtbot, panel.pending_dialog, "Remove from library")
    assert own.read_bytes() == GGUF
    assert "files stay" in panel.status_label.text()

    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    panel.select("hf-cache:acme/cached")
    repo_folder = folder.parent.parent
    cache_bytes = sum(p.lstat().st_size for p in repo_folder.rglob("*") if not p.is_dir() or p.is_symlink())
    assert cache_bytes > 40_000
    click(qtbot, panel.delete_button)
    assert "Hugging Face cache" in panel.pending_dialog.text()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        answer(qtbot, panel.pending_dialog, "Delete")
    assert not folder.exists()
    assert f"{format_bytes(cache_bytes)} freed" in panel.status_label.text()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert panel.model.keys() == []


def fake_partial(staging, repo_id, path, *, commit="c" * 40, nbytes=1000, age_days=0.0):
    key = partials.partial_key(repo_id, path, "e" * 64)
    part = partials.part_path(staging, key)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"x" * nbytes)
    side = partials.sidecar_path(staging, key)
    partials.write_sidecar(
        side, partials.Sidecar("http://hub/x", repo_id, commit, path, "e" * 64, nbytes * 5)
    )
    when = time.time() - age_days * DAY
    os.utime(part, (when, when))
    os.utime(side, (when, when))
    return part


def test_orphaned_partials_are_listed_and_removed(hub, client, services, panel, qtbot):
    handle = install(hub, client, services)
    staging = services.library_root / ".hfgui-staging"
    orphan = fake_partial(staging, "acme/tiny", "config.json", commit=handle.sha, nbytes=4000, age_days=3)
    owned = fake_partial(staging, "acme/started", "big.bin", nbytes=2000)
    rescan(panel, qtbot)

    rows = {item.repo_id: item for item in panel.leftovers_section.model.items()}
    assert rows["acme/tiny"].orphaned and rows["acme/started"].owner == "download"
    by_model = {
        panel.leftovers_section.model.index(r, 0).data(): [
            panel.leftovers_section.model.index(r, c).data() for c in range(6)
        ]
        for r in range(panel.leftovers_section.model.rowCount())
    }
    assert by_model["acme/tiny"][3] == "3 days" and by_model["acme/tiny"][4] == "Nothing (orphaned)"
    assert by_model["acme/started"][4] == "Unfinished download"
    assert "1 orphaned" in panel.leftovers_section.label.text()
    expected = rows["acme/tiny"].size

    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.leftovers_section.remove_orphans_button)
    assert not orphan.exists() and owned.exists()
    assert panel.status_label.text() == f"Removed 1 partial file: {expected / 1000:.1f} kB freed."
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert [i.repo_id for i in panel.leftovers_section.model.items()] == ["acme/started"]

    # Removing an owned partial by selection asks first.
    panel.leftovers_section.view.selectRow(0)
    click(qtbot, panel.leftovers_section.remove_selected_button)
    assert "unfinished download" in panel.pending_dialog.text()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        answer(qtbot, panel.pending_dialog, "Remove")
    assert not owned.exists()


def test_unusable_proxy_setting_is_reported_not_raised(hub, client, services, panel, qtbot):
    import dataclasses

    install(hub, client, services)
    services.apply_settings(
        dataclasses.replace(services.settings, proxy_mode="manual", proxy_url="ftp://proxy.example:21")
    )
    rescan(panel, qtbot)
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    text = panel.status_label.text()
    assert "Could not check for updates" in text and "network settings are not usable" in text
    assert "\n" not in text


def test_update_can_be_cancelled_and_resumed_under_a_bandwidth_limit(hub, client, services, panel, qtbot):
    weights = {"model.safetensors": generated_content(5_000_000, seed=7), "config.json": b"{}"}
    handle = install(hub, client, services, files=weights)
    root = services.library_root / "acme" / "tiny"
    before = (root / "model.safetensors").read_bytes()
    new_weights = generated_content(5_000_000, seed=8)
    handle.commit(files={"model.safetensors": new_weights})
    # 1 MB/s and 1 MiB chunks: the 5 MB file leaves several chunks to go when Cancel is pressed.
    services.apply_settings(dataclasses.replace(services.settings, bandwidth_limit=1_000_000))
    rescan(panel, qtbot)
    panel.select("library:acme/tiny")
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)

    click(qtbot, panel.update_button)
    assert panel.operations.cancel_button.isVisible()
    qtbot.waitUntil(lambda: panel.operations.progress.value() > 0, timeout=WAIT)
    assert "Updating acme/tiny" in panel.operations.progress.format()
    click(qtbot, panel.operations.cancel_button)
    wait_idle(panel, qtbot)
    assert "cancelled; the installed copy is unchanged" in panel.status_label.text()
    assert (root / "model.safetensors").read_bytes() == before

    services.apply_settings(dataclasses.replace(services.settings, bandwidth_limit=0))
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    panel.select("library:acme/tiny")
    hub.clear_requests()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.update_button)
    assert "Updated acme/tiny" in panel.status_label.text()
    ranged = [
        r for r in hub.requests if r.method == "GET" and r.headers.get("Range", "").startswith("bytes=")
    ]
    assert ranged and not ranged[0].headers["Range"].startswith("bytes=0-")  # resumed, not restarted
    assert expected_sha256(root / "model.safetensors") == new_weights.sha256
