"""Hostile servers meet the segmented path too: a stale copy is refused at the headers, a 416 inside the
file falls back to one stream from zero, a stalled segment reconnects from its own offset and says why."""

from __future__ import annotations

import threading

import pytest

from hfgui.core.errors import StaleObjectError
from hfgui.core.store import partials
from tests.core.helpers.transfer_support import ProgressLog, body_gets, fetch, make_task, pause_after
from tests.hubemu import generated_content

MiB = 1024 * 1024
PATH = "model.safetensors"
SIZE = 20 * MiB + 77  # segmented: at least segments.SEGMENT_MIN_SIZE


@pytest.fixture
def task(hub, tmp_path):
    hub.add_repo("acme/big", {PATH: generated_content(SIZE, seed=13)})
    return make_task(hub, "acme/big", PATH, tmp_path / "dest")


def expected(hub) -> bytes:
    return hub.repo("acme/big").head.files[PATH].content.read()


def ranged_starts(hub) -> set[int]:
    return {int(r.headers["Range"].removeprefix("bytes=").partition("-")[0]) for r in body_gets(hub, PATH)}


def test_a_stale_copy_is_refused_at_the_headers_of_every_segment(hub, task, tmp_path):
    staging = tmp_path / "staging"
    hub.faults.stale_object(PATH, SIZE - 4096, times=None, host="cdn")

    progress = ProgressLog()

    with pytest.raises(StaleObjectError):
        fetch(hub, task, staging, segments=4, on_bytes=progress)

    assert progress.total == 0 and partials.list_partials(staging) == []  # not a byte kept
    assert len(body_gets(hub, PATH)) <= 4  # one answer per connection at most, none asked again


def test_a_stale_copy_met_when_segments_resume_drops_the_partial(hub, task, tmp_path):
    staging = tmp_path / "staging"
    hub.faults.stall(PATH, after_bytes=MiB, seconds=60, times=None)
    pause_after(hub, task, staging, 2 * MiB, segments=4, stall_timeout=0.5)
    assert partials.list_partials(staging)[0].sidecar.segments is not None
    hub.faults.clear()
    hub.faults.stale_object(PATH, SIZE + 10, times=None, host="cdn")

    with pytest.raises(StaleObjectError):
        fetch(hub, task, staging, segments=4)

    assert partials.list_partials(staging) == []


def test_a_416_inside_the_file_starts_over_in_one_stream(hub, task, tmp_path):
    hub.faults.refuse_range(PATH, host="cdn")  # the first ranged request of the file is refused

    fetch(hub, task, tmp_path / "staging", segments=4)

    assert task.dest.read_bytes() == expected(hub)
    last = body_gets(hub, PATH)[-1]
    assert last.headers.get("Range") is None and last.bytes_sent == SIZE


def test_a_stalled_segment_reconnects_from_its_offset_and_says_why(hub, task, tmp_path):
    hub.faults.stall(PATH, after_bytes=MiB, seconds=30, host="cdn")  # one response goes silent
    notices = []
    threads = set()

    def on_retry(notice) -> None:
        notices.append(notice)
        threads.add(threading.get_ident())

    fetch(hub, task, tmp_path / "staging", segments=4, stall_timeout=0.3, on_retry=on_retry)

    assert task.dest.read_bytes() == expected(hub)
    [notice] = notices
    assert (notice.reason, notice.attempt) == ("no data for 0.3 s", 2)
    assert notice.host == hub.cdn_url
    stalled = next(r for r in body_gets(hub, PATH) if r.bytes_sent == MiB)
    start = int(stalled.headers["Range"].removeprefix("bytes=").partition("-")[0])
    assert start + MiB in ranged_starts(hub)  # that segment went on from where it went quiet
    assert threading.get_ident() not in threads  # told from the segment's own connection thread


def test_a_dropped_segment_shows_reconnecting_in_model_progress(hub, tmp_path):
    from hfgui.core.engine.model_download import download_model
    from hfgui.core.engine.planner import DownloadRequest
    from hfgui.core.types import ModelState
    from hfgui.core.wire.hub import HubClient
    from tests.core.helpers.transfer_support import FAST_RETRY

    hub.add_repo("acme/big", {PATH: generated_content(SIZE, seed=13)})
    hub.faults.drop_after(PATH, MiB, host="cdn")
    events = []

    with HubClient(hub.url, token=False, retry=FAST_RETRY) as client:
        download_model(client, DownloadRequest("acme/big"), tmp_path, on_progress=events.append)

    waiting = [e for e in events if e.files[0].reconnecting is not None]
    assert waiting, "no snapshot said the file was reconnecting"
    assert waiting[0].files[0].reconnecting.reason == "connection dropped"
    assert events[-1].state is ModelState.INSTALLED and events[-1].files[0].reconnecting is None
