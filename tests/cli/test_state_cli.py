"""The command line over state hfgui wrote: `partials --clean` beside a running download, a damaged journal,
--dest folders in `list` and `partials`, a relative library_dir."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hfgui.cli.main import main
from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import DownloadCancelledError
from hfgui.core.store import partials
from hfgui.core.store.manifest import journal_path
from hfgui.core.wire.hub import HubClient
from tests.core.helpers.transfer_support import FAST_RETRY
from tests.hubemu import generated_content

MiB = 1024 * 1024


@pytest.fixture
def env(hub_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return hub_env


def _library(tmp_path):
    return tmp_path / "hfgui-home" / "data" / "models"


class _Running:
    """A download of acme/big held mid-file by a stall, in another thread, until stopped."""

    def __init__(self, hub, library, path: str, size: int, held_at: int) -> None:
        hub.add_repo("acme/big", {path: generated_content(size, seed=3)})
        hub.faults.stall(path, after_bytes=held_at, seconds=3600)
        self.cancel = threading.Event()
        self.reached = threading.Event()
        self.outcome: list[BaseException] = []

        def on_progress(progress) -> None:
            if progress.bytes_done >= held_at:
                self.reached.set()

        def run() -> None:
            try:
                with HubClient(hub.url, token=False, retry=FAST_RETRY) as client:
                    download_model(
                        client,
                        DownloadRequest("acme/big"),
                        library,
                        cancel=self.cancel,
                        on_progress=on_progress,
                        stall_timeout=3600,
                    )
            except BaseException as exc:
                self.outcome.append(exc)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.reached.wait(30)

    def stop(self) -> None:
        self.cancel.set()
        self.thread.join(30)
        assert isinstance(self.outcome[0], DownloadCancelledError)


@pytest.mark.parametrize(
    ("path", "size"),
    [("model.safetensors", 3 * MiB), ("small.safetensors", 600_000)],  # the small one has no sidecar yet
)
def test_partials_clean_keeps_the_partial_of_a_running_download(env, tmp_path, capsys, path, size):
    library = _library(tmp_path)
    running = _Running(env, library, path, size, held_at=200_000)
    try:
        [before] = partials.list_partials(library / ".hfgui-staging")

        assert main(["partials", "--clean", "--no-cache"]) == 0

        captured = capsys.readouterr()
        assert before.part_path.exists()
        assert "being downloaded by another hfgui window or process" in captured.err
        assert "Removed 0 partial downloads" in captured.out
    finally:
        running.stop()
    [after] = partials.list_partials(library / ".hfgui-staging")  # kept for the resume
    assert after.bytes_done >= 200_000


def test_a_journal_line_with_a_bad_byte_neither_crashes_list_nor_hides_other_models(env, tmp_path, capsys):
    env.add_repo("acme/a", {"a.bin": generated_content(1000, seed=1)})
    env.add_repo("acme/b", {"b.bin": generated_content(1000, seed=2)})
    assert main(["download", "acme/a"]) == 0
    assert main(["download", "acme/b"]) == 0
    journal = journal_path(_library(tmp_path) / "acme" / "a")
    journal.write_bytes(b'{"path": "a.bin", "size": 1000, "etag": "x"}\n\xff\xfe\x80\n')
    capsys.readouterr()

    assert main(["list", "--no-cache"]) == 0

    captured = capsys.readouterr()
    assert "acme/a" in captured.out and "acme/b" in captured.out
    assert "Traceback" not in captured.err and "UnicodeDecodeError" not in captured.err
    assert main(["download", "acme/a"]) == 0  # and the next download is not stopped by it either


def test_dest_downloads_are_in_list_and_their_staging_in_partials(env, tmp_path, capsys):
    env.add_repo("acme/d", {"d.bin": generated_content(2000, seed=4)})
    dest = tmp_path / "elsewhere"
    assert main(["download", "acme/d", "--dest", str(dest)]) == 0
    capsys.readouterr()

    assert main(["list", "--no-cache"]) == 0
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith("acme/d")]
    assert row and f"outside the library: {dest}" in row[0]
    assert main(["list", "--no-cache", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["source"], listed["path"], listed["state"]) == ("dest", str(dest), "installed")

    staging = dest / ".hfgui" / "staging"
    key = partials.partial_key("acme/d", "more.bin", "e" * 64)
    staging.mkdir(parents=True, exist_ok=True)
    partials.part_path(staging, key).write_bytes(b"x" * 10)
    partials.write_sidecar(
        partials.sidecar_path(staging, key),
        partials.Sidecar("http://hub/x", "acme/d", "c" * 40, "more.bin", "e" * 64, 100),
    )
    assert main(["partials", "--no-cache", "--json"]) == 0
    [found] = json.loads(capsys.readouterr().out)["partials"]
    assert (found["repo"], found["where"], found["path"]) == ("acme/d", "dest", "more.bin")


def test_a_relative_library_dir_does_not_follow_the_current_folder(env, tmp_path, capsys, monkeypatch):
    env.add_repo("acme/r", {"r.bin": generated_content(500, seed=5)})
    config = tmp_path / "hfgui-home" / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"library_dir": "rel-models"}))
    for cwd in ("one", "two"):
        (tmp_path / cwd).mkdir()
    monkeypatch.chdir(tmp_path / "one")
    assert main(["download", "acme/r"]) == 0
    monkeypatch.chdir(tmp_path / "two")
    capsys.readouterr()

    assert main(["list", "--no-cache"]) == 0

    assert "acme/r" in capsys.readouterr().out
    assert (config / "rel-models" / "acme" / "r" / "r.bin").is_file()
    assert not (tmp_path / "one" / "rel-models").exists()


def test_a_delete_killed_mid_way_leaves_nothing_that_no_command_shows(env, tmp_path, capsys):
    env.add_repo("acme/many", {f"part-{i:03}.bin": generated_content(20_000, seed=i) for i in range(40)})
    assert main(["download", "acme/many", "--quiet"]) == 0
    library = _library(tmp_path)
    deleter = subprocess.Popen(
        [sys.executable, "-m", "tests.cli.drivers.delete_held", "acme/many"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env=dict(os.environ),
    )
    try:
        assert deleter.stdout.readline().strip() == "deleting"
    finally:
        deleter.send_signal(signal.SIGKILL)  # kill -9, mid-delete
        deleter.wait(60)
    capsys.readouterr()
    left_on_disk = [p for p in library.rglob("*.bin")]
    assert 0 < len(left_on_disk) < 40  # killed part way: some weights are still on disk

    assert main(["list", "--json"]) == 0
    assert "acme/many" not in capsys.readouterr().out  # no longer a model of the library...
    assert main(["partials", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["partials"]
    [leftover] = [i for i in listed if i["kind"] == "deleted-model"]
    assert leftover["repo"] == "acme/many"  # ...but its remains are shown
    assert main(["partials", "--clean"]) == 0
    assert list(library.rglob("*.bin")) == []
