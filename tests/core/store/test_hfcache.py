"""The Hugging Face cache layout written and read by hfgui.core.store.hfcache, checked on the files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from hfgui.core.errors import InvalidRepoIdError, UnsafePathError
from hfgui.core.store import hfcache
from hfgui.core.store.hfcache import CacheTarget, placing
from hfgui.core.types import TreeEntry

REPO = "apple/coreml-demo"
COMMIT = "a" * 40
OTHER_COMMIT = "b" * 40


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def verified(tmp_path: Path, data: bytes, name: str = "v") -> Path:
    """A file as the downloader leaves it after verification."""
    path = tmp_path / "ready" / f"{name}-{sha256(data)[:8]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def target(tmp_path) -> CacheTarget:
    t = CacheTarget(REPO, COMMIT, "main", tmp_path / "hub")
    hfcache.prepare(t)
    return t


# --- where the cache is -------------------------------------------------------------------------


def test_cache_dir_env_precedence(tmp_path):
    assert hfcache.hub_cache_dir(
        {"HF_HUB_CACHE": "/a", "HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c"}
    ) == Path("/a")
    assert hfcache.hub_cache_dir({"HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c"}) == Path("/b")
    assert hfcache.hub_cache_dir({"HF_HOME": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c/hub")
    assert hfcache.hub_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/huggingface/hub")
    assert hfcache.hub_cache_dir({}) == Path(os.path.expanduser("~/.cache/huggingface/hub"))
    assert hfcache.hub_cache_dir({"HF_HOME": "~/hf"}) == Path(os.path.expanduser("~/hf/hub"))


def test_layout_paths(target):
    assert target.repo_folder.name == "models--apple--coreml-demo"
    assert target.blob_path("AB" * 20) == target.repo_folder / "blobs" / ("ab" * 20)
    assert target.snapshot_path("a/b.bin") == target.repo_folder / "snapshots" / COMMIT / "a" / "b.bin"
    assert target.ref_path() == target.repo_folder / "refs" / "main"
    assert CacheTarget(REPO, COMMIT, COMMIT, target.cache_dir).ref_path() is None
    assert CacheTarget(REPO, COMMIT, "refs/pr/1", target.cache_dir).ref_path() == (
        target.repo_folder / "refs" / "refs" / "pr" / "1"
    )
    # Staging shares the repo folder (same filesystem as blobs/) and is no part of huggingface_hub's layout.
    assert target.staging_dir.parent == target.repo_folder
    assert target.ready_path("x.bin", "c" * 64).is_relative_to(target.staging_dir)
    assert (
        (target.cache_dir / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )


def test_bad_commit_and_repo_id_refused(tmp_path):
    with pytest.raises(UnsafePathError):
        CacheTarget(REPO, "../../etc", "main", tmp_path)
    with pytest.raises(InvalidRepoIdError):
        CacheTarget("no-owner", COMMIT, "main", tmp_path)


# --- installing ---------------------------------------------------------------------------------


def test_install_links_snapshot_to_blob(target, tmp_path):
    data = b"weights" * 100
    src = verified(tmp_path, data)
    pointer = hfcache.install_file(target, "X.mlpackage/Data/weights/weight.bin", sha256(data), src)
    blob = target.blobs_dir / sha256(data)
    assert pointer == target.snapshot_dir / "X.mlpackage" / "Data" / "weights" / "weight.bin"
    assert pointer.is_symlink()
    assert os.readlink(pointer) == os.path.join("..", "..", "..", "..", "..", "blobs", sha256(data))
    assert pointer.read_bytes() == data
    assert blob.is_file() and not blob.is_symlink()
    assert not src.exists()  # moved, not copied


def test_install_is_idempotent(target, tmp_path):
    data = b'{"a": 1}'
    src = verified(tmp_path, data)
    first = hfcache.install_file(target, "config.json", git_sha1(data), src)
    link_before = os.lstat(first)
    again = hfcache.install_file(target, "config.json", git_sha1(data), src)  # src is gone by now
    assert again == first
    assert os.lstat(first).st_ino == link_before.st_ino  # the link was left alone
    assert first.read_bytes() == data
    # A fresh verified copy of the same content is dropped, not stored twice.
    hfcache.install_file(target, "config.json", git_sha1(data), verified(tmp_path, data, "again"))
    assert sorted(p.name for p in target.blobs_dir.iterdir()) == [git_sha1(data)]


def test_same_content_two_paths_one_blob(target, tmp_path):
    data = b"same bytes in two places"
    etag = sha256(data)
    a = hfcache.install_file(target, "a/weight.bin", etag, verified(tmp_path, data, "a"))
    b = hfcache.install_file(target, "b/weight.bin", etag, verified(tmp_path, data, "b"))
    assert [p.name for p in target.blobs_dir.iterdir()] == [etag]
    assert a.read_bytes() == b.read_bytes() == data
    assert os.path.realpath(a) == os.path.realpath(b)
    assert not list((tmp_path / "ready").iterdir())  # the duplicate copy was removed


def test_install_replaces_a_wrong_sized_blob(target, tmp_path):
    data = b"the right content"
    etag = sha256(data)
    target.blobs_dir.mkdir(parents=True, exist_ok=True)
    (target.blobs_dir / etag).write_bytes(b"trunc")  # left by a crashed tool
    pointer = hfcache.install_file(target, "m.bin", etag, verified(tmp_path, data))
    assert pointer.read_bytes() == data


def test_new_version_relinks_atomically(target, tmp_path):
    old, new = b"version one", b"version two!"
    pointer = hfcache.install_file(target, "m.bin", sha256(old), verified(tmp_path, old, "o"))
    hfcache.install_file(target, "m.bin", sha256(new), verified(tmp_path, new, "n"))
    assert pointer.read_bytes() == new
    assert not hfcache.file_installed(target, "m.bin", len(old), sha256(old))
    assert hfcache.file_installed(target, "m.bin", len(new), sha256(new))
    assert not [p for p in pointer.parent.iterdir() if p.name.startswith(".")]  # no temporary link left


@pytest.mark.parametrize(
    "path", ["../escape.bin", "/etc/passwd", "a/../../b", "a\\b", "C:/x", "a//b", "", "nul\0byte"]
)
def test_hostile_paths_refused(target, tmp_path, path):
    src = verified(tmp_path, b"x")
    with pytest.raises(UnsafePathError):
        hfcache.install_file(target, path, sha256(b"x"), src)
    assert src.exists()  # nothing was taken
    assert not (target.snapshot_dir).exists()


def test_snapshot_symlink_escape_refused(target, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target.snapshot_dir.mkdir(parents=True)
    os.symlink(outside, target.snapshot_dir / "evil")
    with pytest.raises(UnsafePathError):
        hfcache.install_file(target, "evil/x.bin", sha256(b"x"), verified(tmp_path, b"x"))
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("etag", ["../../../x", "abc", "g" * 64, "a" * 41])
def test_hostile_etag_refused(target, tmp_path, etag):
    with pytest.raises(UnsafePathError):
        hfcache.install_file(target, "ok.bin", etag, verified(tmp_path, b"x"))
    assert list(target.blobs_dir.iterdir()) == []


def test_no_symlink_fallback_moves_file_into_snapshot(target, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_SYMLINKS", "1")
    assert not hfcache.symlinks_supported(target.repo_folder)
    data = b"real file"
    pointer = hfcache.install_file(target, "dir/file.bin", sha256(data), verified(tmp_path, data))
    assert pointer.is_file() and not pointer.is_symlink()
    assert pointer.read_bytes() == data
    assert hfcache.file_installed(target, "dir/file.bin", len(data), sha256(data))
    assert hfcache.install_file(target, "dir/file.bin", sha256(data), tmp_path / "gone") == pointer


def test_symlink_probe_failure_falls_back(target, tmp_path, monkeypatch):
    """A disk without symlink support (Windows without developer mode) is detected by trying one."""
    placing._symlink_support.clear()

    def refuse(*args, **kwargs):
        raise OSError(1314, "A required privilege is not held by the client")

    monkeypatch.setattr(os, "symlink", refuse)
    assert not hfcache.symlinks_supported(target.repo_folder)
    pointer = hfcache.install_file(target, "f.bin", sha256(b"abc"), verified(tmp_path, b"abc"))
    assert pointer.read_bytes() == b"abc" and not pointer.is_symlink()
    assert not [p for p in target.repo_folder.iterdir() if p.name.startswith(".hfgui-symlink")]
    placing._symlink_support.clear()


def test_link_existing_blob(target, tmp_path):
    data = b"shared between revisions"
    hfcache.install_file(target, "w.bin", sha256(data), verified(tmp_path, data))
    newer = CacheTarget(REPO, OTHER_COMMIT, "main", target.cache_dir)
    pointer = hfcache.link_existing_blob(newer, "w.bin", sha256(data), len(data), verify=True)
    assert pointer == newer.snapshot_path("w.bin") and pointer.read_bytes() == data
    assert hfcache.link_existing_blob(newer, "x.bin", sha256(b"nope"), 4) is None
    assert hfcache.link_existing_blob(newer, "y.bin", sha256(data), len(data) + 1) is None
    # A blob whose bytes do not match its name is refused when asked to verify.
    bad = sha256(b"claimed")
    (target.blobs_dir / bad).write_bytes(b"other!!")
    assert hfcache.link_existing_blob(newer, "z.bin", bad, 7, verify=True) is None
    copy = hfcache.link_existing_blob(newer, "c.bin", sha256(data), len(data), symlinks=False)
    assert copy.read_bytes() == data and not copy.is_symlink()
    assert (target.blobs_dir / sha256(data)).is_file()  # copied, the blob stays for the others


def test_missing_files_and_complete(target, tmp_path):
    files = {"a.txt": b"alpha", "d/b.bin": b"beta" * 10}
    expected = {p: (len(d), git_sha1(d) if p.endswith(".txt") else sha256(d)) for p, d in files.items()}
    assert hfcache.missing_files(target, expected) == ["a.txt", "d/b.bin"]
    hfcache.install_file(target, "a.txt", expected["a.txt"][1], verified(tmp_path, files["a.txt"]))
    assert hfcache.missing_files(target, expected) == ["d/b.bin"]
    assert not hfcache.snapshot_complete(target, expected)
    hfcache.install_file(target, "d/b.bin", expected["d/b.bin"][1], verified(tmp_path, files["d/b.bin"]))
    assert hfcache.snapshot_complete(target, expected)
    (target.blobs_dir / expected["d/b.bin"][1]).unlink()  # broken link
    assert hfcache.missing_files(target, expected) == ["d/b.bin"]


# --- refs and trees -----------------------------------------------------------------------------


def test_write_ref_atomic_and_unchanged(target):
    assert hfcache.write_ref(target) is True
    ref = target.repo_folder / "refs" / "main"
    assert ref.read_bytes() == COMMIT.encode()  # no newline
    assert target.snapshot_dir.is_dir()  # a ref never points at a missing snapshot
    os.utime(ref, (1_000_000, 1_000_000))
    assert hfcache.write_ref(target) is False
    assert ref.stat().st_mtime == 1_000_000  # untouched
    moved = CacheTarget(REPO, OTHER_COMMIT, "main", target.cache_dir)
    assert hfcache.write_ref(moved) is True
    assert ref.read_text() == OTHER_COMMIT
    assert [p.name for p in ref.parent.iterdir()] == ["main"]  # no temporary file left
    assert hfcache.write_ref(CacheTarget(REPO, COMMIT, COMMIT, target.cache_dir)) is False


def test_write_ref_replaces_via_rename(target, monkeypatch):
    """The new ref appears through os.replace of a finished temp file: readers never see it half written."""
    hfcache.write_ref(target)
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((Path(src), Path(dst), Path(src).read_text()))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    hfcache.write_ref(CacheTarget(REPO, OTHER_COMMIT, "main", target.cache_dir))
    assert len(calls) == 1
    src, dst, content = calls[0]
    assert dst == target.repo_folder / "refs" / "main" and src.parent == dst.parent and src != dst
    assert content == OTHER_COMMIT


def test_hostile_revision_refused(target):
    with pytest.raises(UnsafePathError):
        hfcache.write_ref(CacheTarget(REPO, COMMIT, "../../../evil", target.cache_dir))
    assert not (target.cache_dir.parent / "evil").exists()


def test_write_tree_format(target):
    entries = [
        TreeEntry("config.json", "file", 10, "1" * 40),
        TreeEntry("w.bin", "file", 2048, "2" * 40, lfs_sha256="3" * 64, lfs_size=2048, xet_hash="4" * 64),
        TreeEntry("odd.bin", "file", 5, "5" * 40, lfs_sha256="6" * 64, lfs_size=5, xet_hash="not-a-hash"),
        TreeEntry("sub", "directory"),
    ]
    assert hfcache.write_tree(target, entries) is True
    data = json.loads(target.tree_file.read_text())
    assert data == {
        "format_version": 1,
        "files": {
            "config.json": {"size": 10, "blob_id": "1" * 40},
            "odd.bin": {"size": 5, "blob_id": "5" * 40, "lfs_sha256": "6" * 64, "lfs_size": 5},
            "w.bin": {
                "size": 2048,
                "blob_id": "2" * 40,
                "lfs_sha256": "3" * 64,
                "lfs_size": 2048,
                "xet_hash": "4" * 64,
            },
        },
    }
    assert hfcache.write_tree(target, entries[:1]) is False  # a commit's listing never changes
    assert json.loads(target.tree_file.read_text()) == data


def test_write_tree_skips_hostile_listing(target):
    entries = [TreeEntry("ok", "file", 1, "1" * 40), TreeEntry("../bad", "file", 1, "2" * 40)]
    assert hfcache.write_tree(target, entries) is False
    assert not target.tree_file.exists()


# --- reading ------------------------------------------------------------------------------------


def test_cached_models_and_find_snapshot(target, tmp_path):
    files = {"config.json": b"{}", "a/w.bin": b"w" * 300, "b/w.bin": b"w" * 300}
    for path, data in files.items():
        etag = sha256(data) if path.endswith(".bin") else git_sha1(data)
        hfcache.install_file(target, path, etag, verified(tmp_path, data, path.replace("/", "_")))
    hfcache.write_ref(target)
    hfcache.write_tree(target, [TreeEntry(p, "file", len(d), git_sha1(d)) for p, d in files.items()])
    (target.cache_dir / "models--junk").mkdir()  # no snapshots: not a model
    (target.cache_dir / "datasets--x--y" / "snapshots").mkdir(parents=True)  # not a model either

    [model] = hfcache.cached_models(target.cache_dir)
    assert model.repo_id == REPO
    assert model.path == target.repo_folder
    assert model.size_on_disk == 2 + 300  # two paths share one blob
    assert model.file_count == 2
    rev = model.latest
    assert rev.commit == COMMIT and rev.refs == ("main",) and rev.complete is True
    assert [(f.path, f.size, f.linked) for f in rev.files] == [
        ("a/w.bin", 300, True),
        ("b/w.bin", 300, True),
        ("config.json", 2, True),
    ]
    assert hfcache.cached_model(REPO, target.cache_dir) == model
    assert hfcache.find_snapshot(REPO, "main", target.cache_dir) == target.snapshot_dir
    assert hfcache.find_snapshot(REPO, COMMIT, target.cache_dir) == target.snapshot_dir
    assert hfcache.find_snapshot(REPO, "dev", target.cache_dir) is None
    assert hfcache.find_snapshot(REPO, OTHER_COMMIT, target.cache_dir) is None
    assert hfcache.find_snapshot(REPO, "../../x", target.cache_dir) is None
    assert hfcache.find_snapshot("other/model", "main", target.cache_dir) is None

    target.snapshot_path("config.json").unlink()
    assert hfcache.cached_models(target.cache_dir)[0].latest.complete is False


def test_cached_models_of_missing_cache(tmp_path):
    assert hfcache.cached_models(tmp_path / "nowhere") == []
    assert hfcache.cached_model(REPO, tmp_path / "nowhere") is None


def test_reuse_cached_installs_leftovers_and_links_blobs(target, tmp_path):
    installed, leftover, shared = b"already there", b"verified before a crash", b"from another revision"
    hfcache.install_file(target, "in.txt", git_sha1(installed), verified(tmp_path, installed))
    older = CacheTarget(REPO, OTHER_COMMIT, "main", target.cache_dir)
    hfcache.install_file(older, "old/name.bin", sha256(shared), verified(tmp_path, shared))
    ready = target.ready_path("left.bin", sha256(leftover))
    ready.parent.mkdir(parents=True, exist_ok=True)
    ready.write_bytes(leftover)
    expected = {
        "in.txt": (len(installed), git_sha1(installed)),
        "left.bin": (len(leftover), sha256(leftover)),
        "new/name.bin": (len(shared), sha256(shared)),
        "todo.bin": (4, sha256(b"todo")),
    }
    assert hfcache.blob_available(target, sha256(shared), len(shared))
    assert not hfcache.blob_available(target, sha256(b"todo"), 4)
    assert hfcache.reuse_cached(target, expected) == ["in.txt", "left.bin", "new/name.bin"]
    assert hfcache.missing_files(target, expected) == ["todo.bin"]
    assert not ready.exists()
    assert target.snapshot_path("new/name.bin").read_bytes() == shared
    assert target.snapshot_path("left.bin").read_bytes() == leftover


def test_delete_cached_model(target, tmp_path):
    data = b"x" * 1000
    hfcache.install_file(target, "w.bin", sha256(data), verified(tmp_path, data))
    hfcache.write_ref(target)
    other = CacheTarget("someone/else", COMMIT, "main", target.cache_dir)
    hfcache.install_file(other, "w.bin", sha256(data), verified(tmp_path, data, "o"))
    locks = target.cache_dir / ".locks" / target.repo_folder.name
    locks.mkdir(parents=True)
    freed = hfcache.delete_cached_model(REPO, target.cache_dir)
    assert freed >= 1000
    assert not target.repo_folder.exists() and not locks.exists()
    assert [m.repo_id for m in hfcache.cached_models(target.cache_dir)] == ["someone/else"]
    assert hfcache.delete_cached_model(REPO, target.cache_dir) == 0
