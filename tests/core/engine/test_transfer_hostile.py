"""Servers that lie or break mid-file: a stale copy of another size, 416 inside the file, redirect loops,
stalls versus slow links. Nothing wrong is kept, and the message names what happened."""

from __future__ import annotations

import inspect
import threading

import pytest

from hfgui.core.engine import transfer
from hfgui.core.engine.model_download import ModelDownloader
from hfgui.core.engine.transfer import DEFAULT_STALL_TIMEOUT, download_file
from hfgui.core.errors import RangeRefusedError, RedirectLoopError, StaleObjectError
from hfgui.core.settings import Settings
from hfgui.core.store import partials
from tests.core.helpers.transfer_support import (
    ProgressLog,
    body_gets,
    bytes_served,
    fetch,
    make_client,
    make_task,
    pause_after,
)
from tests.hubemu import generated_content

MiB = 1024 * 1024
PATH = "model.safetensors"
SIZE = 3 * MiB + 77


@pytest.fixture
def task(hub, tmp_path):
    hub.add_repo("acme/tiny", {PATH: generated_content(SIZE, seed=11)})
    return make_task(hub, "acme/tiny", PATH, tmp_path / "dest")


def _expected(hub) -> bytes:
    return hub.repo("acme/tiny").head.files[PATH].content.read()


@pytest.mark.parametrize("served", [SIZE - 4096, SIZE + 4096])
def test_a_copy_of_another_size_is_refused_at_the_headers_and_a_rerun_starts_clean(
    hub, task, tmp_path, served
):
    staging = tmp_path / "staging"
    hub.faults.stale_object(PATH, served, times=None, host="cdn")
    progress = ProgressLog()

    with pytest.raises(StaleObjectError) as info:
        fetch(hub, task, staging, on_bytes=progress)

    text = str(info.value)
    assert f"sent a {served}-byte file where the Hub lists {SIZE} bytes (stale mirror or cache?)" in text
    assert "HTTP" not in text and "\n" not in text
    assert progress.total == 0 and partials.list_partials(staging) == []  # not a byte kept
    assert len(body_gets(hub, PATH)) == 1  # refused at once, no resume past its end

    hub.faults.clear()
    hub.clear_requests()
    fetch(hub, task, staging)
    assert task.dest.read_bytes() == _expected(hub)
    [get] = body_gets(hub, PATH)
    assert "Range" not in get.headers and bytes_served(hub, PATH) == SIZE  # clean, not 1.25 times the file


def test_a_stale_copy_met_on_resume_drops_the_partial(hub, task, tmp_path):
    staging = tmp_path / "staging"
    pause_after(hub, task, staging, MiB)
    [kept] = partials.list_partials(staging)
    hub.faults.stale_object(PATH, SIZE - 10, times=None, host="cdn")
    hub.clear_requests()

    with pytest.raises(StaleObjectError, match=f"sent a {SIZE - 10}-byte file"):
        fetch(hub, task, staging)

    [get] = body_gets(hub, PATH)
    assert get.status == 206 and get.headers["Range"] == f"bytes={kept.bytes_done}-"
    assert partials.list_partials(staging) == []  # the next run starts clean


def test_416_inside_the_file_restarts_from_zero_once(hub, task, tmp_path):
    hub.faults.drop_after(PATH, MiB, host="cdn")
    hub.faults.refuse_range(PATH, host="cdn")
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert task.dest.read_bytes() == _expected(hub)
    cdn = [(r.status, r.headers.get("Range")) for r in hub.requests_for(PATH, host="cdn")]
    assert cdn == [(200, None), (416, f"bytes={MiB}-"), (200, None)]
    assert -MiB in progress.calls and progress.total == SIZE


