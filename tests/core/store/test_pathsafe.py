"""Server-supplied paths can never write outside the download folder."""

from __future__ import annotations

import os

import pytest

from hfgui.core.errors import UnsafePathError
from hfgui.core.store.pathsafe import safe_join


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("/etc/passwd", "absolute"),
        ("../outside.bin", "'..'"),
        ("a/../../outside.bin", "'..'"),
        ("a/./b", "'.'"),
        ("..", "'..'"),
        ("a\\..\\b", "backslash"),
        ("C:/Windows/evil.dll", "drive letter"),
        ("c:evil", "drive letter"),
        ("a/C:/evil", "drive letter"),
        ("a//b", "empty path segment"),
        ("a/", "empty path segment"),
        ("", "empty"),
        ("a\0b", "NUL"),
    ],
)
def test_hostile_entries_are_refused(tmp_path, entry, reason):
    with pytest.raises(UnsafePathError) as caught:
        safe_join(tmp_path, entry)
    message = str(caught.value)
    assert reason in message
    assert "\0" not in message and "\n" not in message


def test_error_names_the_entry(tmp_path):
    with pytest.raises(UnsafePathError) as caught:
        safe_join(tmp_path, "../x")
    assert caught.value.path == "../x" and "'../x'" in str(caught.value)


@pytest.mark.parametrize(
    "entry",
    [
        "config.json",
        "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
        "with space/ünïcödé.txt",
        "..hidden/ok..name",
        "ab:c",
    ],
)
def test_ordinary_entries_join(tmp_path, entry):
    assert safe_join(tmp_path, entry) == tmp_path.joinpath(*entry.split("/"))


def test_symlink_inside_root_cannot_lead_out(tmp_path):
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "link")
    with pytest.raises(UnsafePathError, match="outside the download folder"):
        safe_join(root, "link/file.bin")
    os.symlink(root / "sub", root / "inner")  # a link that stays inside is fine
    assert safe_join(root, "inner/file.bin") == root / "inner" / "file.bin"
