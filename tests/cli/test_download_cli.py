"""`hfgui download` against the emulator: output modes, exit codes 0/1/130, resume after Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hfgui.cli.main import main
from hfgui.core.store.manifest import read_manifest
from tests.hubemu import generated_content

REPO_FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "X.mlpackage/Manifest.json": b'{"fileFormatVersion": "1.0.0"}\n',
    "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin": generated_content(300_000, seed=5),
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(hub_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return hub_env


def _library(tmp_path: Path) -> Path:
    return tmp_path / "hfgui-home" / "data" / "models"


def test_json_events_parse_and_install_into_the_library(cli_env, tmp_path, capsys):
    cli_env.add_repo("apple/tiny", files=REPO_FILES)
    assert main(["download", "apple/tiny", "--json", "--workers", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    events = [json.loads(line) for line in lines]
    kinds = {e["event"] for e in events}
    assert kinds == {"plan", "file", "model", "summary"}
    assert events[0]["event"] == "plan" and events[0]["files_total"] == 3
    summary = events[-1]
    assert summary["event"] == "summary" and summary["ok"] is True and summary["exit_code"] == 0
    assert summary["files"] == 3
    done = {e["path"] for e in events if e["event"] == "file" and e["state"] == "done"}
    assert done == set(REPO_FILES)
    root = _library(tmp_path) / "apple" / "tiny"
    assert (root / "config.json").read_bytes() == REPO_FILES["config.json"]
    assert read_manifest(root) is not None


def test_plain_lines_when_not_a_terminal_and_positional_globs_with_dest(cli_env, tmp_path, capsys):
    cli_env.add_repo("apple/tiny", files=REPO_FILES)
    dest = tmp_path / "out"
    assert main(["download", "apple/tiny", "X.mlpackage", "--dest", str(dest)]) == 0
    out = capsys.readouterr().out
    assert "done      X.mlpackage/Manifest.json" in out
    assert "Installed apple/tiny" in out
    assert not (dest / "config.json").exists()
    assert (dest / "X.mlpackage" / "Manifest.json").read_bytes() == REPO_FILES["X.mlpackage/Manifest.json"]
    assert read_manifest(dest) is not None


def test_files_may_follow_the_options_as_with_hf_download(cli_env, tmp_path, capsys):
    cli_env.add_repo("apple/tiny", files=REPO_FILES)
    dest = tmp_path / "out"
    assert main(["download", "apple/tiny", "--dest", str(dest), "--workers", "2", "config.json"]) == 0
    assert (dest / "config.json").read_bytes() == REPO_FILES["config.json"]
    assert not (dest / "X.mlpackage").exists()
    assert main(["download", "apple/tiny", "--dest", str(dest), "--bogus"]) == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_missing_repo_exits_1_with_one_line(cli_env, capsys):
    assert main(["download", "nobody/nothing"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: Model nobody/nothing was not found")


def test_failed_file_exits_1_and_says_how_many(cli_env, tmp_path, capsys):
    cli_env.add_repo("apple/tiny", files=REPO_FILES)
    cli_env.faults.corrupt("X.mlpackage/Data/com.apple.CoreML/weights/weight.bin", 10, times=2)
    assert main(["download", "apple/tiny", "--json"]) == 1
    captured = capsys.readouterr()
    assert "1 of 3 files failed; the model is not installed." in captured.err
    summary = json.loads(captured.out.splitlines()[-1])
    assert summary["ok"] is False and summary["exit_code"] == 1
    assert read_manifest(_library(tmp_path) / "apple" / "tiny") is None


def test_bad_repo_id_is_a_usage_error_before_any_request(cli_env, capsys):
    assert main(["download", "not a repo"]) == 2
    assert "not a valid model id" in capsys.readouterr().err
    assert cli_env.requests == []
    # With --json the event stream still ends in a summary a script can read.
    assert main(["download", "not a repo", "--json"]) == 2
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["event"] == "summary" and summary["ok"] is False and summary["exit_code"] == 2
    assert "not a valid model id" in summary["error"]


def _subprocess_env(hub, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE"))}
    env.update(
        HF_ENDPOINT=hub.url,
        HF_HOME=str(tmp_path / "hf-home"),
        HFGUI_HOME=str(tmp_path / "hfgui-home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=str(ROOT),
    )
    return env


def test_sigint_exits_130_keeps_partials_and_the_same_command_resumes(hub, tmp_path):
    big = generated_content(6 * 2**20, seed=9)
    hub.add_repo("o/big", files={"config.json": b"{}", "model.safetensors": big})
    # Hold the body after 2 MiB so the interrupt surely arrives mid-file.
    hub.faults.stall("model.safetensors", after_bytes=2 * 2**20, seconds=1.5)
    env = _subprocess_env(hub, tmp_path)
    cmd = [sys.executable, "-m", "hfgui", "download", "o/big", "--json", "--workers", "1"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = _library(tmp_path) / ".hfgui-staging"
    try:
        # Interrupt once bytes of the big file are on disk (the stall keeps it mid-file for a while).
        while proc.poll() is None and not any(p.stat().st_size >= 2**20 for p in staging.glob("*.part")):
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted; run the same command to resume" in err
    summary = json.loads(out.splitlines()[-1])
    assert summary == {"event": "summary", "ok": False, "error": "interrupted", "exit_code": 130}
    library = _library(tmp_path)
    assert read_manifest(library / "o" / "big") is None
    parts = list((library / ".hfgui-staging").glob("*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0
    kept = parts[0].stat().st_size

    hub.clear_requests()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (library / "o" / "big" / "model.safetensors").read_bytes() == big.read(0, big.size)
    gets = [r for r in hub.requests_for("model.safetensors", host="cdn") if r.method == "GET"]
    assert [r.headers.get("Range") for r in gets] == [f"bytes={kept}-"]


def test_terminal_display_redraws_in_place_with_a_total_bar():
    import io

    from hfgui.cli.progress_display import _TerminalDisplay
    from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState

    stream = io.StringIO()
    display = _TerminalDisplay(stream)
    files = (
        FileProgress("a.bin", 500, 1000, FileState.DOWNLOADING, speed=100.0),
        FileProgress("b.bin", 0, 1000, FileState.QUEUED),
    )
    display.update(ModelProgress("o/m", ModelState.DOWNLOADING, 500, 2000, 0, 2, 100.0, 15.0, files))
    first = stream.getvalue()
    assert " 25.0%" in first and "files 0/2" in first and "ETA 0:15" in first
    assert "a.bin" in first and "b.bin" not in first  # only active files get a line
    display.finish(None)
    assert "\x1b[2F" in stream.getvalue()[len(first) :]  # moved back over the two lines it drew


def test_segments_option_fixes_the_connections_of_a_large_file(cli_env, tmp_path, capsys):
    big = generated_content(20 * 1024 * 1024, seed=9)
    cli_env.add_repo("acme/big", files={"model.gguf": big})
    dest = tmp_path / "out"
    assert main(["download", "acme/big", "--dest", str(dest), "--segments", "1"]) == 0
    gets = [r for r in cli_env.requests if r.host == "cdn" and r.method == "GET"]
    assert [r.headers.get("Range") for r in gets] == [None]  # one stream, one request
    assert (dest / "model.gguf").stat().st_size == big.size
    for wrong in ("0", "17", "many"):
        assert main(["download", "acme/big", "--segments", wrong]) == 2
        assert "connections from 1 to 16" in capsys.readouterr().err
