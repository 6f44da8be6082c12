"""Parallel Range segments: layout, download, resume of each segment from its own offset, fallbacks."""

from __future__ import annotations

import itertools
import threading

import pytest

from hfgui.core import partials, segments
from hfgui.core.errors import DownloadCancelledError
from hfgui.core.partials import Segment
from tests.core.helpers.transfer_support import ProgressLog, body_gets, bytes_served, fetch, make_task
from tests.hubemu import generated_content

MiB = 1024 * 1024
PATH = "weights/model.safetensors"


@pytest.fixture(autouse=True)
def small_segment_threshold(monkeypatch):
    # Segmenting normally starts at 64 MiB; small files keep these tests fast.
    monkeypatch.setattr(segments, "SEGMENT_MIN_SIZE", MiB)


@pytest.fixture
def big(hub):
    return hub.add_repo("acme/big", {PATH: generated_content(16 * MiB + 7, seed=11)})


def ranges_asked(hub) -> list[str]:
    return sorted(r.headers.get("Range") for r in body_gets(hub, PATH))


def test_plan_segments_covers_the_file_exactly():
    plan = segments.plan_segments(10, 3)
    assert plan == (Segment(0, 4, 0), Segment(4, 7, 4), Segment(7, 10, 7))
    assert segments.plan_segments(2, 8) == (Segment(0, 1, 0), Segment(1, 2, 1))
    big_plan = segments.plan_segments(5 * 2**32 + 3, 4)
    assert big_plan[0].start == 0 and big_plan[-1].end == 5 * 2**32 + 3
    assert all(a.end == b.start for a, b in itertools.pairwise(big_plan))


def test_segmented_download_uses_parallel_ranges(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", segments=4, on_bytes=progress)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    plan = segments.plan_segments(task.size, 4)
    assert ranges_asked(hub) == sorted(f"bytes={s.start}-{s.end - 1}" for s in plan)
    assert all(r.status == 206 for r in body_gets(hub, PATH))
    assert bytes_served(hub, PATH) == task.size
    assert progress.total == task.size
    assert progress.threads == {threading.get_ident()}  # reported on the calling thread only
    assert partials.list_partials(tmp_path / "staging") == []


def test_each_segment_resumes_from_its_own_offset(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    # Every response stalls after 1 MiB; a short stall timeout turns that into slow progress, so the
    # cancel below lands while all four segments are part-way.
    hub.faults.stall(PATH, after_bytes=MiB, seconds=60, times=None)
    cancel = threading.Event()
    first = ProgressLog()

    def cancel_when_started(n: int) -> None:
        first(n)
        if first.total >= 4 * MiB:  # each segment has its first MiB (and needs 3 more stalls to finish)
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        fetch(hub, task, staging, segments=4, cancel=cancel, on_bytes=cancel_when_started, stall_timeout=0.5)

    [left] = partials.list_partials(staging)
    saved = left.sidecar.segments
    assert saved is not None and len(saved) == 4
    assert all(s.start < s.done < s.end for s in saved), saved
    assert left.bytes_done == first.total

    hub.faults.clear()
    hub.clear_requests()
    second = ProgressLog()
    fetch(hub, task, staging, segments=4, on_bytes=second)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    assert ranges_asked(hub) == sorted(f"bytes={s.done}-{s.end - 1}" for s in saved)
    assert bytes_served(hub, PATH) == sum(s.end - s.done for s in saved)
    assert second.calls[0] == first.total and second.total == task.size


def test_server_without_ranges_falls_back_to_one_stream(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    hub.faults.ignore_range(PATH, times=None)
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", segments=4, on_bytes=progress)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    assert body_gets(hub, PATH)[-1].headers.get("Range") is None
    assert progress.total == task.size


def test_segment_corruption_is_redone_in_one_stream(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    hub.faults.corrupt(PATH, 9 * MiB + 1)

    fetch(hub, task, tmp_path / "staging", segments=4)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    last = body_gets(hub, PATH)[-1]
    assert last.headers.get("Range") is None and last.bytes_sent == task.size


def test_dropped_segment_reconnects_from_its_offset(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    hub.faults.drop_after(PATH, MiB + 17)

    fetch(hub, task, tmp_path / "staging", segments=4)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    assert len(body_gets(hub, PATH)) == 5
    assert bytes_served(hub, PATH) == task.size


def test_small_files_stay_single_stream(hub, tmp_path, monkeypatch):
    monkeypatch.setattr(segments, "SEGMENT_MIN_SIZE", 64 * MiB)
    hub.add_repo("acme/small", {PATH: generated_content(3 * MiB)})
    task = make_task(hub, "acme/small", PATH, tmp_path / "dest")
    fetch(hub, task, tmp_path / "staging", segments=8)
    assert [r.headers.get("Range") for r in body_gets(hub, PATH)] == [None]
