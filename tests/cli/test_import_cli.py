"""`hfgui import`, listing and deleting imported models, and `hfgui <model URL>` opening the window."""

from __future__ import annotations

import json
import sys
import types

import pytest

from hfgui.cli.main import main
from hfgui.core.errors import InvalidRepoIdError
from hfgui.core.library.launch import models_to_open


@pytest.fixture
def env(hub_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return tmp_path


def _gguf(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x01" * 100)
    return path


def test_import_copy_then_list_check_delete(env, capsys):
    source = _gguf(env / "downloads" / "tiny.Q4.gguf")
    assert main(["import", str(source)]) == 0
    assert "Imported local/tiny.Q4 (gguf): 1 file" in capsys.readouterr().out
    assert main(["list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["repo"] == "local/tiny.Q4" and row["state"] == "installed" and row["format"] == "gguf"
    assert main(["check", "local/tiny.Q4"]) == 0
    assert main(["delete", "local/tiny.Q4", "--yes"]) == 0
    assert source.exists()  # the copy went, the original stays


def test_import_reference_list_shows_path_and_delete_keeps_files(env, capsys, monkeypatch):
    source = _gguf(env / "models" / "mine.gguf")
    assert main(["import", str(source), "--reference", "--name", "mine", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mode"] == "reference"
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "local/mine" in out and "referenced" in out and str(source) in out

    # The prompt says in so many words that the files stay.
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(isatty=lambda: True))
    prompts = []
    monkeypatch.setattr("builtins.input", lambda text: prompts.append(text) or "y")
    assert main(["delete", "local/mine"]) == 0
    assert "NOT deleted" in prompts[0] and str(source) in prompts[0]
    assert "left untouched" in capsys.readouterr().out
    assert source.exists()
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_imported_models_say_why_update_and_check_cannot_help(env, capsys):
    copied = _gguf(env / "downloads" / "phi.Q4.gguf")
    assert main(["import", str(copied), "--repo-id", "acme/phi-GGUF"]) == 0
    referenced = _gguf(env / "models" / "mine.gguf")
    assert main(["import", str(referenced), "--reference", "--name", "mine"]) == 0
    capsys.readouterr()

    assert main(["update", "acme/phi-GGUF"]) == 1
    err = capsys.readouterr().err
    assert "was imported from" in err and "nothing to update it from" in err and "Revision" not in err
    assert main(["list", "--updates", "--json"]) == 0  # imported copies are not asked about
    assert all(row.get("update") in (None, {}) for row in json.loads(capsys.readouterr().out))

    assert main(["check", "local/mine"]) == 1
    err = capsys.readouterr().err
    assert "imported by reference" in err and "hfgui download" not in err


def test_import_of_a_fake_gguf_fails_with_one_line(env, capsys):
    fake = env / "fake.gguf"
    fake.write_bytes(b"<html>")
    assert main(["import", str(fake)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a GGUF file" in err[0]


@pytest.fixture
def window(monkeypatch):
    calls = []
    fake = types.ModuleType("hfgui.gui.app")
    fake.main = lambda argv=None: calls.append(argv) or 0
    monkeypatch.setitem(sys.modules, "hfgui.gui.app", fake)
    return calls


def test_model_url_opens_the_window_with_it(env, window):
    assert main(["https://huggingface.co/owner/repo"]) == 0
    assert window == [["https://huggingface.co/owner/repo"]]
    assert main(["hf://acme/model@v1"]) == 0
    assert window[-1] == ["hf://acme/model@v1"]


def test_bad_model_url_is_a_usage_error_not_the_window(env, window, capsys):
    assert main(["https://huggingface.co/datasets/owner/data"]) == 2
    assert "not models" in capsys.readouterr().err
    assert window == []


def test_models_to_open():
    refs = models_to_open(["https://huggingface.co/owner/repo", "hf://a/b"])
    assert [(r.repo_id, r.revision) for r in refs] == [("owner/repo", "main"), ("a/b", "main")]
    assert models_to_open(["download", "a/b"]) == []
    assert models_to_open([]) == []
    with pytest.raises(InvalidRepoIdError):
        models_to_open(["https://example.com/owner/repo"])
