"""The built-in catalog against the emulator's demo data set (which mirrors the catalog's repos)."""

from __future__ import annotations

import json

import pytest

from hfgui.cli.main import main
from hfgui.core.library.catalog import load_builtin_catalog, select_files
from hfgui.core.wire.hub import HubClient
from tests.hubemu.demo import populate

# Catalog repos the demo data set does not hold yet (reported to the emulator's owner).
NOT_IN_DEMO = {"distilbert/distilgpt2", "apple/coreml-stable-diffusion-v1-5-palettized"}


@pytest.fixture
def demo(hub_env):
    return populate(hub_env, scale=0.001)


def test_every_catalog_entry_selects_files_in_the_demo(hub_env, demo) -> None:
    client = HubClient(hub_env.url, token=False)
    missing = set()
    for entry in load_builtin_catalog():
        if entry.repo not in hub_env.repos:
            missing.add(entry.repo)
            continue
        chosen = select_files(entry, client.iter_tree(entry.repo, entry.revision))
        assert chosen, entry.id
        if entry.format == "onnx":  # graph and external weights together
            assert any(f.path.endswith(".onnx") for f in chosen), entry.id
            assert any(f.path.endswith((".onnx.data", ".onnx_data")) for f in chosen), entry.id
        if entry.framework == "mlx":
            assert {"config.json", "tokenizer.json"} <= {f.path for f in chosen}, entry.id
    assert missing <= NOT_IN_DEMO


def test_verify_whole_catalog_with_the_demo_token(hub_env, demo, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", demo.token)
    code = main(["verify", "--json"])
    reports = {r["repo"]: r for r in json.loads(capsys.readouterr().out)}
    present = {repo: r for repo, r in reports.items() if repo not in NOT_IN_DEMO}
    assert present and all(r["verdict"] == "no authentication required" for r in present.values())
    assert all(r["downloadable"] and r["account"] == demo.user for r in present.values())
    assert code == (0 if NOT_IN_DEMO <= set(hub_env.repos) else 1)  # missing repos are "not found"


def test_verify_demo_gated_and_private_repos(hub_env, demo, capsys, monkeypatch) -> None:
    from tests.hubemu.demo import GATED_REPO, GATED_UNGRANTED_REPO, PRIVATE_REPO

    monkeypatch.setenv("HF_TOKEN", demo.token)
    code = main(["verify", "--json", GATED_REPO, GATED_UNGRANTED_REPO, PRIVATE_REPO])
    reports = {r["repo"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 1
    assert (
        reports[GATED_REPO]["verdict"] == "license acceptance required"
        and reports[GATED_REPO]["downloadable"]
    )
    assert reports[GATED_UNGRANTED_REPO]["verdict"] == "license acceptance required"
    assert not reports[GATED_UNGRANTED_REPO]["downloadable"]
    assert reports[PRIVATE_REPO]["verdict"] == "token required" and reports[PRIVATE_REPO]["downloadable"]
