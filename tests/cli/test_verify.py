"""``hfgui verify`` against the emulator: verdicts, exit codes, JSON shape, tokens never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hfgui.cli.main import main

GOOD = "hf_good_token_alice_0123456789"
STRANGER = "hf_stranger_token_bob_0123456789"
BAD = "hf_revoked_token_zzz_0123456789"
PUBLIC = "acme/public-model"
GATED = "acme/gated-model"
PRIVATE = "alice/private-model"
MISSING = "acme/does-not-exist"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hub(hub_env, monkeypatch):
    hub = hub_env
    files = {"config.json": b'{"model_type": "llama"}', "model.gguf": b"GGUF" + b"\0" * 60}
    hub.add_repo(PUBLIC, files)
    hub.add_repo(GATED, files, gated="manual")
    hub.add_repo(PRIVATE, files, private=True)
    hub.add_user("alice", GOOD, can_access=(GATED,))
    hub.add_user("bob", STRANGER)
    return hub


def _verify(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys, *args: str) -> tuple[int, dict[str, dict]]:
    code, out, _ = _verify(capsys, "--json", *args)
    return code, {item["repo"]: item for item in json.loads(out)}


def test_public_repo_without_token(hub, capsys) -> None:
    code, out, err = _verify(capsys, PUBLIC)
    assert code == 0, err
    assert "✅ Repository API accessible" in out
    assert "✅ Not private" in out
    assert "✅ Not gated" in out
    assert "✅ Files downloadable without auth" in out
    assert "with token" not in out
    assert "Verdict: no authentication required" in out
    assert "file checked: config.json" in out
    assert "1 of 1 downloadable" in out


@pytest.mark.parametrize(
    ("repo", "verdict", "hint"),
    [
        (PUBLIC, "no authentication required", "without a token"),
        (GATED, "license acceptance required", "Accept the license at"),
        (PRIVATE, "not found", "add a Hugging Face token"),
        (MISSING, "not found", "Check the spelling"),
    ],
)
def test_verdicts_without_token(hub, capsys, repo: str, verdict: str, hint: str) -> None:
    code, reports = _json(capsys, repo)
    report = reports[repo]
    assert report["verdict"] == verdict
    assert hint in report["next_step"]
    assert report["token_source"] is None and report["downloadable_with_token"] is None
    assert code == (0 if repo == PUBLIC else 1)


@pytest.mark.parametrize(
    ("repo", "verdict", "downloadable"),
    [
        (PUBLIC, "no authentication required", True),
        (GATED, "license acceptance required", True),  # alice was granted access
        (PRIVATE, "token required", True),
        (MISSING, "not found", False),
    ],
)
def test_verdicts_with_a_good_token(
    hub, capsys, monkeypatch, repo: str, verdict: str, downloadable: bool
) -> None:
    monkeypatch.setenv("HF_TOKEN", GOOD)
    code, reports = _json(capsys, repo)
    report = reports[repo]
    assert report["verdict"] == verdict
    assert report["downloadable"] is downloadable
    assert report["downloadable_with_token"] is downloadable
    assert report["account"] == "alice"
    assert report["token_source"] == "HF_TOKEN"
    assert code == (0 if downloadable else 1)


def test_private_repo_details_with_token(hub, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", GOOD)
    code, out, _ = _verify(capsys, PRIVATE)
    assert code == 0
    assert "✅ Repository API accessible" in out
    # Issue 12: no ❌ beside a fact that is fine (private, but the token reads it).
    assert "✅ Private: your token can read it" in out
    assert "✅ Files need a token (yours works)" in out
    assert "✅ Files downloadable with token (HF_TOKEN)" in out
    assert "✅ Account: alice" in out
    assert "Verdict: token required (yours works)" in out
    assert "❌" not in out
    assert GOOD not in out


def test_gated_repo_with_a_token_that_was_not_granted(hub, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", STRANGER)
    code, reports = _json(capsys, GATED)
    report = reports[GATED]
    assert code == 1
    assert report["verdict"] == "license acceptance required"
    assert "Request access at" in report["next_step"] and GATED in report["next_step"]
    assert report["gated"] == "manual"
    assert report["account"] == "bob"


def test_bad_token_is_reported_even_for_public_models(hub, capsys) -> None:
    code, out, err = _verify(capsys, "--token", BAD, PUBLIC)
    assert code == 1
    assert "Verdict: invalid token" in out
    assert "the --token option" in out
    assert "✅ Files downloadable without auth" in out
    assert "❌ Files downloadable with token" in out
    assert "process list" in err  # the --token warning
    assert BAD not in out + err


def test_several_repos_and_exit_status(hub, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", GOOD)
    code, reports = _json(capsys, PUBLIC, PRIVATE, GATED)
    assert code == 0
    assert list(reports) == [PUBLIC, PRIVATE, GATED]
    code, reports = _json(capsys, PUBLIC, MISSING)
    assert code == 1
    assert [r["downloadable"] for r in reports.values()] == [True, False]


def test_json_shape(hub, capsys) -> None:
    code, out, _ = _verify(capsys, "--json", PUBLIC)
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) == {
        "repo",
        "revision",
        "verdict",
        "next_step",
        "downloadable",
        "api_accessible",
        "private",
        "gated",
        "disabled",
        "commit",
        "file_checked",
        "downloadable_anonymously",
        "token_source",
        "downloadable_with_token",
        "account",
        "errors",
    }
    assert data[0]["commit"] == hub.repo(PUBLIC).sha
    assert data[0]["private"] is False and data[0]["gated"] is False


@pytest.mark.parametrize("bad", ["not-a-repo", "a/b/c", "https://example.com/a/b", "own er/name"])
def test_malformed_repo_id_exits_2_before_any_request(hub, capsys, bad: str) -> None:
    hub.clear_requests()
    code, out, err = _verify(capsys, PUBLIC, bad)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "owner/name" in err
    assert out == ""
    assert hub.requests == []


def test_url_reference_probes_the_named_file(hub, capsys) -> None:
    code, reports = _json(capsys, f"{hub.url}/{PUBLIC}/blob/main/model.gguf")
    assert code == 0
    assert reports[PUBLIC]["file_checked"] == "model.gguf"


def test_missing_file_in_a_public_repo(hub, capsys) -> None:
    code, reports = _json(capsys, f"https://huggingface.co/{PUBLIC}/resolve/main/nope.bin")
    assert code == 1
    assert reports[PUBLIC]["verdict"] == "not found"
    assert "nope.bin" in reports[PUBLIC]["next_step"]


def test_catalog_mode_checks_each_repo_once(hub, capsys) -> None:
    hub.add_repo(
        "corenet-community/coreml-OpenELM-270M-Instruct",
        {
            "OpenELM-270M-Instruct-128-float32.mlpackage/Manifest.json": b"{}",
            "OpenELM-270M-Instruct-128-float32.mlpackage/Data/com.apple.CoreML/model.mlmodel": b"m" * 100,
        },
    )
    code, out, _ = _verify(capsys, "--json")
    reports = json.loads(out)
    repos = [r["repo"] for r in reports]
    assert len(repos) == len(set(repos)) >= 15
    openelm = next(r for r in reports if r["repo"] == "corenet-community/coreml-OpenELM-270M-Instruct")
    assert openelm["verdict"] == "no authentication required"
    assert openelm["file_checked"] == "OpenELM-270M-Instruct-128-float32.mlpackage/Manifest.json"
    assert code == 1  # the emulator does not hold the other catalog repos


def test_ascii_fallback_when_terminal_cannot_show_emoji(hub, capsys, monkeypatch) -> None:
    monkeypatch.setattr("hfgui.cli.output.can_encode", lambda text, stream=None: False)
    code, out, _ = _verify(capsys, PUBLIC)
    assert code == 0
    assert "OK Repository API accessible" in out
    assert "✅" not in out


def test_installed_entry_point_in_a_subprocess(hub, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update(PYTHONPATH=str(ROOT), PYTHONIOENCODING="ascii", HF_TOKEN=GOOD)
    result = subprocess.run(
        [sys.executable, "-m", "hfgui", "verify", PUBLIC, PRIVATE, MISSING],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        encoding="ascii",
        errors="strict",
    )
    assert result.returncode == 1, result.stderr
    assert "OK Files downloadable with token (HF_TOKEN)" in result.stdout  # ASCII terminal: no crash
    assert "Verdict: token required" in result.stdout
    assert "Verdict: not found" in result.stdout
    assert GOOD not in result.stdout + result.stderr
    assert "PySide6" not in result.stderr


def test_marks_never_contradict_the_outcome(hub, capsys, monkeypatch) -> None:
    # A granted gate: every line ✅, and the summary does not read "✅ … license acceptance required".
    monkeypatch.setenv("HF_TOKEN", GOOD)
    code, out, _ = _verify(capsys, GATED)
    assert code == 0
    assert "✅ Gated (manual): access granted to your token" in out
    assert "license acceptance required" not in out and "❌" not in out
    assert "license accepted (gated)" in out
    # Not granted: no ✅ beside the gate that blocks it.
    monkeypatch.setenv("HF_TOKEN", STRANGER)
    code, out, _ = _verify(capsys, GATED)
    assert code == 1
    assert "❌ Gated (manual): license acceptance required" in out
    assert "✅ Gated" not in out and "✅ Not gated" not in out
