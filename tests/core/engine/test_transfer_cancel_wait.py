"""Cancel must not wait out the Hub client's retry backoff: a paused download stops at once."""

from __future__ import annotations

import threading

import pytest

from hfgui.core.engine.transfer import MAX_CONSECUTIVE_FAILURES, download_file
from hfgui.core.errors import DownloadCancelledError, NetworkError
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.core.helpers.transfer_support import make_task
from tests.hubemu import content_from_bytes

PATH = "config.json"
# Long enough that sleeping it out instead of noticing the cancel makes the download fail with the 503.
SLOW_RETRY = RetryPolicy(max_retries=2, base_wait=4.0, max_wait=4.0, max_total_wait=60.0)


def _cancel_after_first_answer(hub, cancel: threading.Event, path: str) -> threading.Thread:
    def watch() -> None:
        while not cancel.is_set() and not hub.requests_for(path):
            cancel.wait(0.01)
        cancel.set()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_cancel_during_a_retry_wait_stops_without_another_request(hub, tmp_path):
    hub.add_repo("acme/tiny", {PATH: content_from_bytes(b'{"a": 1}\n' * 1000)})
    hub.faults.status(PATH, 503, times=10, host="hub")
    client = HubClient(hub.url, token=False, retry=SLOW_RETRY)
    task = make_task(hub, "acme/tiny", PATH, tmp_path / "model")
    cancel = threading.Event()
    watcher = _cancel_after_first_answer(hub, cancel, PATH)

    with pytest.raises(DownloadCancelledError):
        download_file(client, task, tmp_path / "staging", cancel=cancel)

    watcher.join()
    assert len(hub.requests_for(PATH)) == 1  # no retry was sent after the cancel
    assert not task.dest.exists()


def test_a_server_that_restarts_from_zero_and_drops_at_the_same_place_is_given_up(hub, tmp_path):
    # Range ignored (200, whole body) and the connection cut at the same byte every time: each attempt
    # receives bytes, but never new ones. That must end with a NetworkError, not loop for ever.
    hub.add_repo("acme/tiny", {PATH: content_from_bytes(b'{"a": 1}\n' * 10_000)})
    hub.faults.drop_after(PATH, 30_000, times=30)
    hub.faults.ignore_range(PATH, times=30)
    task = make_task(hub, "acme/tiny", PATH, tmp_path / "model")
    client = HubClient(hub.url, token=False, retry=RetryPolicy(base_wait=0.01, max_wait=0.05))

    with pytest.raises(NetworkError):
        download_file(client, task, tmp_path / "staging", cancel=threading.Event())

    gets = [r for r in hub.requests_for(PATH) if r.method == "GET" and r.status in (200, 206)]
    assert len(gets) <= MAX_CONSECUTIVE_FAILURES + 1
    assert not task.dest.exists()
