"""``hfgui files``: the whole recursive listing across pages, hashes by storage kind, and the total."""

from __future__ import annotations

import hashlib
import json

import pytest

from hfgui.cli.main import main
from tests.hubemu import git_blob_sha1

REPO = "acme/many-files"
COUNT = 1203  # more than one 1000-entry tree page


@pytest.fixture
def hub(hub_env):
    files = {f"shards/part-{i:04d}.txt": f"shard {i}\n".encode() for i in range(COUNT - 2)}
    files["README.md"] = b"# many files\n"
    files["weights/model.safetensors"] = b"\x01" * 4096
    hub_env.add_repo(REPO, files, lfs=lambda path, size: path.endswith(".safetensors"))
    hub_env.expected = files
    return hub_env


def test_json_lists_every_file_across_pages(hub, capsys) -> None:
    hub.clear_requests()
    assert main(["files", REPO, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["repo"] == REPO and data["revision"] == "main" and data["path"] is None
    assert data["file_count"] == COUNT == len(data["files"])
    assert data["total_bytes"] == sum(len(b) for b in hub.expected.values())
    assert {f["path"] for f in data["files"]} == set(hub.expected)
    tree_pages = [r for r in hub.requests if "/tree/" in r.path]
    assert len(tree_pages) >= 2  # followed Link rel="next"

    by_path = {f["path"]: f for f in data["files"]}
    weights = by_path["weights/model.safetensors"]
    assert weights["lfs"] is True and weights["hash_type"] == "sha256"
    assert weights["hash"] == hashlib.sha256(b"\x01" * 4096).hexdigest()
    readme = by_path["README.md"]
    assert readme["lfs"] is False and readme["hash_type"] == "git-sha1"
    assert readme["hash"] == git_blob_sha1(b"# many files\n")
    assert readme["size"] == len(b"# many files\n")


def test_table_has_sizes_kinds_hashes_and_a_total(hub, capsys) -> None:
    assert main(["files", REPO]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["Path", "Size", "Bytes", "Storage", "Hash"]
    weights = next(line for line in lines if line.startswith("weights/model.safetensors"))
    assert weights.split()[1:5] == ["4.1", "kB", "4,096", "LFS"]
    assert hashlib.sha256(b"\x01" * 4096).hexdigest() in weights
    total = sum(len(b) for b in hub.expected.values())
    assert lines[-1].startswith(f"Total: {COUNT} files, ")
    assert f"({total:,} bytes)" in lines[-1]
    assert len(lines) == COUNT + 3  # header, rule, one line per file, total


def test_folder_argument_and_url_form(hub, capsys) -> None:
    assert main(["files", REPO, "weights", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in data["files"]] == ["weights/model.safetensors"]
    assert data["path"] == "weights" and data["total_bytes"] == 4096

    assert main(["files", f"https://huggingface.co/{REPO}/tree/main/weights", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file_count"] == 1


def test_revision_option(hub, capsys) -> None:
    repo = hub.repo(REPO)
    old = repo.sha
    repo.commit(files={"added.txt": b"new"})
    assert main(["files", REPO, "--revision", old, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file_count"] == COUNT
    assert main(["files", REPO, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file_count"] == COUNT + 1


def test_errors_are_one_line_with_exit_1(hub, capsys) -> None:
    assert main(["files", "acme/nothing-here"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Model acme/nothing-here was not found") and err.count("\n") == 1
    assert main(["files", REPO, "no/such/folder"]) == 1
    assert "error: " in capsys.readouterr().err


def test_malformed_id_is_a_usage_error(hub, capsys) -> None:
    hub.clear_requests()
    assert main(["files", "not a repo"]) == 2
    assert capsys.readouterr().err.startswith("error: 'not a repo' is not a valid model id")
    assert hub.requests == []