def test_416_again_after_starting_over_fails_clearly_and_keeps_nothing(hub, task, tmp_path):
    staging = tmp_path / "staging"
    hub.faults.drop_after(PATH, MiB, times=2, host="cdn")
    hub.faults.refuse_range(PATH, times=None, host="cdn")

    with pytest.raises(RangeRefusedError) as info:
        fetch(hub, task, staging)

    text = str(info.value)
    assert f"refused to send bytes from {MiB} on (HTTP 416), although the Hub lists {SIZE} bytes" in text
    assert "localhost" in text and "\n" not in text
    assert partials.list_partials(staging) == []
    assert [r.status for r in hub.requests_for(PATH, host="cdn")] == [200, 416, 200, 416]


def test_a_redirect_loop_is_named_with_its_host_not_a_made_up_status(hub, task, tmp_path):
    hub.faults.redirect_loop(PATH, host="cdn")

    with pytest.raises(RedirectLoopError) as info:
        fetch(hub, task, tmp_path / "staging")

    text = str(info.value)
    assert text.startswith(f"Redirect loop after {transfer.MAX_REDIRECTS} hops at localhost:{hub.cdn_port}.")
    assert "HTTP" not in text and "310" not in text


def test_a_redirect_loop_on_the_hub_api_is_named_too(hub, task):
    hub.faults.redirect_loop("/api/models/*", host="hub")
    with pytest.raises(
        RedirectLoopError, match=rf"Redirect loop after \d+ hops at 127\.0\.0\.1:{hub.port}\."
    ):
        make_client(hub).model_info("acme/tiny")


def test_stall_timeout_is_ten_seconds_by_default_everywhere():
    assert DEFAULT_STALL_TIMEOUT == 10.0
    assert Settings().stall_timeout_seconds == 10
    assert inspect.signature(download_file).parameters["stall_timeout"].default == 10.0
    assert inspect.signature(ModelDownloader).parameters["stall_timeout"].default == 10.0


def test_a_stall_reconnects_and_says_why(hub, task, tmp_path):
    hub.faults.stall(PATH, after_bytes=MiB, seconds=30, host="cdn")
    notices = []

    fetch(hub, task, tmp_path / "staging", stall_timeout=0.3, on_retry=notices.append)

    assert task.dest.read_bytes() == _expected(hub)
    [notice] = notices
    assert (notice.reason, notice.attempt, notice.max_attempts) == ("no data for 0.3 s", 2, 5)
    assert notice.host == hub.cdn_url
    assert body_gets(hub, PATH)[1].headers["Range"] == f"bytes={MiB}-"


def test_a_slow_but_moving_link_is_not_a_stall(hub, tmp_path):
    # 4 KiB every 0.15 s for 64 KiB takes ~2.4 s, many times the stall timeout: only silence counts.
    hub.add_repo("acme/slow", {PATH: generated_content(64 * 1024, seed=2)})
    task = make_task(hub, "acme/slow", PATH, tmp_path / "dest")
    hub.faults.slow(PATH, piece=4096, seconds=0.15, host="cdn")
    notices = []

    fetch(hub, task, tmp_path / "staging", stall_timeout=0.6, on_retry=notices.append)

    assert task.dest.read_bytes() == hub.repo("acme/slow").head.files[PATH].content.read()
    assert notices == [] and len(body_gets(hub, PATH)) == 1


def test_a_503_at_open_is_told_as_a_retry(hub, task, tmp_path):
    hub.faults.status(PATH, 503, times=1, host="cdn")
    notices = []

    fetch(hub, task, tmp_path / "staging", on_retry=notices.append)

    assert [(n.reason, n.attempt) for n in notices] == [("HTTP 503", 2)]
    assert notices[0].host == hub.cdn_url


def test_on_retry_is_told_from_the_downloading_thread(hub, task, tmp_path):
    hub.faults.drop_after(PATH, MiB, host="cdn")
    threads = []

    fetch(hub, task, tmp_path / "staging", on_retry=lambda n: threads.append(threading.get_ident()))

    assert threads == [threading.get_ident()]
