"""hfgui's cache writer and reader against huggingface_hub 2.4 itself, in both directions."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from hfgui.core.store import hfcache
from hfgui.core.store.hfcache import CacheTarget
from hfgui.core.types import TreeEntry
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

hf = pytest.importorskip("huggingface_hub")
from huggingface_hub import constants, hf_hub_download, scan_cache_dir, snapshot_download  # noqa: E402
from huggingface_hub.errors import IncompleteSnapshotError  # noqa: E402

REPO = "corenet-community/coreml-demo"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
WEIGHT = "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
FILES = {
    "README.md": b"# demo\n",
    "config.json": b'{"architectures": ["Demo"]}',
    "X.mlpackage/Manifest.json": b'{"fileFormatVersion": "1.0.0"}',
    WEIGHT: bytes(range(256)) * 64,
    "copy-of-weight.bin": bytes(range(256)) * 64,  # same content, second path: one blob
}
LFS = {WEIGHT, "copy-of-weight.bin"}


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer_oid(data: bytes) -> str:
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(data).hexdigest()}\n"
    return git_sha1(pointer.encode() + f"size {len(data)}\n".encode())


def tree_entries() -> list[TreeEntry]:
    entries = []
    for path, data in FILES.items():
        if path in LFS:
            sha = hashlib.sha256(data).hexdigest()
            entries.append(TreeEntry(path, "file", len(data), lfs_pointer_oid(data), sha, len(data)))
        else:
            entries.append(TreeEntry(path, "file", len(data), git_sha1(data)))
    entries.append(TreeEntry("X.mlpackage", "directory"))
    return entries


def build_with_hfgui(cache_dir: Path, *, symlinks: bool | None = None) -> CacheTarget:
    """What `hfgui download --cache` does: verified files installed one by one, then the tree and the ref."""
    target = CacheTarget(REPO, COMMIT, "main", cache_dir)
    hfcache.prepare(target)
    for entry in tree_entries():
        if not entry.is_file:
            continue
        ready = target.ready_path(entry.path, entry.etag)
        ready.parent.mkdir(parents=True, exist_ok=True)
        ready.write_bytes(FILES[entry.path])
        hfcache.install_file(target, entry.path, entry.etag, ready, symlinks=symlinks)
    hfcache.write_tree(target, tree_entries())
    hfcache.write_ref(target)
    return target


@pytest.fixture
def offline(monkeypatch):
    """huggingface_hub reads its switches at import time: set both the variable and the constant."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture
