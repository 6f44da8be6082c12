"""Settings: defaults, round trip, tolerant loading and recovery from a corrupt file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from hfgui.core.settings import DEFAULT_ENDPOINT, SCHEMA_VERSION, Settings, load_settings, save_settings
from hfgui.core.store.paths import AppPaths


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.from_environment({"HFGUI_HOME": str(tmp_path)})


def test_missing_file_gives_defaults(paths: AppPaths) -> None:
    settings = load_settings(paths)
    assert settings == Settings()
    assert settings.parallel_files == 0 and settings.parallel_models == 2  # 0: adaptive
    assert settings.auto_resume is True and settings.use_hf_cache is False
    assert settings.proxy_mode == "system" and settings.segments_per_file == 0
    assert settings.library_root(paths) == paths.default_library


def test_round_trip_keeps_every_field(paths: AppPaths, tmp_path: Path) -> None:
    changed = Settings(
        library_dir=str(tmp_path / "lib"),
        parallel_files=8,
        parallel_models=1,
        endpoint="http://mirror.example:8080",
        auto_resume=False,
        segments_per_file=4,
        use_hf_cache=True,
        proxy_mode="manual",
        proxy_url="http://proxy.local:3128",
    )
    save_settings(paths, changed)
    assert load_settings(paths) == changed
    on_disk = json.loads(paths.settings_file.read_text(encoding="utf-8"))
    assert on_disk["schema_version"] == SCHEMA_VERSION
    assert "token" not in json.dumps(on_disk).lower()
    assert changed.library_root(paths) == tmp_path / "lib"


def test_save_is_atomic_and_leaves_no_temp_files(paths: AppPaths) -> None:
    save_settings(paths, Settings(parallel_files=3))
    save_settings(paths, Settings(parallel_files=5))
    assert [p.name for p in paths.config_dir.iterdir()] == ["settings.json"]
    assert load_settings(paths).parallel_files == 5


def test_unknown_keys_ignored_and_kept_on_save(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    newer = {"parallel_files": 6, "from_the_future": [1, 2]}
    paths.settings_file.write_text(json.dumps(newer), encoding="utf-8")
    settings = load_settings(paths)
    assert settings.parallel_files == 6
    save_settings(paths, dataclasses.replace(settings, parallel_models=3))
    on_disk = json.loads(paths.settings_file.read_text(encoding="utf-8"))
    assert on_disk["from_the_future"] == [1, 2]
    assert on_disk["parallel_models"] == 3


def test_bad_values_fall_back_to_defaults_with_warnings(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    bad = {
        "parallel_files": "many",
        "parallel_models": 0,
        "auto_resume": "yes",
        "proxy_mode": "carrier-pigeon",
        "endpoint": "ftp://nope",
        "segments_per_file": True,
        "library_dir": "/data/models",
    }
    paths.settings_file.write_text(json.dumps(bad), encoding="utf-8")
    warnings: list[str] = []
    settings = load_settings(paths, warnings)
    assert settings.parallel_files == 0
    assert settings.parallel_models == 2
    assert settings.auto_resume is True
    assert settings.proxy_mode == "system"
    assert settings.endpoint is None
    assert settings.segments_per_file == 0
    assert settings.library_dir == "/data/models"  # valid values survive next to bad ones
    assert len(warnings) == 6
    assert any("parallel_files" in w and "'many'" in w for w in warnings)


def test_old_fixed_defaults_become_adaptive_but_chosen_values_stay(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    # Version 1 wrote every field, so its defaults (4 files, 1 connection) were pinned in every file.
    version_1 = {"schema_version": 1, "parallel_files": 4, "segments_per_file": 1, "parallel_models": 3}
    paths.settings_file.write_text(json.dumps(version_1), encoding="utf-8")
    settings = load_settings(paths)
    assert (settings.parallel_files, settings.segments_per_file, settings.parallel_models) == (0, 0, 3)

    hand_edited = {"schema_version": 1, "parallel_files": 12, "segments_per_file": 6}
    paths.settings_file.write_text(json.dumps(hand_edited), encoding="utf-8")
    assert (load_settings(paths).parallel_files, load_settings(paths).segments_per_file) == (12, 6)

    save_settings(paths, Settings(parallel_files=4, segments_per_file=1))  # chosen now: kept as chosen
    settings = load_settings(paths)
    assert (settings.parallel_files, settings.segments_per_file) == (4, 1)


@pytest.mark.parametrize("content", ["{not json", "[1, 2, 3]", "\udcff"])
def test_corrupt_file_is_set_aside_and_defaults_used(paths: AppPaths, content: str) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_bytes(content.encode("utf-8", "surrogateescape"))
    warnings: list[str] = []
    assert load_settings(paths, warnings) == Settings()
    assert len(warnings) == 1 and "renamed" in warnings[0]
    aside = [p for p in paths.config_dir.iterdir() if p.name.startswith("settings.json.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes() == content.encode("utf-8", "surrogateescape")  # nothing lost
    assert not paths.settings_file.exists()
    save_settings(paths, Settings(parallel_files=2))  # and the app can save again afterwards
    assert load_settings(paths).parallel_files == 2


def test_effective_endpoint_precedence() -> None:
    assert Settings().effective_endpoint({}) == DEFAULT_ENDPOINT
    assert Settings().effective_endpoint({"HF_ENDPOINT": "http://m.local/"}) == "http://m.local"
    saved = Settings(endpoint="https://mirror.example/")
    assert saved.effective_endpoint({"HF_ENDPOINT": "http://m.local"}) == "https://mirror.example"


def test_unreadable_settings_path_is_left_alone(paths: AppPaths) -> None:
    paths.settings_file.mkdir(parents=True)  # a folder where the file should be
    warnings: list[str] = []
    assert load_settings(paths, warnings) == Settings()
    assert len(warnings) == 1 and "cannot be read" in warnings[0]
    assert paths.settings_file.is_dir()
