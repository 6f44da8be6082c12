"""A broken or hostile listing is refused while planning, with one line and nothing written."""

from __future__ import annotations

import pytest

from hfgui.core.engine import path_checks
from hfgui.core.engine.planner import DownloadRequest, plan_from_entries
from hfgui.core.errors import HfGuiError, UnsafePathError
from hfgui.core.store.pathsafe import case_collisions, folder_ignores_case
from hfgui.core.types import TreeEntry

COMMIT = "a" * 40


def _plan(tmp_path, *entries: TreeEntry):
    request = DownloadRequest("acme/tiny")
    return plan_from_entries(request, COMMIT, entries, endpoint="http://127.0.0.1:1", library_root=tmp_path)


@pytest.mark.parametrize("path", [".HFGUI/manifest.json", ".Hfgui/verified.jsonl"])
def test_metadata_folder_in_another_case_is_refused(tmp_path, path):
    # On a case-insensitive disk (macOS, Windows) these land in hfgui's own .hfgui folder.
    with pytest.raises(UnsafePathError):
        _plan(tmp_path, TreeEntry(path, "file", 3, oid="b" * 40))
    assert not (tmp_path / "acme").exists()


@pytest.mark.parametrize("oid", ["", "not-a-hash", "../../etc/passwd", "b" * 39])
def test_an_etag_that_cannot_be_checked_is_refused_as_a_one_line_error(tmp_path, oid):
    with pytest.raises(HfGuiError) as caught:
        _plan(tmp_path, TreeEntry("config.json", "file", 3, oid=oid))
    assert "config.json" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "acme").exists()


CASE_TWINS = (
    TreeEntry("Model.bin", "file", 3, oid="b" * 40),
    TreeEntry("model.bin", "file", 4, oid="c" * 40),
)


def test_names_that_differ_only_in_case_are_refused_where_the_disk_ignores_case(tmp_path, monkeypatch):
    monkeypatch.setattr(path_checks, "folder_ignores_case", lambda folder: True)  # as on macOS or Windows
    with pytest.raises(HfGuiError) as caught:
        _plan(tmp_path, *CASE_TWINS, TreeEntry("config.json", "file", 2, oid="d" * 40))
    message = str(caught.value)
    assert "'Model.bin' and 'model.bin'" in message and "ignores case" in message and "--exclude" in message
    assert "\n" not in message
    assert not (tmp_path / "acme").exists()
    # Leaving one out is the way through.
    request = DownloadRequest("acme/tiny", exclude=("model.bin",))
    plan = plan_from_entries(
        request, COMMIT, CASE_TWINS, endpoint="http://127.0.0.1:1", library_root=tmp_path
    )
    assert [t.path for t in plan.tasks] == ["Model.bin"]


def test_names_that_differ_only_in_case_are_kept_apart_on_a_case_sensitive_disk(tmp_path):
    assert not folder_ignores_case(tmp_path)  # this machine's disk: the real probe
    assert list(tmp_path.iterdir()) == []  # the probe leaves nothing behind
    plan = _plan(tmp_path, *CASE_TWINS)
    assert sorted(t.path for t in plan.tasks) == ["Model.bin", "model.bin"]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["Model.bin", "model.bin", "a/b"], [("Model.bin", "model.bin")]),
        (["tokenizer", "Tokenizer/vocab.json"], [("Tokenizer", "tokenizer")]),
        (["Dir/a", "dir/a"], [("Dir/a", "dir/a")]),
        (["caf\u00e9.txt", "cafe\u0301.txt"], [("caf\u00e9.txt", "cafe\u0301.txt")]),  # NFC vs NFD
        (["Dir/a", "dir/b"], []),  # folders only merge: nothing is lost
        (["a", "b", "c/d"], []),
    ],
)
def test_case_collisions(paths, expected):
    assert {frozenset(pair) for pair in case_collisions(paths)} == {frozenset(pair) for pair in expected}
