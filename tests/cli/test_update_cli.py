"""`hfgui update` and `hfgui list --updates` against the emulator."""

from __future__ import annotations

import json

import pytest

from hfgui.cli.main import main
from hfgui.core.store.manifest import read_manifest
from tests.hubemu import generated_content

FILES = {"config.json": b'{"v": 1}\n', "model.safetensors": generated_content(100_000, seed=1)}


@pytest.fixture
def installed(hub_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    handle = hub_env.add_repo("acme/small", files=FILES)
    assert main(["download", "acme/small"]) == 0
    capsys.readouterr()
    return handle


def test_list_updates_then_update(installed, hub_env, tmp_path, capsys):
    old = installed.sha
    assert main(["list", "--updates", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["update"]["available"] is False

    new = installed.commit(files={"config.json": b'{"v": 2}\n'})
    assert main(["list", "--updates"]) == 0
    out = capsys.readouterr().out
    assert f"new: {new[:12]}" in out and "1 update available" in out

    hub_env.clear_requests()
    assert main(["update", "acme/small"]) == 0
    out = capsys.readouterr().out
    assert f"{old[:12]} → {new[:12]}" in out
    assert "Updated acme/small" in out and "1 downloaded, 1 kept, 0 removed" in out
    assert ".hfgui" not in out  # the folder shown is the model's, not the internal staging one
    assert out.index(f"{old[:12]} → {new[:12]}") < out.index("Updated acme/small")
    assert hub_env.requests_for("model.safetensors") == []
    root = tmp_path / "hfgui-home" / "data" / "models" / "acme" / "small"
    assert read_manifest(root).commit == new

    assert main(["update", "acme/small", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["ok"] is True and summary["updated"] is False


def test_failed_update_exits_1_and_says_the_model_is_unchanged(installed, hub_env, tmp_path, capsys):
    installed.commit(files={"model.safetensors": generated_content(100_000, seed=2)})
    hub_env.faults.corrupt("model.safetensors", 10, times=2)
    assert main(["update", "acme/small"]) == 1
    err = capsys.readouterr().err
    assert "left as it was" in err
    assert err.index("left as it was") < err.index("Try again later")  # the next step comes last
    assert main(["check", "acme/small"]) == 0


def test_update_of_unknown_model_exits_1(installed, capsys):
    assert main(["update", "acme/other"]) == 1
    err = capsys.readouterr().err
    assert "acme/other is not installed" in err
    assert "installed copy" not in err  # there is none to speak of
    assert err.strip().endswith("hfgui download acme/other")


def test_update_in_the_cache_fetches_only_the_change(hub_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    handle = hub_env.add_repo("acme/cached", files=FILES)
    assert main(["download", "acme/cached", "--cache"]) == 0
    new = handle.commit(files={"config.json": b'{"v": 2}\n'})
    hub_env.clear_requests()
    assert main(["update", "acme/cached", "--cache"]) == 0
    assert f"updated to {new[:12]}" in capsys.readouterr().out
    assert hub_env.requests_for("model.safetensors") == []
    from hfgui.core.store import hfcache

    model = hfcache.cached_model("acme/cached", tmp_path / "hf-home" / "hub")
    assert model.latest.commit == new and model.latest.complete is True


def test_update_json_failures_end_in_a_summary_event(installed, capsys):
    for argv, code in ((["update", "not a repo", "--json"], 2), (["update", "acme/other", "--json"], 1)):
        assert main(argv) == code
        last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert last["event"] == "summary" and last["ok"] is False and last["exit_code"] == code, argv
