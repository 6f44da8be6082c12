"""Cache mode: the download engine stores into a Hugging Face cache (blobs, snapshots, refs, trees)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest, plan_download, plan_from_entries
from hfgui.core.errors import DownloadCancelledError, UnsafePathError
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store import hfcache
from hfgui.core.types import TreeEntry
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "weights/model.safetensors": generated_content(200_000, seed=3),
    "README.md": b"# demo\n",
}


@pytest.fixture
def client(hub):
    return HubClient(endpoint=hub.url, token=False)


def _snapshot_files(snapshot: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, names in os.walk(snapshot):
        for name in names:
            full = Path(dirpath) / name
            out[full.relative_to(snapshot).as_posix()] = full.read_bytes()
    return out


def test_download_into_cache_lays_out_blobs_snapshot_ref_and_tree(hub, client, tmp_path):
    handle = hub.add_repo("acme/demo", files=FILES)
    cache = tmp_path / "hub"
    manifest = download_model(client, DownloadRequest("acme/demo", cache_dir=cache), tmp_path / "library")
    assert manifest.commit == handle.sha
    target = hfcache.CacheTarget("acme/demo", handle.sha, "main", cache)
    expected = {p: (c if isinstance(c, bytes) else c.read(0, c.size)) for p, c in FILES.items()}
    assert _snapshot_files(target.snapshot_dir) == expected
    assert all((target.snapshot_dir / p).is_symlink() for p in FILES)
    assert (target.repo_folder / "refs" / "main").read_text() == handle.sha
    assert target.tree_file.is_file()
    # Nothing of hfgui's own in the snapshot, no manifest in the library, no partial left behind.
    assert not (target.snapshot_dir / ".hfgui").exists()
    assert not (tmp_path / "library").exists()
    assert list(target.staging_dir.glob("*.part")) == []
    [model] = hfcache.cached_models(cache)
    assert model.latest.complete is True and model.latest.commit == handle.sha


def test_cache_plan_counts_blobs_of_other_revisions_as_present(hub, client, tmp_path):
    handle = hub.add_repo("acme/demo", files=FILES)
    cache = tmp_path / "hub"
    download_model(client, DownloadRequest("acme/demo", cache_dir=cache), None)
    new_sha = handle.commit(files={"config.json": b'{"model_type": "demo2"}\n'})
    plan = plan_download(client, DownloadRequest("acme/demo", cache_dir=cache), None)
    assert plan.commit == new_sha
    assert [t.path for t in plan.tasks] == ["config.json"]
    assert set(plan.present) == {"README.md", "weights/model.safetensors"}
    assert plan.cache_target is not None and plan.root == plan.cache_target.snapshot_dir
    assert len([e for e in plan.tree_entries if e.is_file]) == 3

    hub.clear_requests()
    download_model(client, DownloadRequest("acme/demo", cache_dir=cache), None)
    assert hub.requests_for("weights/model.safetensors") == []
    assert len([r for r in hub.requests_for("config.json") if r.method == "GET"]) >= 1
    model = hfcache.cached_model("acme/demo", cache)
    assert model is not None and model.latest.commit == new_sha and len(model.revisions) == 2


def test_cache_plan_keeps_unfiltered_tree_and_refuses_hostile_paths(tmp_path):
    entries = [
        TreeEntry("a.json", "file", 3, "1" * 40),
        TreeEntry("b.bin", "file", 5, "2" * 40, "3" * 64, 5),
    ]
    request = DownloadRequest("acme/demo", include=("a.json",), cache_dir=tmp_path / "hub")
    plan = plan_from_entries(request, "f" * 40, entries, endpoint="http://127.0.0.1:1", library_root=None)
    assert [f.path for f in plan.files] == ["a.json"]
    assert plan.tree_entries == tuple(entries)
    assert plan.tasks[0].dest.parent == plan.staging_dir / "ready"
    hostile = [TreeEntry("../../escape.json", "file", 3, "1" * 40)]
    with pytest.raises(UnsafePathError):
        plan_from_entries(
            DownloadRequest("acme/demo", cache_dir=tmp_path / "hub"),
            "f" * 40,
            hostile,
            endpoint="http://127.0.0.1:1",
            library_root=None,
        )
    bad_etag = [TreeEntry("x.json", "file", 3, "../../../etc")]
    with pytest.raises(UnsafePathError):
        plan_from_entries(
            DownloadRequest("acme/demo", cache_dir=tmp_path / "hub"),
            "f" * 40,
            bad_etag,
            endpoint="http://127.0.0.1:1",
            library_root=None,
        )
    assert not (tmp_path / "hub").exists()  # refused before anything was written


def test_cache_mode_resumes_after_cancel(hub, client, tmp_path):
    big = generated_content(6 * 2**20, seed=9)
    handle = hub.add_repo("o/resume", files={"small.json": b'{"a": 1}', "model.safetensors": big})
    hub.faults.stall("model.safetensors", after_bytes=2 * 2**20, seconds=0.3)
    cache = tmp_path / "hub"
    cancel = threading.Event()

    def on_progress(p):
        for f in p.files:
            if f.path == "model.safetensors" and f.bytes_done >= 2 * 2**20:
                cancel.set()

    request = DownloadRequest("o/resume", cache_dir=cache, workers=1)
    with pytest.raises(DownloadCancelledError):
        download_model(client, request, None, on_progress=on_progress, cancel=cancel)
    target = hfcache.CacheTarget("o/resume", handle.sha, "main", cache)
    parts = list(target.staging_dir.glob("*.part"))
    assert len(parts) == 1
    kept = parts[0].stat().st_size
    assert 2 * 2**20 <= kept < big.size
    assert not (target.repo_folder / "refs" / "main").exists()  # not complete: no ref yet

    hub.clear_requests()
    download_model(client, request, None)
    gets = [r for r in hub.requests_for("model.safetensors", host="cdn") if r.method == "GET"]
    assert len(gets) == 1 and gets[0].headers.get("Range") == f"bytes={kept}-"
    assert (target.snapshot_dir / "model.safetensors").read_bytes() == big.read(0, big.size)
    assert (target.repo_folder / "refs" / "main").read_text() == handle.sha


def test_library_lists_cached_models_as_hf_cache(hub, client, tmp_path):
    hub.add_repo("acme/demo", files=FILES)
    cache = tmp_path / "hub"
    download_model(client, DownloadRequest("acme/demo", cache_dir=cache), None)
    library = Library(tmp_path / "library")
    assert library.installed() == []
    [model] = library.all_models(cache)
    assert model.source == "hf-cache" and model.state is InstallState.INSTALLED
    assert model.file_count == 3 and model.revision == "main"
    assert model.size == sum(len(c) if isinstance(c, bytes) else c.size for c in FILES.values())
    assert library.all_models(cache, include_cache=False) == []
    # A snapshot with some of the repository's files is a selection (one GGUF of many), not unfinished...
    model_path = Path(model.root) / "README.md"
    model_path.unlink()
    [model] = library.all_models(cache)
    assert model.state is InstallState.INSTALLED and model.file_count == 2
    # ...while a partial download waiting in the repo's folder (huggingface_hub's own kind) is.
    (cache / "models--acme--demo" / "blobs" / "0123abc.incomplete").write_bytes(b"half")
    [model] = library.all_models(cache)
    assert model.state is InstallState.INCOMPLETE
