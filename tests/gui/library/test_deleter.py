"""Delete asks first, then frees a library or Hugging Face cache model; an imported model is only
forgotten, its files stay."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import snapshot_download

from hfgui.core.errors import format_bytes
from hfgui.core.library.importer import import_model
from tests.gui.inputs import answer, click
from tests.gui.library.library_helpers import GGUF, WAIT, install, rescan
from tests.hubemu import generated_content


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
