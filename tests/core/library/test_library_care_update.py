"""Updating an installed model: only changed files travel, and a failed update changes nothing."""

from __future__ import annotations

import threading

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import ChecksumError, DownloadCancelledError, ModelNotInstalledError
from hfgui.core.library.care import check_updates, finish_pending_update, update_dir, update_model
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store.manifest import read_manifest
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

FILES = {
    "config.json": b'{"v": 1}\n',
    "tokenizer.json": b'{"tok": 1}\n',
    "weights/a.safetensors": generated_content(150_000, seed=1),
    "weights/b.safetensors": generated_content(90_000, seed=2),
    "old-notes.txt": b"going away\n",
}


@pytest.fixture
def client(hub):
    return HubClient(endpoint=hub.url, token=False)


@pytest.fixture
def installed(hub, client, tmp_path):
    handle = hub.add_repo("acme/model", files=FILES)
    download_model(client, DownloadRequest("acme/model"), tmp_path)
    return handle


def _gets(hub, path: str) -> int:
    return len([r for r in hub.requests_for(path) if r.method == "GET"])


def test_update_fetches_only_changed_and_new_files(hub, client, installed, tmp_path):
    root = tmp_path / "acme" / "model"
    old_commit = installed.sha
    new_b = generated_content(95_000, seed=7)
    new_commit = installed.commit(
        files={"config.json": b'{"v": 2}\n', "weights/b.safetensors": new_b, "extra/new.json": b"{}"},
        delete=("old-notes.txt",),
    )
    [info] = check_updates(Library(tmp_path), client)
    assert info.installed_commit == old_commit and info.latest_commit == new_commit and info.has_update

    hub.clear_requests()
    result = update_model(client, tmp_path, "acme/model")
    assert result.updated and result.old_commit == old_commit and result.new_commit == new_commit
    assert set(result.downloaded) == {"config.json", "weights/b.safetensors", "extra/new.json"}
    assert set(result.kept) == {"tokenizer.json", "weights/a.safetensors"}
    assert result.removed == ("old-notes.txt",)
    # One GET (redirect chain aside) per changed file; none for the unchanged ones.
    for path in ("config.json", "weights/b.safetensors", "extra/new.json"):
        assert _gets(hub, path) >= 1, path
    for path in ("tokenizer.json", "weights/a.safetensors"):
        assert hub.requests_for(path) == [], path

    assert (root / "config.json").read_bytes() == b'{"v": 2}\n'
    assert (root / "weights" / "b.safetensors").read_bytes() == new_b.read(0, new_b.size)
    assert not (root / "old-notes.txt").exists()
    manifest = read_manifest(root)
    assert manifest.commit == new_commit
    assert {f.path for f in manifest.files} == {
        "config.json",
        "tokenizer.json",
        "weights/a.safetensors",
        "weights/b.safetensors",
        "extra/new.json",
    }
    assert Library(tmp_path).check("acme/model") == []
    assert not (root / ".hfgui" / "update").exists()  # staging cleaned up

    [info] = check_updates(Library(tmp_path), client)
    assert not info.has_update
    again = update_model(client, tmp_path, "acme/model")
    assert not again.updated and again.downloaded == ()


def test_failed_update_keeps_the_old_model_valid(hub, client, installed, tmp_path):
    root = tmp_path / "acme" / "model"
    old_manifest = read_manifest(root)
    installed.commit(
        files={"config.json": b'{"v": 2}\n', "weights/b.safetensors": generated_content(95_000, seed=7)},
        delete=("old-notes.txt",),
    )
    hub.faults.corrupt("weights/b.safetensors", 100, times=2)  # fails verification twice: gives up
    with pytest.raises(ChecksumError):
        update_model(client, tmp_path, "acme/model", workers=1)
    assert read_manifest(root) == old_manifest
    assert (root / "config.json").read_bytes() == FILES["config.json"]  # the verified new one waits
    assert (root / "old-notes.txt").exists()
    assert Library(tmp_path).check("acme/model") == []
    assert Library(tmp_path).installed()[0].state is InstallState.INSTALLED

    # Running it again resumes: config.json verified in the first attempt is not fetched again.
    hub.clear_requests()
    result = update_model(client, tmp_path, "acme/model")
    assert result.updated and hub.requests_for("config.json") == []
    assert (root / "config.json").read_bytes() == b'{"v": 2}\n'
    assert Library(tmp_path).check("acme/model") == []


def test_cancelled_update_changes_nothing(hub, client, installed, tmp_path):
    root = tmp_path / "acme" / "model"
    old_manifest = read_manifest(root)
    installed.commit(files={"weights/a.safetensors": generated_content(3 * 2**20, seed=9)})
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadCancelledError):
        update_model(client, tmp_path, "acme/model", cancel=cancel)
    assert read_manifest(root) == old_manifest
    assert Library(tmp_path).check("acme/model") == []


def test_interrupted_swap_is_finished_on_the_next_run(hub, client, installed, tmp_path, monkeypatch):
    root = tmp_path / "acme" / "model"
    old_commit = installed.sha
    new_commit = installed.commit(files={"config.json": b'{"v": 3}\n'}, delete=("old-notes.txt",))
    import hfgui.core.library.care as care

    real = care.finish_pending_update
    monkeypatch.setattr(care, "finish_pending_update", lambda root: False)  # "crash" before the swap
    update_model(client, tmp_path, "acme/model")
    assert read_manifest(root).commit == old_commit
    assert (root / "config.json").read_bytes() == FILES["config.json"]
    assert (update_dir(root, new_commit) / "config.json").is_file()
    monkeypatch.setattr(care, "finish_pending_update", real)
    assert finish_pending_update(root) is True
    assert read_manifest(root).commit == new_commit
    assert (root / "config.json").read_bytes() == b'{"v": 3}\n'
    assert not (root / "old-notes.txt").exists()
    assert Library(tmp_path).check("acme/model") == []
    assert finish_pending_update(root) is False


def test_update_keeps_the_original_selection(hub, client, tmp_path):
    handle = hub.add_repo("acme/sel", files=FILES)
    download_model(client, DownloadRequest("acme/sel", include=("*.json",)), tmp_path)
    handle.commit(
        files={"config.json": b'{"v": 2}\n', "weights/b.safetensors": generated_content(10, seed=3)}
    )
    result = update_model(client, tmp_path, "acme/sel")
    assert result.downloaded == ("config.json",)
    assert not (tmp_path / "acme" / "sel" / "weights").exists()


def test_update_of_a_model_not_installed(hub, client, tmp_path):
    with pytest.raises(ModelNotInstalledError):
        update_model(client, tmp_path, "acme/none")
