"""``hfgui search`` against the emulator: pagination, filters, sorts, author, --files, --json, exit codes."""

from __future__ import annotations

import json

import pytest

from hfgui.cli import search
from hfgui.cli.main import main
from tests.hubemu import demo

GGUF_TINY = "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF"


@pytest.fixture
def hub(hub_env):
    hub_env.demo = demo.populate(hub_env, scale=0.02)
    hub_env.clear_requests()
    return hub_env


def _search_requests(hub):
    return [r for r in hub.requests if r.host == "hub" and r.path == "/api/models"]


def _json(capsys, *argv: str) -> list[dict]:
    assert main(["search", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_paginates_until_the_limit(hub, capsys, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    results = _json(capsys, "--filter", "gguf", "--limit", "8")
    assert len(results) == 8
    assert len({r["id"] for r in results}) == 8
    pages = _search_requests(hub)
    assert len(pages) == 3  # 3 + 3 + 2 of the 13 GGUF repos
    assert pages[0].params["limit"] == ["3"] and "cursor" in pages[1].params


def test_default_limit_is_twenty_in_one_request(hub, capsys):
    for i in range(10):  # 13 GGUF demo repos + 10 = more than 20
        hub.add_repo(f"acme/extra-{i}-GGUF", {"m.Q4_K_M.gguf": b"GGUF"}, tags=["gguf"])
    results = _json(capsys, "--filter", "gguf")
    assert len(results) == 20
    pages = _search_requests(hub)
    assert len(pages) == 1 and pages[0].params["limit"] == ["20"]


def test_filters_map_to_hub_tags(hub, capsys):
    for name, kind in (("coreml", "coreml"), ("gguf", "gguf"), ("onnx", "onnx"), ("mlx", "mlx")):
        ids = {r["id"] for r in _json(capsys, "--filter", name, "--limit", "100")}
        assert ids == set(hub.demo.repos[kind]), name  # the private GGUF repo needs a token
    params = [r.params.get("filter") for r in _search_requests(hub)]
    assert params == [["coreml"], ["gguf"], ["onnx"], ["mlx"]]


def test_filters_combine(hub, capsys):
    hub.add_repo("acme/both", {"m.gguf": b"GGUF"}, tags=["gguf", "mlx"], library_name="gguf")
    assert [r["id"] for r in _json(capsys, "--filter", "gguf", "--filter", "mlx")] == ["acme/both"]


@pytest.mark.parametrize(
    ("sort", "hub_sort", "key"),
    [
        ("downloads", "downloads", "downloads"),
        ("likes", "likes", "likes"),
        ("trending", "trendingScore", "trending_score"),
    ],
)
def test_sorts(hub, capsys, sort, hub_sort, key):
    results = _json(capsys, "--filter", "gguf", "--sort", sort, "--limit", "100")
    values = [r[key] or 0 for r in results]
    assert values == sorted(values, reverse=True) and len(set(values)) > 1
    assert _search_requests(hub)[-1].params["sort"] == [hub_sort]


def test_recent_sort_uses_last_modified(hub, capsys):
    hub.repo("TheBloke/phi-2-GGUF").commit({"NOTES.md": b"fresh\n"})
    results = _json(capsys, "--filter", "gguf", "--sort", "recent", "--limit", "100")
    dates = [r["last_modified"] for r in results]
    assert all(dates) and dates == sorted(dates, reverse=True)
    newest = {r["id"] for r in results if r["last_modified"] == dates[0]}
    assert "TheBloke/phi-2-GGUF" in newest  # the repo just committed to is (among) the newest
    assert _search_requests(hub)[-1].params["sort"] == ["lastModified"]


def test_query_and_author(hub, capsys):
    ids = [r["id"] for r in _json(capsys, "smollm", "--author", "QuantFactory")]
    assert sorted(ids) == [f"QuantFactory/SmolLM-{s}-Instruct-GGUF" for s in ("1.7B", "135M", "360M")]
    request = _search_requests(hub)[-1]
    assert request.params["search"] == ["smollm"] and request.params["author"] == ["QuantFactory"]
    assert _json(capsys, "--author", "nobody-here") == []


def test_token_shows_private_models(hub, capsys, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", hub.demo.token)
    assert demo.PRIVATE_REPO in {r["id"] for r in _json(capsys, "tiny-llm")}


def test_table_output(hub, capsys):
    assert main(["search", "phi", "--sort", "downloads"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Model", "Downloads", "Likes", "Framework", "Updated"]
    row = next(line for line in lines if line.startswith("TheBloke/phi-2-GGUF"))
    downloads = f"{hub.repo('TheBloke/phi-2-GGUF').downloads:,}"
    assert row.split()[1:4] == [downloads, str(hub.repo("TheBloke/phi-2-GGUF").likes), "gguf"]
    assert len(row.split()[4]) == 10 and row.split()[4][4] == "-"  # YYYY-MM-DD


def test_no_results_is_not_an_error(hub, capsys):
    assert main(["search", "no-such-model-anywhere"]) == 0
    assert "No models found." in capsys.readouterr().out


def test_files_lists_grouped_items_with_one_tree_call_per_result(hub, capsys):
    assert main(["search", "TinyLlama", "--files"]) == 0
    out = capsys.readouterr().out
    section = out.split(f"\n{GGUF_TINY}\n", 1)[1].splitlines()
    assert section[0].split() == ["Choice", "Kind", "Files", "Size"]
    assert section[2].split()[:3] == ["Q4_K_M", "*", "gguf-quant"]
    assert any(line.split()[:2] == ["Whole", "repository"] for line in section)
    assert "recommended" in out
    trees = [r for r in hub.requests if "/tree/" in r.path]
    assert len(trees) == 1


def test_files_json_has_items_that_select_files(hub, capsys):
    results = _json(capsys, "--author", "corenet-community", "--files", "--limit", "2")
    assert len(results) == 2
    for result in results:
        kinds = [i["kind"] for i in result["items"]]
        assert kinds == ["mlpackage", "repo"]
        package = result["items"][0]
        assert package["include"][0].endswith(".mlpackage/") and package["file_count"] == 3
        assert package["total_bytes"] > 0
    assert len([r for r in hub.requests if "/tree/" in r.path]) == 2


def test_files_error_for_one_result_does_not_stop_the_others(hub, capsys):
    hub.faults.status("/api/models/TheBloke/phi-2-GGUF/tree/*", 403, host="hub", times=None)
    assert main(["search", "phi-2", "--files"]) == 0
    out = capsys.readouterr().out
    assert "files unavailable: The Hub answered HTTP 403" in out
    assert "MLX model" in out.split("\nmlx-community/phi-2\n", 1)[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["search"],  # nothing to search for
        ["search", "x", "--limit", "0"],
        ["search", "x", "--limit", "-3"],
        ["search", "x", "--limit", "many"],
        ["search", "x", "--filter", "pickle"],
        ["search", "x", "--sort", "oldest"],
        ["search", "x", "--author", "a/b"],
        ["search", "two\nlines"],
    ],
)
def test_malformed_input_exits_2_without_a_request(hub, capsys, argv):
    assert main(argv) == 2
    assert capsys.readouterr().err.strip()
    assert _search_requests(hub) == []


def test_hub_failure_exits_1_with_one_line(hub, capsys):
    hub.faults.status("/api/models", 404, host="hub", times=None)
    assert main(["search", "x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


def test_help_says_files_costs_requests(capsys):
    assert main(["search", "--help"]) == 0
    assert "one file-listing request per result" in " ".join(capsys.readouterr().out.split())