def plain_http(hub_env, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


# --- hfgui writes, huggingface_hub reads ---------------------------------------------------------


def test_scan_cache_dir_sees_hfgui_cache(tmp_path):
    cache = tmp_path / "hub"
    build_with_hfgui(cache)
    info = scan_cache_dir(cache)
    assert info.warnings == []
    [repo] = info.repos
    assert repo.repo_id == REPO and repo.repo_type == "model"
    assert repo.nb_files == 4  # five paths, four distinct blobs
    distinct = {hashlib.sha256(d).hexdigest(): len(d) for d in FILES.values()}
    assert repo.size_on_disk == sum(distinct.values())
    [rev] = repo.revisions
    assert rev.commit_hash == COMMIT and set(rev.refs) == {"main"}
    files = {f.file_path.relative_to(rev.snapshot_path).as_posix(): f.size_on_disk for f in rev.files}
    assert files == {path: len(data) for path, data in FILES.items()}


@pytest.mark.parametrize("revision", ["main", COMMIT])
def test_hf_hub_download_offline_finds_files(tmp_path, offline, revision):
    cache = tmp_path / "hub"
    build_with_hfgui(cache)
    for path, data in FILES.items():
        got = hf_hub_download(REPO, path, revision=revision, cache_dir=cache, local_files_only=True)
        assert Path(got).read_bytes() == data
        assert Path(got).is_symlink()


@pytest.mark.parametrize("revision", ["main", COMMIT])
def test_snapshot_download_offline_returns_snapshot(tmp_path, offline, revision):
    cache = tmp_path / "hub"
    target = build_with_hfgui(cache)
    folder = Path(snapshot_download(REPO, revision=revision, cache_dir=cache, local_files_only=True))
    assert folder.resolve() == target.snapshot_dir.resolve()
    for path, data in FILES.items():
        assert (folder / path).read_bytes() == data


def test_tree_file_lets_huggingface_hub_spot_a_partial_snapshot(tmp_path, offline):
    """huggingface_hub parses our trees/<commit>.json: with one file gone it refuses the snapshot."""
    cache = tmp_path / "hub"
    target = build_with_hfgui(cache)
    target.snapshot_path("config.json").unlink()
    with pytest.raises(IncompleteSnapshotError):
        snapshot_download(REPO, cache_dir=cache, local_files_only=True)


def test_no_symlink_fallback_readable_by_huggingface_hub(tmp_path, offline, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_SYMLINKS", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_SYMLINKS", True)
    cache = tmp_path / "hub"
    target = build_with_hfgui(cache)  # detection decides: the switch says no symlinks
    for path, data in FILES.items():
        pointer = target.snapshot_path(path)
        assert pointer.is_file() and not pointer.is_symlink()
        got = hf_hub_download(REPO, path, revision="main", cache_dir=cache, local_files_only=True)
        assert Path(got).read_bytes() == data
    folder = Path(snapshot_download(REPO, cache_dir=cache, local_files_only=True))
    assert (folder / WEIGHT).read_bytes() == FILES[WEIGHT]
    [repo] = scan_cache_dir(cache).repos
    assert {f.file_name for f in next(iter(repo.revisions)).files} >= {"weight.bin", "README.md"}
    assert hfcache.cached_models(cache)[0].latest.complete is True


def test_online_huggingface_hub_reuses_hfgui_cache(hub, plain_http, tmp_path):
    """Same content on a live Hub: huggingface_hub downloads nothing and skips the tree listing."""
    handle = hub.add_repo(REPO, FILES, lfs=lambda path, size: path in LFS)
    client = HubClient(endpoint=hub.url, token=False)
    entries = client.list_tree(REPO, handle.sha, recursive=True)
    cache = tmp_path / "hub"
    target = CacheTarget(REPO, handle.sha, "main", cache)
    hfcache.prepare(target)
    for entry in entries:
        if entry.is_file:
            ready = target.ready_path(entry.path, entry.etag)
            ready.parent.mkdir(parents=True, exist_ok=True)
            ready.write_bytes(FILES[entry.path])
            hfcache.install_file(target, entry.path, entry.etag, ready)
    assert hfcache.write_tree(target, entries)
    hfcache.write_ref(target)
    hub.clear_requests()

    folder = Path(snapshot_download(REPO, cache_dir=cache, endpoint=hub.url, token=False))
    assert folder.resolve() == target.snapshot_dir.resolve()
    assert (folder / WEIGHT).read_bytes() == FILES[WEIGHT]
    paths = [r.path for r in hub.requests]
    assert paths == [f"/api/models/{REPO}/revision/main"]  # only the commit lookup
    assert not [p for p in paths if "/resolve/" in p or "/tree/" in p], paths
    assert len(list(target.blobs_dir.iterdir())) == 4  # nothing added next to our blobs


# --- huggingface_hub writes, hfgui reads ---------------------------------------------------------


def test_hfgui_reads_cache_written_by_huggingface_hub(hub, plain_http, tmp_path):
    big = generated_content(300_000, seed=5)
    files = {
        "config.json": b'{"a": 1}',
        "README.md": "# hi\n",
        WEIGHT: big,
        "X.mlpackage/Manifest.json": b"{}",
    }
    handle = hub.add_repo(REPO, files)
    cache = tmp_path / "hub"
    folder = Path(snapshot_download(REPO, cache_dir=cache, endpoint=hub.url, token=False))

    [model] = hfcache.cached_models(cache)
    assert model.repo_id == REPO
    rev = model.latest
    assert rev.commit == handle.sha and rev.refs == ("main",)
    assert rev.complete is True  # huggingface_hub's own trees/<commit>.json
    assert model.file_count == 4
    assert model.size_on_disk == 8 + 5 + 300_000 + 2
    assert {f.path: f.size for f in rev.files}[WEIGHT] == 300_000
    assert hfcache.find_snapshot(REPO, "main", cache) == folder
    assert hfcache.find_snapshot(REPO, handle.sha, cache) == folder

    # "Already installed" for hfgui: every file of the commit is there in the right version.
    client = HubClient(endpoint=hub.url, token=False)
    entries = [e for e in client.list_tree(REPO, handle.sha, recursive=True) if e.is_file]
    target = CacheTarget(REPO, handle.sha, "main", cache)
    assert hfcache.snapshot_complete(target, {e.path: (e.size, e.etag) for e in entries})
    assert hfcache.write_tree(target, entries) is False  # huggingface_hub's listing is kept
    assert hfcache.write_ref(target) is False  # and so is its ref


def test_update_reuses_blobs_from_huggingface_hub(hub, plain_http, tmp_path):
    """A newer commit changes one file: hfgui links the unchanged blobs and needs to fetch only the change."""
    handle = hub.add_repo(REPO, {"config.json": b'{"v": 1}', WEIGHT: generated_content(50_000, seed=1)})
    cache = tmp_path / "hub"
    snapshot_download(REPO, cache_dir=cache, endpoint=hub.url, token=False)
    old_sha = handle.sha
    new_sha = handle.commit(files={"config.json": b'{"v": 2}'})
    client = HubClient(endpoint=hub.url, token=False)
    entries = {e.path: e for e in client.list_tree(REPO, new_sha, recursive=True) if e.is_file}
    target = CacheTarget(REPO, new_sha, "main", cache)

    weight = entries[WEIGHT]
    linked = hfcache.link_existing_blob(target, WEIGHT, weight.etag, weight.size, verify=True)
    assert linked is not None and linked.stat().st_size == 50_000
    config = entries["config.json"]
    assert hfcache.link_existing_blob(target, "config.json", config.etag, config.size) is None
    assert hfcache.missing_files(target, {p: (e.size, e.etag) for p, e in entries.items()}) == ["config.json"]

    ready = target.ready_path("config.json", config.etag)
    ready.parent.mkdir(parents=True, exist_ok=True)
    ready.write_bytes(b'{"v": 2}')
    hfcache.install_file(target, "config.json", config.etag, ready)
    hfcache.write_ref(target)
    info = scan_cache_dir(cache)
    assert info.warnings == []
    [repo] = info.repos
    revs = {r.commit_hash: r for r in repo.revisions}
    assert set(revs) == {old_sha, new_sha}
    assert set(revs[new_sha].refs) == {"main"}
    assert hfcache.cached_models(cache)[0].latest.commit == new_sha


def test_cache_dir_agrees_with_huggingface_hub(tmp_path):
    """huggingface_hub computes its cache folder at import time: compare in fresh interpreters."""
    import subprocess
    import sys

    variants = [
        {"HF_HUB_CACHE": str(tmp_path / "a")},
        {"HUGGINGFACE_HUB_CACHE": str(tmp_path / "b"), "HF_HOME": str(tmp_path / "c")},
        {"HF_HOME": str(tmp_path / "c"), "XDG_CACHE_HOME": str(tmp_path / "x")},
        {"XDG_CACHE_HOME": str(tmp_path / "x")},
        {"HOME": str(tmp_path / "home")},
    ]
    names = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME")
    script = "from huggingface_hub import constants; print(constants.HF_HUB_CACHE)"
    for variant in variants:
        env = {k: v for k, v in os.environ.items() if k not in names}
        env.update(variant)
        theirs = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        ours = subprocess.run(
            [
                sys.executable,
                "-c",
                "from hfgui.core.store.hfcache import hub_cache_dir; print(hub_cache_dir())",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[3],
        ).stdout.strip()
        assert Path(ours) == Path(theirs), variant
