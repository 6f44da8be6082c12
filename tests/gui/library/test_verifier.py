"""Verify re-hashes a library model against its manifest or a cache snapshot against its blobs, lists
what is damaged, and offers to download a library model's damaged files again."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import snapshot_download

from hfgui.gui.library.library_model import LibraryTableModel
from tests.gui.inputs import click
from tests.gui.library.library_helpers import WAIT, cell, install, rescan, wait_idle
from tests.hubemu import generated_content


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
