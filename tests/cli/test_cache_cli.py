"""`hfgui download --cache`, `list` and `delete --cache` against huggingface_hub's own cache code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hfgui.cli.main import main
from hfgui.core.settings import Settings, save_settings
from hfgui.core.store import hfcache
from hfgui.core.store.manifest import read_manifest
from hfgui.core.store.paths import AppPaths
from tests.hubemu import generated_content

hf = pytest.importorskip("huggingface_hub")
from huggingface_hub import constants, hf_hub_download, scan_cache_dir, snapshot_download  # noqa: E402

FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "weights/model.safetensors": generated_content(120_000, seed=4),
}


def _bytes(content) -> bytes:
    return content if isinstance(content, bytes) else content.read(0, content.size)


@pytest.fixture
def cli_env(hub_env, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    return hub_env


@pytest.fixture
def hf_cache(tmp_path) -> Path:
    return tmp_path / "hf-home" / "hub"  # what hub_env's HF_HOME makes huggingface_hub's cache


def _library(tmp_path: Path) -> Path:
    return tmp_path / "hfgui-home" / "data" / "models"


def test_download_cache_is_seen_by_huggingface_hub(cli_env, hf_cache, tmp_path, capsys, monkeypatch):
    handle = cli_env.add_repo("acme/demo", files=FILES)
    assert main(["download", "acme/demo", "--cache"]) == 0
    assert "Installed acme/demo" in capsys.readouterr().out
    assert not _library(tmp_path).exists()

    info = scan_cache_dir(hf_cache)
    assert info.warnings == []
    [repo] = info.repos
    assert repo.repo_id == "acme/demo" and repo.nb_files == 2
    [rev] = repo.revisions
    assert rev.commit_hash == handle.sha and set(rev.refs) == {"main"}

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    for path, content in FILES.items():
        got = hf_hub_download("acme/demo", path, cache_dir=hf_cache, local_files_only=True)
        assert Path(got).read_bytes() == _bytes(content)
    folder = Path(snapshot_download("acme/demo", cache_dir=hf_cache, local_files_only=True))
    assert not (folder / ".hfgui").exists()


def test_download_cache_into_a_chosen_folder(cli_env, tmp_path, capsys):
    handle = cli_env.add_repo("acme/demo", files=FILES)
    other = tmp_path / "elsewhere"
    assert main(["download", "acme/demo", f"--cache={other}", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["ok"] is True and summary["commit"] == handle.sha
    assert hfcache.find_snapshot("acme/demo", "main", other) is not None
    assert Path(summary["path"]) == hfcache.CacheTarget("acme/demo", handle.sha, "main", other).snapshot_dir


def test_list_shows_a_snapshot_download_as_hf_cache(cli_env, hf_cache, capsys):
    handle = cli_env.add_repo("acme/theirs", files=FILES)
    snapshot_download("acme/theirs", cache_dir=hf_cache, endpoint=cli_env.url, token=False)
    assert main(["list", "--json"]) == 0
    [model] = json.loads(capsys.readouterr().out)
    assert model["repo"] == "acme/theirs"
    assert model["source"] == "hf-cache" and model["state"] == "installed"
    assert model["commit"] == handle.sha and model["files"] == 2
    assert model["size"] == sum(len(_bytes(c)) for c in FILES.values())
    assert main(["list"]) == 0
    table = capsys.readouterr().out
    assert "acme/theirs" in table and "hf-cache" in table
    assert main(["list", "--no-cache", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_one_file_in_the_cache_is_listed_installed_not_incomplete(cli_env, hf_cache, capsys):
    for repo in ("acme/quants", "acme/single"):
        cli_env.add_repo(repo, files=FILES)
    assert main(["download", "acme/quants", "config.json", "--cache"]) == 0  # hfgui's own
    hf_hub_download("acme/single", "config.json", cache_dir=hf_cache, endpoint=cli_env.url, token=False)
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    listed = {m["repo"]: m for m in json.loads(capsys.readouterr().out)}
    for repo in ("acme/quants", "acme/single"):
        assert listed[repo]["state"] == "installed" and listed[repo]["files"] == 1, listed[repo]


def test_settings_default_and_no_cache_override(cli_env, hf_cache, tmp_path, capsys):
    handle = cli_env.add_repo("acme/demo", files=FILES)
    save_settings(AppPaths.from_environment(), Settings(use_hf_cache=True))
    assert main(["download", "acme/demo"]) == 0
    assert hfcache.find_snapshot("acme/demo", "main", hf_cache) is not None
    assert not _library(tmp_path).exists()

    assert main(["download", "acme/demo", "--no-cache"]) == 0
    manifest = read_manifest(_library(tmp_path) / "acme" / "demo")
    assert manifest is not None and manifest.commit == handle.sha
    capsys.readouterr()
    assert main(["download", "acme/demo", "--cache", "--no-cache"]) == 2  # a usage error
    assert "contradict" in capsys.readouterr().err


def test_delete_cache_removes_the_repo_folder(cli_env, hf_cache, capsys):
    cli_env.add_repo("acme/demo", files=FILES)
    assert main(["download", "acme/demo", "--cache"]) == 0
    capsys.readouterr()
    assert main(["delete", "acme/demo", "--cache", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Deleted acme/demo from the Hugging Face cache; freed ")
    assert hfcache.cached_model("acme/demo", hf_cache) is None
    assert scan_cache_dir(hf_cache).repos == frozenset()
    assert main(["delete", "acme/demo", "--cache", "--yes"]) == 1
    assert "not in the Hugging Face cache" in capsys.readouterr().err


def test_check_cache_rehashes_what_huggingface_hub_downloaded(cli_env, hf_cache, capsys):
    handle = cli_env.add_repo("acme/theirs", files=FILES)
    snapshot_download("acme/theirs", cache_dir=hf_cache, endpoint=cli_env.url, token=False)
    assert main(["check", "acme/theirs", "--cache"]) == 0
    assert f"acme/theirs @ {handle.sha[:12]}: all 2 files match their hashes" in capsys.readouterr().out

    weights = hf_cache / "models--acme--theirs" / "snapshots" / handle.sha / "weights" / "model.safetensors"
    blob = weights.resolve()
    data = bytearray(blob.read_bytes())
    data[777] ^= 0x20
    blob.write_bytes(bytes(data))
    assert main(["check", "acme/theirs", "--cache", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["commit"] == handle.sha and report["unchecked"] == 0
    assert [(p["path"], p["kind"]) for p in report["problems"]] == [("weights/model.safetensors", "hash")]
    assert blob.read_bytes() == bytes(data)  # reported, never changed: the cache is huggingface_hub's


def test_check_cache_of_a_model_not_in_the_cache_exits_1(cli_env, capsys):
    assert main(["check", "acme/absent", "--cache"]) == 1
    assert "acme/absent is not installed" in capsys.readouterr().err


def test_check_cache_uses_the_listing_for_copies_made_without_symlinks(
    cli_env, hf_cache, capsys, monkeypatch
):
    monkeypatch.setenv("HF_HUB_DISABLE_SYMLINKS", "1")
    handle = cli_env.add_repo("acme/copies", files=FILES)
    assert main(["download", "acme/copies", "--cache"]) == 0
    snapshot = hf_cache / "models--acme--copies" / "snapshots" / handle.sha
    assert not (snapshot / "config.json").is_symlink()
    capsys.readouterr()
    assert main(["check", "acme/copies", "--cache"]) == 0
    assert "all 2 files match their hashes" in capsys.readouterr().out

    (snapshot / "config.json").write_bytes(b'{"model_type": "xxxx"}\n')  # same size, other bytes
    assert main(["check", "acme/copies", "--cache", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(p["path"], p["kind"]) for p in report["problems"]] == [("config.json", "hash")]
