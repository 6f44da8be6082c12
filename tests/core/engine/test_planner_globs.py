"""Include/exclude globbing matches huggingface_hub's filter_repo_objects exactly."""

from __future__ import annotations

import pytest
from huggingface_hub.utils import filter_repo_objects

from hfgui.core.engine.selection import expand_directory_includes
from hfgui.core.globs import matches

PATHS = [
    "config.json",
    "README.md",
    ".gitattributes",
    "model.safetensors",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
    "X.mlpackage/Manifest.json",
    "X.mlpackage/Data/com.apple.CoreML/model.mlmodel",
    "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
    "data/a/b.json",
    "data/c.json",
    "Q4/model-Q4_K_M-00001-of-00003.gguf",
    "Upper.JSON",
]

CASES = [
    ((), ()),
    (("*.json",), ()),
    (("data/*.json",), ()),
    (("X.mlpackage/",), ()),
    (("X.mlpackage/*",), ("*.bin",)),
    ((), ("*.safetensors", ".*")),
    (("*.safetensors",), ("model.safetensors",)),
    (("*Q4_K_M*.gguf",), ()),
    (("*.[jJ][sS][oO][nN]",), ()),
    (("config.json", "README.md"), ()),
    (("X.mlpackage\\Data\\",), ()),
    (("?EADME.md",), ()),
]


@pytest.mark.parametrize(("include", "exclude"), CASES)
def test_matches_huggingface_hub(include, exclude):
    expected = list(
        filter_repo_objects(
            PATHS, allow_patterns=list(include) or None, ignore_patterns=list(exclude) or None
        )
    )
    assert [p for p in PATHS if matches(p, include, exclude)] == expected


def test_fnmatch_is_case_sensitive():
    assert not matches("Upper.JSON", ("*.json",))


def test_bare_folder_name_selects_the_folder():
    include = expand_directory_includes(("X.mlpackage", "*.json"), ["X.mlpackage", "X.mlpackage/Data"])
    selected = [p for p in PATHS if matches(p, include)]
    assert "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin" in selected
    assert "config.json" in selected
    # A glob is never widened.
    assert expand_directory_includes(("X.*",), ["X.mlpackage"]) == ("X.*",)


@pytest.mark.parametrize(
    ("include", "exclude", "says"),
    [
        (("*.gguf",), (), "no file in o/m at main matches *.gguf"),
        (("*.json",), ("*.json",), "no file in o/m at main matches *.json (excluding *.json)"),
        ((), ("*",), "every file in o/m at main is excluded by *"),
    ],
)
def test_a_selection_of_nothing_says_why_in_one_line(tmp_path, include, exclude, says):
    from hfgui.core.engine.planner import DownloadRequest, plan_from_entries
    from hfgui.core.errors import HfGuiError
    from hfgui.core.types import TreeEntry

    entries = [TreeEntry("config.json", "file", 10, "a" * 40), TreeEntry("w.bin", "file", 20, "b" * 40)]
    request = DownloadRequest("o/m", include=include, exclude=exclude)
    with pytest.raises(HfGuiError) as caught:
        plan_from_entries(request, "c" * 40, entries, endpoint="https://hub.example", library_root=tmp_path)
    assert caught.value.message == f"Nothing to download: {says}."
    assert caught.value.hint == "List the repository's files with: hfgui files o/m"
