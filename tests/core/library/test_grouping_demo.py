"""Grouping the emulator's demo repositories, and downloading one item by its include patterns."""

from __future__ import annotations

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest, select_files
from hfgui.core.library.grouping import group_files
from hfgui.core.wire.hub import HubClient
from tests.hubemu import demo


@pytest.fixture
def demo_hub(hub):
    info = demo.populate(hub, scale=0.05)
    with HubClient(hub.url, token=info.token) as client:
        yield hub, info, client


def _group(client, repo_id):
    model = client.model_info(repo_id)
    entries = client.list_tree(repo_id, revision=model.sha)
    return entries, group_files(entries, library_name=model.library_name, tags=model.tags)


def test_every_demo_item_selects_exactly_its_files(demo_hub):
    _hub, info, client = demo_hub
    for repo_id in info.all_repos:
        entries, items = _group(client, repo_id)
        assert items[-1].kind == "repo", repo_id
        assert sum(i.recommended for i in items) <= 1, repo_id
        for item in items:
            selected = sorted(e.path for e in select_files(entries, item.include))
            assert selected == sorted(item.paths), (repo_id, item.label)


def test_demo_shapes_group_as_a_person_expects(demo_hub):
    _hub, _info, client = demo_hub
    _, tiny = _group(client, "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF")
    assert [i.label for i in tiny] == ["Q4_K_M", "Q2_K", "Q5_K_M", "Q8_0", "Whole repository"]
    assert tiny[0].recommended

    _, split = _group(client, demo.SPLIT_GGUF_REPO)
    assert [(i.label, i.file_count) for i in split[:2]] == [("Q4_K_M (2 parts)", 2), ("Q8_0", 1)]

    _, coreml = _group(client, "corenet-community/coreml-OpenELM-270M-Instruct")
    assert [(i.kind, i.file_count) for i in coreml] == [("mlpackage", 3), ("repo", 5)]

    _, onnx = _group(client, demo.ONNX_REPO)
    assert onnx[0].kind == "onnx"
    assert {"onnx/model.onnx", "onnx/model.onnx_data", "config.json", "tokenizer.json"} <= set(onnx[0].paths)

    for repo_id in demo.MLX_REPOS:
        _, mlx = _group(client, repo_id)
        assert [i.kind for i in mlx] == ["mlx", "repo"], repo_id
        assert "config.json" in mlx[0].paths


def test_downloading_an_item_fetches_exactly_its_files(demo_hub, tmp_path):
    hub, _info, client = demo_hub
    _, items = _group(client, "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF")
    choice = next(i for i in items if i.quantization == "Q8_0")

    manifest = download_model(
        client, DownloadRequest("TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF", include=choice.include), tmp_path
    )

    assert [f.path for f in manifest.files] == list(choice.paths)
    assert manifest.total_bytes == choice.total_bytes
    root = tmp_path / "TheBloke" / "TinyLlama-1.1B-Chat-v1.0-GGUF"
    on_disk = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert [p for p in on_disk if not p.startswith(".hfgui/")] == list(choice.paths)
    assert not any(r.path.endswith("Q4_K_M.gguf") for r in hub.requests)
