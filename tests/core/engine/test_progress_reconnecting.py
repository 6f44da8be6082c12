"""A dropped or stalled transfer shows "reconnecting" through progress at once, its speed 0, until bytes
flow again; Hub requests waiting to retry stop at a cancel."""

from __future__ import annotations

import socket
import threading

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.engine.progress import ProgressAggregator
from hfgui.core.errors import DownloadCancelledError
from hfgui.core.types import FileState, ModelState, RetryNotice
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.core.helpers.transfer_support import FAST_RETRY
from tests.hubemu import generated_content

MiB = 1024 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _downloading(events, clock):
    agg = ProgressAggregator(
        "o/m", [("a", 10_000), ("b", 10_000)], events.append, clock=clock, trailing=False
    )
    agg.set_model_state(ModelState.DOWNLOADING)
    agg.set_state("a", FileState.DOWNLOADING)
    for _ in range(10):
        clock.now += 0.2
        agg.add_bytes("a", 100)
    return agg


def test_reconnecting_is_delivered_at_once_and_speed_falls_to_zero():
    clock, events = FakeClock(), []
    agg = _downloading(events, clock)
    assert agg.snapshot().speed > 0
    notice = RetryNotice("connection dropped", 2, 5, 0.25, "http://cdn")
    before = len(events)

    agg.set_reconnecting("a", notice)  # no clock tick: not held back by the byte throttle

    assert len(events) == before + 1
    snap = events[-1]
    assert snap.files[0].reconnecting == notice and snap.files[0].state is FileState.DOWNLOADING
    assert snap.reconnecting == notice
    assert snap.speed == 0.0 and snap.files[0].speed == 0.0 and snap.eta_seconds is None
    assert snap.changed == (0,)


def test_the_next_bytes_clear_it_at_once():
    clock, events = FakeClock(), []
    agg = _downloading(events, clock)
    agg.set_reconnecting("a", RetryNotice("no data for 10 s", 2, 5, 0.5))
    before = len(events)

    agg.add_bytes("a", 50)  # same instant: a byte update alone would wait for the throttle

    assert len(events) == before + 1
    assert events[-1].reconnecting is None and events[-1].files[0].reconnecting is None
    assert events[-1].files[0].bytes_done == 1050


def test_a_moving_file_keeps_the_model_speed_while_another_reconnects():
    clock, events = FakeClock(), []
    agg = _downloading(events, clock)
    agg.set_state("b", FileState.DOWNLOADING)
    agg.set_reconnecting("b", RetryNotice("HTTP 503", 2, 6, 1.0))
    snap = agg.snapshot()
    assert snap.reconnecting is not None and snap.files[1].speed == 0.0
    assert snap.speed > 0  # file a still moves


def test_a_finished_or_failed_file_is_no_longer_reconnecting():
    clock, events = FakeClock(), []
    agg = _downloading(events, clock)
    agg.set_reconnecting("a", RetryNotice("connection dropped", 5, 5, 4.0))
    agg.set_state("a", FileState.FAILED, "gave up")
    snap = agg.snapshot()
    assert snap.reconnecting is None and snap.files[0].reconnecting is None


def test_a_dropped_download_reports_reconnecting_through_model_progress(hub, tmp_path):
    hub.add_repo("acme/tiny", {"model.safetensors": generated_content(3 * MiB, seed=4)})
    hub.faults.drop_after("model.safetensors", MiB, host="cdn")
    events = []

    with HubClient(hub.url, token=False, retry=FAST_RETRY) as client:
        download_model(client, DownloadRequest("acme/tiny"), tmp_path, on_progress=events.append)

    waiting = [e for e in events if e.reconnecting is not None]
    assert waiting, "no snapshot said it was reconnecting"
    first = waiting[0]
    assert (first.reconnecting.reason, first.reconnecting.attempt) == ("connection dropped", 2)
    assert first.speed == 0.0 and first.files[0].reconnecting == first.reconnecting
    assert first.files[0].bytes_done == MiB
    after = events[events.index(waiting[-1]) + 1 :]
    assert after and all(e.reconnecting is None for e in after)
    assert events[-1].state is ModelState.INSTALLED


def _refused_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on: every attempt is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_hub_requests_waiting_to_retry_stop_at_a_cancel():
    # Waits of an hour between attempts: only the cancel can end this call. The issue asks that the
    # window can close within 2 s while requests retry against an unreachable Hub.
    patient = RetryPolicy(max_retries=5, base_wait=3600.0, max_wait=3600.0, max_total_wait=36000.0)
    cancel = threading.Event()
    notices: list[RetryNotice] = []
    told = threading.Event()

    def on_retry(notice: RetryNotice) -> None:
        notices.append(notice)
        told.set()

    client = HubClient(_refused_url(), token=False, retry=patient, on_retry=on_retry).cancellable(cancel)
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            client.model_info("acme/tiny")
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=ask, daemon=True)
    worker.start()
    assert told.wait(30)
    cancel.set()
    worker.join(2.0)

    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], DownloadCancelledError)
    assert [(n.reason, n.attempt, n.max_attempts) for n in notices] == [("connection refused", 2, 6)]


def test_a_cancelled_client_starts_no_new_attempt():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DownloadCancelledError):
        HubClient(_refused_url(), token=False).cancellable(cancel).model_info("acme/tiny")
