"""ProgressAggregator: totals stay consistent, byte updates are coalesced, state changes are immediate."""

from __future__ import annotations

import threading
import time

from hfgui.core.engine.progress import ProgressAggregator, RollingRate
from hfgui.core.types import FileState, ModelState


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_byte_updates_are_coalesced_and_state_changes_immediate():
    clock = FakeClock()
    events = []
    agg = ProgressAggregator("o/m", [("a", 1000), ("b", 500)], events.append, clock=clock, trailing=False)
    agg.set_state("a", FileState.DOWNLOADING)
    assert len(events) == 1
    for _ in range(50):  # 50 updates inside one 0.1 s interval -> none delivered
        agg.add_bytes("a", 10)
    assert len(events) == 1
    clock.now += 0.1
    agg.add_bytes("a", 10)
    assert len(events) == 2
    assert events[-1].bytes_done == 510
    agg.set_state("a", FileState.DONE)
    assert len(events) == 3
    last = events[-1]
    assert last.files[0].state is FileState.DONE
    assert last.files[0].bytes_done == 1000  # a finished file holds exactly its size
    assert last.bytes_done == 1000 and last.bytes_total == 1500
    assert last.files_done == 1 and last.files_total == 2


def test_skipped_and_seeded_bytes_count_toward_done_but_not_speed():
    clock = FakeClock()
    agg = ProgressAggregator("o/m", [("a", 100), ("b", 300)], clock=clock)
    agg.set_bytes("b", 120)  # a resumed partial
    agg.set_state("a", FileState.SKIPPED)
    snap = agg.snapshot()
    assert snap.bytes_done == 220
    assert snap.speed == 0.0
    agg.set_state("b", FileState.DOWNLOADING)
    for _ in range(10):
        clock.now += 0.2
        agg.add_bytes("b", 18)
    snap = agg.snapshot()
    assert snap.bytes_done == 400
    assert abs(snap.speed - 90.0) < 1e-6  # 18 bytes every 0.2 s
    assert snap.eta_seconds == 0.0


def test_negative_bytes_restart_from_zero():
    agg = ProgressAggregator("o/m", [("a", 100)], clock=FakeClock())
    agg.add_bytes("a", 60)
    agg.add_bytes("a", -60)
    agg.add_bytes("a", 100)
    assert agg.snapshot().bytes_done == 100


def test_rolling_rate_forgets_old_samples():
    rate = RollingRate(window=5.0, resolution=0.1)
    rate.record(0.0, 0)
    rate.record(1.0, 1_000_000)  # a burst long ago
    for t in range(2, 21):
        rate.record(float(t), 1_000_000 + (t - 1) * 10)
    assert abs(rate.rate(20.0) - 10.0) < 1e-6


def test_large_counts_stay_exact():
    big = 10 * 2**40
    agg = ProgressAggregator("o/m", [("a", big)], clock=FakeClock())
    agg.add_bytes("a", big - 1)
    agg.add_bytes("a", 1)
    snap = agg.snapshot()
    assert snap.bytes_done == big == snap.bytes_total


def test_threads_adding_bytes_keep_totals_consistent():
    events = []
    agg = ProgressAggregator("o/m", [(f"f{i}", 10_000) for i in range(8)], events.append)
    agg.set_model_state(ModelState.DOWNLOADING)

    def work(path):
        agg.set_state(path, FileState.DOWNLOADING)
        for _ in range(1000):
            agg.add_bytes(path, 10)
        agg.set_state(path, FileState.DONE)

    threads = [threading.Thread(target=work, args=(f"f{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = events[-1]
    assert final.bytes_done == final.bytes_total == 80_000
    assert final.files_done == 8
    done_counts = [e.bytes_done for e in events]
    assert done_counts == sorted(done_counts)  # snapshots arrive in the order they were taken


def test_a_throttled_update_is_delivered_later_without_further_calls():
    events = []
    arrived = threading.Event()

    def on_progress(p):
        events.append(p)
        if p.bytes_done == 300:
            arrived.set()

    agg = ProgressAggregator("o/m", [("a", 1000)], on_progress)
    agg.set_state("a", FileState.DOWNLOADING)
    agg.add_bytes("a", 100)  # inside the 0.1 s window after the state change: held back
    agg.add_bytes("a", 200)
    assert [e.bytes_done for e in events] == [0]
    assert arrived.wait(30)  # guard only: the timer delivers it about 0.1 s later
    agg.close()
    assert [e.bytes_done for e in events] == [0, 300]


def test_while_no_byte_arrives_snapshots_keep_coming_with_the_speed_falling_to_zero():
    clock = FakeClock()
    events = []
    agg = ProgressAggregator(
        "o/m", [("a", 10_000_000)], events.append, clock=clock, heartbeat=0.02, window=5.0
    )
    agg.set_model_state(ModelState.DOWNLOADING)
    agg.set_state("a", FileState.DOWNLOADING)
    for _ in range(10):  # 1 MB/s for a second
        clock.now += 0.1
        agg.add_bytes("a", 100_000)
    agg.flush()
    assert events[-1].speed > 0 and events[-1].eta_seconds is not None
    clock.now += 6.0  # then a stall longer than the speed window
    before = len(events)
    beat = threading.Event()
    agg._on_progress = lambda snap: (events.append(snap), beat.set())
    assert beat.wait(60)  # the heartbeat delivered a snapshot although nothing changed (60 s: a hang guard)
    agg.close()
    stalled = events[-1]
    assert len(events) > before
    assert stalled.speed == 0.0 and stalled.eta_seconds is None
    assert stalled.files[0].speed == 0.0


def test_close_stops_the_heartbeat_before_returning():
    events = []
    agg = ProgressAggregator("o/m", [("a", 100)], events.append, heartbeat=0.01)
    agg.set_model_state(ModelState.DOWNLOADING)
    beating = agg._heartbeat_thread
    assert beating is not None and beating.is_alive()
    agg.close()
    assert not beating.is_alive()
    count = len(events)
    time.sleep(0.05)  # nothing arrives after close (not a time bound: the count must not change)
    assert len(events) == count


def test_a_quiet_download_says_how_long_nothing_arrived_and_shows_no_speed():
    clock = FakeClock()
    agg = ProgressAggregator("o/m", [("a", 10_000)], clock=clock, trailing=False)
    assert agg.snapshot().idle_seconds == 0.0  # nothing downloads yet: not quiet, just waiting
    agg.set_state("a", FileState.DOWNLOADING)
    for _ in range(10):  # a steady 1,000 bytes a second
        clock.now += 0.5
        agg.add_bytes("a", 500)
    moving = agg.snapshot()
    assert moving.idle_seconds == 0.0 and moving.speed > 0
    clock.now += 2.0  # shorter than the quiet limit: still the averaged speed
    assert agg.snapshot().speed > 0 and agg.snapshot().idle_seconds == 2.0
    clock.now += 1.5
    quiet = agg.snapshot()
    assert quiet.idle_seconds == 3.5 and quiet.speed == 0.0 and quiet.eta_seconds is None
    agg.add_bytes("a", 100)
    assert agg.snapshot().idle_seconds == 0.0
    agg.set_state("a", FileState.DONE)
    assert agg.snapshot().idle_seconds == 0.0
