"""A full disk (a real, tiny tmpfs) stops the download cleanly, keeps the partial, and a later run resumes."""

from __future__ import annotations

import os
import subprocess

import pytest

from hfgui.core.engine import segments
from hfgui.core.errors import InsufficientSpaceError
from hfgui.core.store import partials
from tests.core.helpers.transfer_support import body_gets, fetch, make_task
from tests.hubemu import generated_content

MiB = 1024 * 1024
PATH = "model.safetensors"


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (needs root, as in CI); remounting it larger "frees space"."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def grow(mount_point, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount_point)], check=True)


def test_full_disk_raises_keeps_partial_and_resumes(hub, small_disk):
    hub.add_repo("acme/fat", {PATH: generated_content(3 * MiB, seed=5)})
    task = make_task(hub, "acme/fat", PATH, small_disk / "models" / "acme--fat")
    staging = small_disk / "models" / ".hfgui-staging"

    with pytest.raises(InsufficientSpaceError) as caught:
        fetch(hub, task, staging)

    error = caught.value
    assert error.path == str(staging)
    assert 0 < error.needed <= task.size
    assert error.free < MiB
    [left] = partials.list_partials(staging)
    assert left.sidecar is not None and 0 < left.bytes_done < task.size
    assert not task.dest.exists()

    grow(small_disk, "8m")
    hub.clear_requests()
    fetch(hub, task, staging)

    assert task.dest.read_bytes() == generated_content(3 * MiB, seed=5).read()
    [resumed] = body_gets(hub, PATH)
    assert resumed.headers["Range"] == f"bytes={left.bytes_done}-"


def test_segmented_download_reserves_space_before_fetching(hub, small_disk, monkeypatch):
    monkeypatch.setattr(segments, "SEGMENT_MIN_SIZE", MiB)
    hub.add_repo("acme/fat", {PATH: generated_content(3 * MiB, seed=5)})
    task = make_task(hub, "acme/fat", PATH, small_disk / "dest")
    hub.clear_requests()

    with pytest.raises(InsufficientSpaceError) as caught:
        fetch(hub, task, small_disk / "staging", segments=4)

    assert caught.value.needed == task.size
    assert hub.requests == []  # the disk was found full before any byte was asked for
    assert not task.dest.exists()
