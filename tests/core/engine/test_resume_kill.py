"""A download killed with SIGKILL mid-file resumes in the next run from the bytes already on disk."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hfgui.core.store import partials
from hfgui.core.store.hashing import file_matches_etag
from tests.core.helpers.transfer_support import ProgressLog, body_gets, fetch, make_task
from tests.hubemu import generated_content

MiB = 1024 * 1024
PATH = "model.safetensors"
REPO_ROOT = Path(__file__).resolve().parents[3]


def wait_for_partial_bytes(staging: Path, wanted: int, process: subprocess.Popen) -> int:
    """Poll until the child has `wanted` bytes in its partial (a safety limit only stops a hung test)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = partials.list_partials(staging)
        if found and found[0].bytes_done >= wanted:
            return found[0].bytes_done
        if process.poll() is not None:
            pytest.fail(f"download process ended early: {process.stdout.read()}")
        time.sleep(0.02)
    pytest.fail("the download process never reached the stall point")


def start_download(hub, task, staging: Path) -> subprocess.Popen:
    """Download one file in a process of its own (tests/core/helpers/download_one.py), to be killed."""
    spec = {
        "endpoint": hub.url,
        "task": {**dataclasses.asdict(task), "dest": str(task.dest)},
        "staging": str(staging),
        "stall_timeout": 300.0,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.helpers.download_one", json.dumps(spec)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
def test_resume_after_kill_9(hub, tmp_path):
    content = generated_content(8 * MiB + 99, seed=21)
    hub.add_repo("acme/killme", {PATH: content})
    task = make_task(hub, "acme/killme", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    stop_at = 3 * MiB  # a multiple of the 1 MiB read size: all of it reaches the disk before the stall
    hub.faults.stall(PATH, after_bytes=stop_at, seconds=120)  # the child sits here until we kill it
    child = start_download(hub, task, staging)
    try:
        on_disk = wait_for_partial_bytes(staging, stop_at, child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert on_disk == stop_at
    assert not task.dest.exists()

    hub.faults.clear()
    hub.clear_requests()
    progress = ProgressLog()
    fetch(hub, task, staging, on_bytes=progress)

    assert file_matches_etag(task.dest, task.etag, task.size)
    [resumed] = body_gets(hub, PATH)
    assert resumed.headers["Range"] == f"bytes={stop_at}-"
    assert resumed.bytes_sent == task.size - stop_at
    assert progress.calls[0] == stop_at and progress.total == task.size
    assert partials.list_partials(staging) == []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
def test_segmented_download_killed_mid_file_continues_every_segment(hub, tmp_path):
    size = 64 * MiB + 5
    hub.add_repo("acme/killme", {PATH: generated_content(size, seed=22)})
    # A capped CDN: the child opens several connections, and is part-way through when it is killed.
    hub.network.connection_rate = 16 * MiB
    task = make_task(hub, "acme/killme", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    child = start_download(hub, task, staging)
    try:
        wait_for_partial_bytes(staging, size // 2, child)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    [left] = partials.list_partials(staging)
    saved = left.sidecar.segments
    assert saved is not None
    started = [s for s in saved if s.start < s.done < s.end]
    assert len(started) >= 2  # it was segmented, with several segments part-way
    sent_before = sum(r.bytes_sent for r in body_gets(hub, PATH))

    hub.network.connection_rate = 0
    hub.clear_requests()
    progress = ProgressLog()
    fetch(hub, task, staging, on_bytes=progress)

    assert file_matches_etag(task.dest, task.etag, task.size)
    resumed = body_gets(hub, PATH)
    starts = {int(r.headers["Range"].removeprefix("bytes=").partition("-")[0]) for r in resumed}
    assert all(s.done in starts for s in started)  # every begun segment continued where it stopped
    # All that was fetched, both runs together: at most 5 % more than the file.
    assert sent_before + sum(r.bytes_sent for r in resumed) <= size * 1.05
    assert progress.calls[0] == left.bytes_done and progress.total == task.size
