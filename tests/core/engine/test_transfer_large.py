"""A file over 4 GiB: 64-bit offsets in ranges, sidecar and progress (runs in the default suite)."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest

from hfgui.core.store import partials
from tests.core.helpers.transfer_support import ProgressLog, body_gets, fetch, make_task
from tests.hubemu import generated_content

SIZE = 4 * 2**30 + 12345
PATH = "model-q8_0.gguf"


@pytest.fixture
def roomy_dir(tmp_path):
    """A RAM-backed folder when there is room (no disk I/O to wait for), else pytest's tmp_path."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > 2 * SIZE:
        folder = Path(tempfile.mkdtemp(prefix="hfgui-large-", dir=shm))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path


@pytest.mark.slow
def test_file_over_4_gib(hub, roomy_dir):
    tmp_path = roomy_dir
    content = generated_content(SIZE)
    hub.add_repo("acme/huge", {PATH: content})
    task = make_task(hub, "acme/huge", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    progress = ProgressLog()
    try:
        fetch(hub, task, staging, segments=4, on_bytes=progress)  # verified against the sha256 inside

        assert task.dest.stat().st_size == SIZE
        assert progress.total == SIZE and all(type(n) is int for n in progress.calls)
        assert max(progress.calls) < 2**31  # coalesced chunks, while the running total passes 2**32
        with open(task.dest, "rb") as handle:
            handle.seek(2**32 - 5)
            assert handle.read(10) == content.read(2**32 - 5, 2**32 + 5)
            handle.seek(SIZE - 100)
            assert handle.read() == content.read(SIZE - 100, SIZE)
        gets = body_gets(hub, PATH)
        spans = sorted(tuple(map(int, r.headers["Range"].removeprefix("bytes=").split("-"))) for r in gets)
        # Ranges past 4 GiB covering the whole file, over at most four connections at a time.
        assert spans[0][0] == 0 and max(end for _, end in spans) == SIZE - 1
        assert all(b[0] <= a[1] + 1 for a, b in itertools.pairwise(spans))
        assert max(r.in_flight for r in gets) <= 4
        assert SIZE <= sum(r.bytes_sent for r in gets) < SIZE * 1.01
        assert partials.list_partials(staging) == []
    finally:
        task.dest.unlink(missing_ok=True)
        partials.remove_partials(staging)
