"""A broken or hostile listing is refused while planning, with one line and nothing written."""

from __future__ import annotations

import pytest

from hfgui.core.errors import HfGuiError, UnsafePathError
from hfgui.core.planner import DownloadRequest, plan_from_entries
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
