"""The command line tells the truth: a closed pipe is not a failure, piped output shows life, retries are
said at once, a bad HF_ENDPOINT or --dest is named in CLI words, a renamed repo is followed and reported,
an unknown option shows the subcommand's usage."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hfgui.cli import context, progress_display
from hfgui.cli.main import main
from hfgui.cli.progress_display import _LineDisplay
from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.hubemu import generated_content

ROOT = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(max_retries=5, base_wait=0.01, max_wait=0.02, max_total_wait=10.0)


@pytest.fixture
def env(hub_env, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return hub_env


def _library(tmp_path: Path) -> Path:
    return tmp_path / "hfgui-home" / "data" / "models"


# --- a closed stdout ------------------------------------------------------------------------------


def test_a_reader_that_goes_away_does_not_fail_the_download(env, tmp_path):
    env.add_repo("acme/p", {f"f{i}.bin": generated_content(200_000, seed=i) for i in range(6)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfgui.cli.main", "download", "acme/p", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=dict(os.environ),
    )
    first = proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(120)

    assert first.startswith(b"acme/p at ")
    assert code == 0, err
    assert err == ""  # no "Broken pipe", no traceback
    assert len(list((_library(tmp_path) / "acme" / "p").glob("f*.bin"))) == 6


# --- piped progress -------------------------------------------------------------------------------


def _snapshot(done: int) -> ModelProgress:
    files = (FileProgress("a.bin", done, 1000, FileState.DOWNLOADING, 10.0),)
    return ModelProgress("o/m", ModelState.DOWNLOADING, done, 1000, 0, 1, 10.0, 50.0, files, changed=())


def test_piped_output_gets_a_progress_line_at_least_every_ten_seconds(tmp_path):
    now = [0.0]
    stream = (tmp_path / "log").open("w+")
    display = _LineDisplay(stream, clock=lambda: now[0])
    for second in range(1, 26):  # a heartbeat snapshot a second, 25 s long
        now[0] = float(second)
        display.update(_snapshot(second * 10))
    stream.seek(0)
    lines = [line for line in stream.read().splitlines() if line.startswith("progress")]
    assert len(lines) == 2  # at 10 s and 20 s
    assert lines[0] == "progress  10.0% 100 B/1.0 kB, files 0/1, 10 B/s, ETA 0:50"


def test_progress_lines_in_a_real_piped_download_and_quiet_silences_them(env, capsys, monkeypatch):
    env.add_repo("acme/slow", {"w.safetensors": generated_content(64 * 1024, seed=1)})
    env.faults.slow("w.safetensors", piece=8192, seconds=0.1, times=None, host="cdn")
    monkeypatch.setattr(progress_display, "PROGRESS_LINE_INTERVAL", 0.2)

    assert main(["download", "acme/slow"]) == 0
    out = capsys.readouterr().out
    assert sum(line.startswith("progress ") for line in out.splitlines()) >= 2

    assert main(["download", "acme/slow", "--dest", str(Path(os.environ["HFGUI_HOME"]) / "q"), "-q"]) == 0
    out = capsys.readouterr().out
    assert "progress " not in out and "done " not in out
    assert out.startswith("Installed acme/slow")


# --- retries said at once -------------------------------------------------------------------------


def test_an_unreachable_hub_is_said_at_once_and_on_every_retry(env, capsys, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(context, "RETRY", FAST)

    assert main(["download", "acme/x"]) == 1

    lines = capsys.readouterr().err.splitlines()
    said = [
        line
        for line in lines
        if line.startswith("warning: Hub unreachable (connection refused); retrying in")
    ]
    assert [line.rsplit(", ", 1)[1] for line in said] == [f"attempt {n} of 6" for n in range(2, 7)]
    assert lines[-1].startswith("error: ") and lines.index(said[-1]) < len(lines) - 1


# --- bad endpoint, bad --dest ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["huggingface.co", "ftp://mirror.lan", "https://"])
def test_hf_endpoint_that_is_not_a_url_is_a_usage_error(env, capsys, monkeypatch, value):
    monkeypatch.setenv("HF_ENDPOINT", value)
    assert main(["download", "acme/x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: HF_ENDPOINT is not a URL: {value!r}")
    assert not env.requests


def test_a_stale_mirror_fails_with_one_line_and_a_rerun_starts_clean(env, capsys, tmp_path):
    size = 3_000_000
    env.add_repo("acme/s", {"w.safetensors": generated_content(size, seed=3)})
    env.faults.stale_object("w.safetensors", size - 1000, times=None, host="cdn")

    assert main(["download", "acme/s", "--quiet"]) == 1

    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    assert f"sent a {size - 1000}-byte file where the Hub lists {size} bytes (stale mirror or cache?)" in err
    env.faults.clear()
    env.clear_requests()
    assert main(["download", "acme/s", "--quiet"]) == 0
    bodies = [r for r in env.requests_for("w.safetensors", host="cdn") if r.method == "GET"]
    assert [r.status for r in bodies] == [200] and bodies[0].bytes_sent == size  # no bad partial resumed
    assert (_library(tmp_path) / "acme" / "s" / "w.safetensors").stat().st_size == size


def test_dest_that_is_a_file_is_said_in_cli_words(env, capsys, tmp_path):
    env.add_repo("acme/d", {"d.bin": b"d"})
    target = tmp_path / "a-file"
    target.write_text("x")

    assert main(["download", "acme/d", "--dest", str(target)]) == 2

    err = capsys.readouterr().err
    assert (
        err.strip()
        == f"error: --dest {target} is a file, not a folder. Give a folder; it is made if missing."
    )
    assert target.read_text() == "x"


def test_dest_on_a_read_only_disk_is_said_in_cli_words(env, capsys, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    env.add_repo("acme/d", {"d.bin": b"d"})
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(mount)], check=True)
    try:
        code = main(["download", "acme/d", "--dest", str(mount / "model")])
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)

    err = capsys.readouterr().err
    assert code == 1
    said = f"error: --dest {mount / 'model'} cannot be written (Read-only file system)."
    assert err.strip() == f"{said} Choose a folder you can write to."
    assert ".hfgui" not in err and "Settings" not in err


# --- renamed repository -----------------------------------------------------------------------------


def test_a_renamed_repository_is_followed_and_reported(env, capsys, tmp_path):
    env.add_repo(
        "acme/old-name", {"config.json": b"{}\n", "w.safetensors": generated_content(50_000, seed=3)}
    )
    env.rename_repo("acme/old-name", "acme/new-name")

    assert main(["download", "acme/old-name"]) == 0

    captured = capsys.readouterr()
    assert (
        "warning: acme/old-name was renamed to acme/new-name; downloading it under its new name"
        in captured.err
    )
    assert (_library(tmp_path) / "acme" / "new-name" / "w.safetensors").is_file()
    assert not (_library(tmp_path) / "acme" / "old-name").exists()
    # Files are fetched by the new name: no redirect per file.
    assert not [r for r in env.requests if "/resolve/" in r.path and "old-name" in r.path]


# --- unknown option ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["download", "list", "partials"])
def test_an_unknown_option_after_a_subcommand_prints_its_usage(env, capsys, command):
    args = [command, "acme/x", "--bogus"] if command == "download" else [command, "--bogus"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: hfgui {command} ")
    assert "unrecognized arguments: --bogus" in err


def test_json_and_piped_output_tell_a_reconnect(env, capsys):
    env.add_repo("acme/drop", {"w.safetensors": generated_content(2 * 1024 * 1024, seed=6)})
    env.faults.drop_after("w.safetensors", 1024 * 1024, host="cdn")

    assert main(["download", "acme/drop", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    told = [e["reconnecting"] for e in events if e["event"] == "file" and e["reconnecting"]]
    assert told and (told[0]["reason"], told[0]["attempt"]) == ("connection dropped", 2)

    env.faults.drop_after("w.safetensors", 1024 * 1024, host="cdn")
    home = Path(os.environ["HFGUI_HOME"])
    assert main(["download", "acme/drop", "--dest", str(home / "piped")]) == 0
    out = capsys.readouterr().out
    assert "reconnecting w.safetensors: connection dropped; attempt 2 of 5 in 0.25 s" in out
