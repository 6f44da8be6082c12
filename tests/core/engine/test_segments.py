"""Segmented downloads on the wire: more ranged connections while they pay, bytes in order behind the
hashed prefix, every segment resumed from its own offset, and the fallbacks (no ranges, bad hash, drops).

The emulator caps each CDN connection (its network profile) so one stream is visibly not enough; what is
asserted is what the emulator saw and what is on disk, never how long it took.
"""

from __future__ import annotations

import itertools
import threading

import pytest

from hfgui.core.engine import fill, prefix_hash, segments
from hfgui.core.store import partials
from tests.core.helpers.transfer_support import (
    ProgressLog,
    body_gets,
    bytes_served,
    fetch,
    make_task,
    pause_after,
)
from tests.hubemu import generated_content

MiB = 1024 * 1024
PATH = "weights/model.safetensors"
SIZE = 48 * MiB + 7


@pytest.fixture
def big(hub):
    return hub.add_repo("acme/big", {PATH: generated_content(SIZE, seed=11)})


def ranges_asked(hub) -> list[tuple[int, int]]:
    spans = []
    for r in body_gets(hub, PATH):
        first, _, last = r.headers["Range"].removeprefix("bytes=").partition("-")
        spans.append((int(first), int(last)))
    return sorted(spans)


class HashWatch:
    """Records how much of the file was still unhashed when the download's last byte had arrived."""

    def __init__(self, monkeypatch) -> None:
        self.hashers: list[prefix_hash.PrefixHasher] = []
        self.tail_at_end: list[int] = []
        original = prefix_hash.PrefixHasher
        watch = self

        class Watched(original):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                watch.hashers.append(self)

            def catch_up(self, prefix, *, wait=False, limit=prefix_hash.READ_BACK):
                if wait:
                    watch.tail_at_end.append(prefix - self.hashed)
                super().catch_up(prefix, wait=wait, limit=limit)

        monkeypatch.setattr(fill, "PrefixHasher", Watched)


def test_a_capped_cdn_gets_more_connections_and_the_file_is_hashed_as_it_grows(
    hub, big, tmp_path, monkeypatch
):
    hub.network.connection_rate = 12 * MiB  # one stream would take 4 s; more streams beat the cap
    watch = HashWatch(monkeypatch)
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    gets = body_gets(hub, PATH)
    assert all(r.status == 206 for r in gets)
    assert max(r.in_flight for r in gets) >= 2  # it grew past one connection
    assert len(hub.connections("cdn")) <= segments.max_connections(SIZE) + len(gets)
    # Little is fetched twice: only the bytes in flight when a connection handed over part of its range.
    assert SIZE <= bytes_served(hub, PATH) < SIZE * 1.05
    assert progress.total == task.size
    assert progress.threads == {threading.get_ident()}  # reported on the calling thread only
    assert partials.list_partials(tmp_path / "staging") == []
    # Hashed while it downloaded: at the end, far less than the file was left to hash.
    [hasher] = watch.hashers
    assert hasher.hashed == SIZE and watch.tail_at_end[-1] < SIZE // 2


def test_one_stream_is_one_request_for_the_whole_file(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    fetch(hub, task, tmp_path / "staging", segments=1)
    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    assert [r.headers.get("Range") for r in body_gets(hub, PATH)] == [None]


def test_a_fixed_count_opens_that_many_connections_in_file_order(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")

    fetch(hub, task, tmp_path / "staging", segments=4)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    spans = ranges_asked(hub)
    assert spans[0][0] == 0 and max(end for _, end in spans) == SIZE - 1
    assert all(b[0] <= a[1] + 1 for a, b in itertools.pairwise(spans))  # no gap
    assert max(r.in_flight for r in body_gets(hub, PATH)) <= 4


def test_each_segment_resumes_from_its_own_offset(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    # Every response stalls after 1 MiB; a short stall timeout turns that into slow progress, so the
    # cancel below lands while the four connections are part-way into their pieces.
    hub.faults.stall(PATH, after_bytes=MiB, seconds=60, times=None)
    first = pause_after(hub, task, staging, 4 * MiB, segments=4, stall_timeout=0.5)

    [left] = partials.list_partials(staging)
    saved = left.sidecar.segments
    assert saved is not None and left.bytes_done == first.total
    started = [s for s in saved if s.start < s.done < s.end]
    assert len(started) >= 2

    hub.faults.clear()
    hub.clear_requests()
    second = ProgressLog()
    fetch(hub, task, staging, on_bytes=second)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    starts = {first for first, _ in ranges_asked(hub)}
    assert all(s.done in starts for s in started)  # every begun segment continued where it stopped
    remaining = sum(s.end - s.done for s in saved)
    assert remaining <= bytes_served(hub, PATH) < remaining + 2 * MiB
    assert second.calls[0] == first.total and second.total == task.size


def test_a_single_stream_partial_continues_segmented(hub, big, tmp_path):
    task = make_task(hub, "acme/big", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    hub.faults.stall(PATH, after_bytes=5 * MiB, seconds=60)  # the one stream holds at 5 MiB: Pause
    pause_after(hub, task, staging, 5 * MiB, segments=1)
    assert partials.list_partials(staging)[0].sidecar.segments is None
    hub.faults.clear()
    hub.clear_requests()

    fetch(hub, task, staging, segments=4)

    assert task.dest.read_bytes() == big.head.files[PATH].content.read()
    assert ranges_asked(hub)[0][0] == 5 * MiB  # nothing before the break fetched again
    assert bytes_served(hub, PATH) < SIZE - 5 * MiB + 2 * MiB


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
    dropped = [r for r in body_gets(hub, PATH) if r.bytes_sent == MiB + 17]
    assert len(dropped) == 1
    start = int(dropped[0].headers["Range"].removeprefix("bytes=").partition("-")[0])
    assert start + MiB + 17 in {first for first, _ in ranges_asked(hub)}
    assert bytes_served(hub, PATH) == task.size


def test_small_files_stay_single_stream(hub, tmp_path):
    hub.add_repo("acme/small", {PATH: generated_content(3 * MiB)})
    task = make_task(hub, "acme/small", PATH, tmp_path / "dest")
    fetch(hub, task, tmp_path / "staging", segments=8)
    assert [r.headers.get("Range") for r in body_gets(hub, PATH)] == [None]


class GrowthWatch:
    """Keeps the segment runners a test makes, to read their growth afterwards."""

    def __init__(self, monkeypatch) -> None:
        self.runners: list = []
        original = fill.SegmentRunner
        watch = self

        class Watched(original):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                watch.runners.append(self)

        monkeypatch.setattr(fill, "SegmentRunner", Watched)


def test_connections_stop_growing_when_the_link_is_full(hub, tmp_path, monkeypatch):
    hub.add_repo("acme/link", {PATH: generated_content(32 * MiB, seed=12)})
    hub.network.connection_rate = 16 * MiB
    hub.network.link_rate = 32 * MiB  # two connections fill it
    watch = GrowthWatch(monkeypatch)
    task = make_task(hub, "acme/link", PATH, tmp_path / "dest")

    fetch(hub, task, tmp_path / "staging")

    assert file_matches(task)
    [runner] = watch.runners
    targets = [t for t, _ in runner.growth.history]
    # 1 → 2 doubled the rate; the step after it added nothing (the link was full): back to 2.
    assert targets[:2] == [1, 2] and targets[-1] == 2 and len(targets) == 4
    assert runner.growth.settled


def file_matches(task) -> bool:
    from hfgui.core.store.hashing import file_matches_etag

    return file_matches_etag(task.dest, task.etag, task.size)
