"""Library listing, checking and deleting, on folders built the way the downloader leaves them."""

from __future__ import annotations

import hashlib

import pytest

from hfgui.core.errors import InvalidRepoIdError, ModelNotInstalledError
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store.manifest import Manifest, ManifestFile, append_journal, write_manifest


def _git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _install(root, files: dict[str, bytes], repo_id="o/m"):
    model = root / repo_id
    for path, data in files.items():
        (model / path).parent.mkdir(parents=True, exist_ok=True)
        (model / path).write_bytes(data)
    entries = tuple(ManifestFile(p, len(d), _git_sha1(d)) for p, d in files.items())
    write_manifest(model, Manifest(repo_id, "main", "c" * 40, entries, 0.0))
    return model


def test_empty_or_missing_library_lists_nothing(tmp_path):
    assert Library(tmp_path / "nope").installed() == []


def test_states_installed_incomplete_and_missing_files(tmp_path):
    _install(tmp_path, {"a.txt": b"aaa", "d/b.txt": b"bb"}, "o/good")
    broken = _install(tmp_path, {"a.txt": b"aaa", "b.txt": b"bb"}, "o/broken")
    (broken / "b.txt").unlink()
    partial = tmp_path / "o" / "partial"
    partial.mkdir(parents=True)
    (partial / "x.bin").write_bytes(b"12345")
    append_journal(partial, "c" * 40, ManifestFile("x.bin", 5, "e" * 64))
    models = {m.repo_id: m for m in Library(tmp_path).installed()}
    assert models["o/good"].state is InstallState.INSTALLED
    assert models["o/good"].size == 5 and models["o/good"].file_count == 2
    assert models["o/broken"].state is InstallState.MISSING_FILES
    assert models["o/partial"].state is InstallState.INCOMPLETE and models["o/partial"].size == 5


def test_an_unfinished_model_counts_its_verified_files_and_its_partials(tmp_path):
    from hfgui.core.store import partials

    model = tmp_path / "o" / "half"
    model.mkdir(parents=True)
    (model / "done.bin").write_bytes(b"x" * 100)
    append_journal(model, "c" * 40, ManifestFile("done.bin", 100, "e" * 64), fetched=True)
    staging = Library(tmp_path).staging_dir
    staging.mkdir()
    key = partials.partial_key("o/half", "big.bin", "f" * 64)
    partials.part_path(staging, key).write_bytes(b"y" * 1000)
    sidecar = partials.Sidecar("http://hub/x", "o/half", "c" * 40, "big.bin", "f" * 64, 5000)
    partials.write_sidecar(partials.sidecar_path(staging, key), sidecar)
    [half] = Library(tmp_path).installed()
    assert half.state is InstallState.INCOMPLETE
    assert half.size == 1100  # what Delete frees: the verified file and the partial


def test_check_reports_missing_resized_and_corrupted_files(tmp_path):
    model = _install(tmp_path, {"a.txt": b"aaa", "b.txt": b"bbb", "c.txt": b"ccc", "d.txt": b"ddd"})
    (model / "a.txt").unlink()
    (model / "b.txt").write_bytes(b"bbbb")
    (model / "c.txt").write_bytes(b"cXc")
    problems = {p.path: p.kind for p in Library(tmp_path).check("o/m")}
    assert problems == {"a.txt": "missing", "b.txt": "size", "c.txt": "hash"}


def test_check_and_delete_refuse_unknown_or_bad_ids(tmp_path):
    library = Library(tmp_path)
    with pytest.raises(ModelNotInstalledError):
        library.check("o/absent")
    with pytest.raises(ModelNotInstalledError):
        library.delete("o/absent")
    with pytest.raises(InvalidRepoIdError):
        library.delete("../etc")
