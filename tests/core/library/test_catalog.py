"""Catalog: built-in entries valid, schema errors named, user models persisted, file selection."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from hfgui import resources_dir
from hfgui.core.errors import EntryNotFoundError
from hfgui.core.library.catalog import (
    CatalogEntry,
    CatalogError,
    add_user_model,
    entry_from_dict,
    load_builtin_catalog,
    load_catalog,
    path_matches,
    remove_user_model,
    select_files,
)
from hfgui.core.store.paths import AppPaths
from hfgui.core.types import TreeEntry

OPENELM = [
    ("corenet-community/coreml-OpenELM-270M-Instruct", "OpenELM-270M-Instruct-128-float32.mlpackage"),
    ("corenet-community/coreml-OpenELM-450M-Instruct", "OpenELM-450M-Instruct-128-float32.mlpackage"),
    ("corenet-community/coreml-OpenELM-1_1B-Instruct", "OpenELM-1_1B-Instruct-128-float32.mlpackage"),
    ("corenet-community/coreml-OpenELM-3B-Instruct", "OpenELM-3B-Instruct-128-float32.mlpackage"),
]


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.from_environment({"HFGUI_HOME": str(tmp_path)})


def _raw(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "my-model",
        "name": "My model",
        "repo": "someone/my-model-GGUF",
        "files": ["my-model.Q4_K_M.gguf"],
        "framework": "llama.cpp",
        "format": "gguf",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def _user_entry(**overrides: Any) -> CatalogEntry:
    return entry_from_dict(_raw(**overrides), where="test")


# --- built-in catalog ---------------------------------------------------------------------------


def test_every_builtin_entry_is_valid_and_unique() -> None:
    entries = load_builtin_catalog()
    assert len(entries) >= 20
    assert len({e.id for e in entries}) == len(entries)
    raw = json.loads((resources_dir() / "catalog.json").read_text(encoding="utf-8"))
    for item in raw["models"]:
        assert not any(key in item for key in ("size", "size_bytes", "sha256")), item[
            "id"
        ]  # sizes come from the Hub


def test_builtin_has_the_guides_openelm_packages() -> None:
    by_repo = {e.repo: e for e in load_builtin_catalog()}
    for repo, folder in OPENELM:
        entry = by_repo[repo]
        assert entry.folder == folder
        assert entry.framework == "coreml" and entry.format == "mlpackage"
        assert entry.patterns() == ((f"{folder}/*",), ())


def test_builtin_fixes_the_original_apps_incomplete_entries() -> None:
    entries = load_builtin_catalog()
    onnx = [e for e in entries if e.format == "onnx"]
    assert onnx and all(e.folder for e in onnx), "ONNX graphs need their external weights: use the folder"
    mlx = [e for e in entries if e.framework == "mlx"]
    assert mlx
    for entry in mlx:
        include, exclude = entry.patterns()
        assert path_matches("config.json", include, exclude), entry.id
        assert path_matches("tokenizer.json", include, exclude) or path_matches(
            "tokenizer.model", include, exclude
        ), entry.id
    gguf = [e for e in entries if e.format == "gguf"]
    assert all(e.framework == "llama.cpp" for e in gguf)
    assert any(e.repo == "TheBloke/phi-2-GGUF" for e in gguf)  # was filed under ONNX by the original app


def test_onnx_folder_selects_graph_and_external_weights() -> None:
    entry = next(e for e in load_builtin_catalog() if e.id == "phi-3-mini-4k-instruct-onnx-int4")
    folder = entry.folder
    tree = [
        TreeEntry(f"{folder}/model.onnx", "file", 200),
        TreeEntry(f"{folder}/model.onnx_data", "file", 2_000_000),
        TreeEntry(f"{folder}/genai_config.json", "file", 10),
        TreeEntry("cuda/model.onnx", "file", 200),
        TreeEntry(folder, "directory"),
    ]
    assert [t.path for t in select_files(entry, tree)] == [t.path for t in tree[:3]]


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"repo": "not-a-repo-id"}, "'repo' is invalid"),
        ({"framework": "tensorflow"}, "'framework' must be one of"),
        ({"format": "exe"}, "'format' must be one of"),
        ({"name": ""}, "'name' is required"),
        ({"folder": "pkg.mlpackage"}, "exactly one of 'files', 'folder' or 'include'"),
        ({"files": ...}, "exactly one of 'files', 'folder' or 'include'"),
        ({"files": []}, "'files' must not be empty"),
        ({"files": ["../escape.gguf"]}, "relative path inside the repository"),
        ({"exclude": ["*.md"]}, "'exclude' is only allowed together with 'include'"),
        ({"context_length": -5}, "'context_length' must be a positive integer"),
        ({"ram_min_gb": 8, "ram_recommended_gb": 4}, "'ram_min_gb' is larger"),
        ({"fles": ["x"]}, "unknown key fles"),
        ({"fles": ["x"], "nmae": "y"}, "unknown keys fles, nmae"),
        ({"id": "Has Spaces"}, "'id' must be lowercase"),
    ],
)
def test_schema_errors_name_the_entry_and_field(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(CatalogError) as info:
        entry_from_dict(_raw(**overrides), where="#7")
    message = str(info.value)
    assert expected in message
    assert "#7" in message
    assert "\n" not in message


def test_invalid_builtin_catalog_names_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.json"
    bad.write_text(json.dumps({"models": [_raw(), _raw(id="second", framework="nope")]}), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"'second'.*'framework'"):
        load_builtin_catalog(bad)
    bad.write_text(json.dumps({"models": [_raw(), _raw()]}), encoding="utf-8")
    with pytest.raises(CatalogError, match="'my-model' appears twice"):
        load_builtin_catalog(bad)


def test_include_exclude_entry() -> None:
    entry = _user_entry(files=..., include=["*.safetensors", "*.json", "tokenizer.model"], exclude=["*.md"])
    include, exclude = entry.patterns()
    assert path_matches("model-00001-of-00002.safetensors", include, exclude)
    assert path_matches("sub/dir/config.json", include, exclude)  # '*' crosses '/'
    assert not path_matches("README.md", include, exclude)
    assert not path_matches("weights.npz", include, exclude)


# --- user models --------------------------------------------------------------------------------


def test_user_models_persist_across_loads_and_can_be_removed(paths: AppPaths) -> None:
    builtin_count = len(load_builtin_catalog())
    stored = add_user_model(paths, _user_entry())
    assert stored.user_added
    add_user_model(
        paths,
        _user_entry(id="other", files=..., folder="pkg.mlpackage", format="mlpackage", framework="coreml"),
    )
    entries = load_catalog(paths)
    assert len(entries) == builtin_count + 2
    mine = {e.id: e for e in entries if e.user_added}
    assert mine["my-model"].files == ("my-model.Q4_K_M.gguf",)
    assert mine["other"].folder == "pkg.mlpackage"
    assert isinstance(json.loads(paths.user_catalog_file.read_text(encoding="utf-8")), list)

    assert remove_user_model(paths, "my-model") is True
    assert remove_user_model(paths, "my-model") is False
    assert [e.id for e in load_catalog(paths) if e.user_added] == ["other"]
    assert not [p for p in paths.config_dir.iterdir() if p.name.endswith(".tmp")]


def test_user_model_ids_must_be_unique(paths: AppPaths) -> None:
    builtin_id = load_builtin_catalog()[0].id
    with pytest.raises(CatalogError, match="built-in model already has the id"):
        add_user_model(paths, _user_entry(id=builtin_id))
    add_user_model(paths, _user_entry())
    with pytest.raises(CatalogError, match="already added"):
        add_user_model(paths, _user_entry(name="again"))


def test_invalid_user_entry_is_skipped_but_kept(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    broken = _raw(id="broken", framework="???")
    paths.user_catalog_file.write_text(json.dumps([broken, _raw()]), encoding="utf-8")
    warnings: list[str] = []
    entries = load_catalog(paths, warnings)
    assert [e.id for e in entries if e.user_added] == ["my-model"]
    assert len(warnings) == 1 and "'broken'" in warnings[0]
    add_user_model(paths, _user_entry(id="third"))
    on_disk = json.loads(paths.user_catalog_file.read_text(encoding="utf-8"))
    assert on_disk[0] == broken  # the entry we could not read is still there, untouched
    assert [item["id"] for item in on_disk] == ["broken", "my-model", "third"]


def test_unreadable_user_catalog_is_reported_not_overwritten(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.user_catalog_file.write_text("{oops", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot be read"):
        add_user_model(paths, _user_entry())
    assert paths.user_catalog_file.read_text(encoding="utf-8") == "{oops"


# --- selecting files ----------------------------------------------------------------------------


def _tree(*paths_and_sizes: tuple[str, int]) -> list[TreeEntry]:
    return [TreeEntry(p, "file", s) for p, s in paths_and_sizes]


def test_select_files_for_a_folder_entry() -> None:
    entry = _user_entry(files=..., folder="X.mlpackage", format="mlpackage", framework="coreml")
    tree = [
        TreeEntry("X.mlpackage", "directory"),
        *_tree(
            ("X.mlpackage/Manifest.json", 600),
            ("X.mlpackage/Data/com.apple.CoreML/model.mlmodel", 1000),
            ("X.mlpackage.backup/other.bin", 5),
            ("README.md", 10),
        ),
    ]
    chosen = select_files(entry, tree)
    assert [t.path for t in chosen] == [
        "X.mlpackage/Manifest.json",
        "X.mlpackage/Data/com.apple.CoreML/model.mlmodel",
    ]


def test_select_files_exact_names_with_glob_characters() -> None:
    entry = _user_entry(files=["weird[1].gguf"])
    tree = _tree(("weird[1].gguf", 3), ("weird1.gguf", 4))
    assert [t.path for t in select_files(entry, tree)] == ["weird[1].gguf"]


def test_select_files_reports_what_is_missing() -> None:
    entry = _user_entry(files=["a.gguf", "b.gguf"])
    with pytest.raises(EntryNotFoundError, match=r"'b\.gguf' does not exist in someone/my-model-GGUF"):
        select_files(entry, _tree(("a.gguf", 1)))
    folder_entry = _user_entry(files=..., folder="gone.mlpackage", format="mlpackage", framework="coreml")
    with pytest.raises(EntryNotFoundError, match=r"gone\.mlpackage"):
        select_files(folder_entry, _tree(("a.gguf", 1)))


def test_trailing_slash_pattern_means_whole_folder() -> None:
    assert path_matches("pkg/a/b.bin", ["pkg/"])
    assert not path_matches("pkgx/a.bin", ["pkg/"])
    assert path_matches("anything", [])
    assert not path_matches("Config.json", ["config.json"])  # case-sensitive like huggingface_hub


def test_to_dict_round_trips() -> None:
    for entry in load_builtin_catalog():
        again = entry_from_dict(entry.to_dict(), where="round trip")
        assert again == entry
    custom = dataclasses.replace(_user_entry(), quantization=None, description="")
    assert "quantization" not in custom.to_dict()
