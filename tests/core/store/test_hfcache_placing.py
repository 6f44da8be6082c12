"""Files and links put in place by hfgui.core.store.hfcache.placing: never half there, also across disks."""

from __future__ import annotations

import errno
import os

import pytest

from hfgui.core.store.hfcache import placing


def refuse_cross_device_rename(monkeypatch, src):
    """os.replace as it behaves when `src` is on another filesystem than its destination."""
    real_replace = os.replace

    def replace(a, b):
        if os.fspath(a) == os.fspath(src):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(a, b)

    monkeypatch.setattr(os, "replace", replace)


def test_move_across_filesystems_copies_then_renames(tmp_path, monkeypatch):
    src = tmp_path / "ready" / "file"
    src.parent.mkdir()
    src.write_bytes(b"weights")
    dst = tmp_path / "blobs" / "abc"
    dst.parent.mkdir()
    dst.write_bytes(b"old")
    refuse_cross_device_rename(monkeypatch, src)
    placing.move_into_place(src, dst)
    assert dst.read_bytes() == b"weights"
    assert not src.exists()
    assert sorted(p.name for p in dst.parent.iterdir()) == ["abc"]  # no temporary copy left


def test_move_fails_on_other_errors_and_leaves_the_source(tmp_path):
    src = tmp_path / "file"
    src.write_bytes(b"x")
    with pytest.raises(OSError):
        placing.move_into_place(src, tmp_path / "no-such-folder" / "file")
    assert src.read_bytes() == b"x"


def test_failed_copy_leaves_no_temporary_file(tmp_path):
    dst = tmp_path / "out" / "file"
    dst.parent.mkdir()
    with pytest.raises(FileNotFoundError):
        placing.copy_into_place(tmp_path / "missing", dst)
    assert list(dst.parent.iterdir()) == []


def test_link_replaces_a_file_with_a_relative_link(tmp_path):
    blob = tmp_path / "blobs" / "abc"
    blob.parent.mkdir()
    blob.write_bytes(b"data")
    pointer = tmp_path / "snapshots" / "c" / "model.bin"
    pointer.parent.mkdir(parents=True)
    pointer.write_bytes(b"a copy from the no-symlink fallback")
    placing.link_relative(blob, pointer)
    assert os.readlink(pointer) == os.path.join("..", "..", "blobs", "abc")
    assert pointer.read_bytes() == b"data"
    assert sorted(p.name for p in pointer.parent.iterdir()) == ["model.bin"]


def test_symlinks_disabled_by_the_huggingface_hub_switch():
    assert placing.symlinks_disabled({"HF_HUB_DISABLE_SYMLINKS": "yes"})
    assert not placing.symlinks_disabled({"HF_HUB_DISABLE_SYMLINKS": "0"})
    assert not placing.symlinks_disabled({})
