"""Files in flight: doubled while completions speed up, settled when they stop, cut by 429s and quotas.

The controller is driven with a fake clock here; tests/core/engine/test_model_download_concurrency.py shows
it on the wire against the emulator.
"""

from __future__ import annotations

import threading

from hfgui.core.engine.concurrency import (
    EPOCH_MIN_SECONDS,
    MAX_FILES_IN_FLIGHT,
    START_FILES_IN_FLIGHT,
    AdaptiveConcurrency,
    for_files,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run_epoch(control: AdaptiveConcurrency, clock: Clock, files_per_second: float) -> None:
    """Complete one epoch's worth of files at the given pace (the controller judges it at the end)."""
    for _ in range(max(2 * control.limit, int(EPOCH_MIN_SECONDS * files_per_second) + 2)):
        clock.now += 1 / files_per_second
        control.file_done()


def latency_bound(limit: int) -> float:
    """Files per second of a far-away Hub: each file takes 80 ms, whatever else is in flight."""
    return limit / 0.08


def test_grows_while_more_files_in_flight_finish_faster_up_to_the_cap():
    clock = Clock()
    control = AdaptiveConcurrency(files=2602, clock=clock)
    assert control.limit == START_FILES_IN_FLIGHT
    for _ in range(4):
        run_epoch(control, clock, latency_bound(control.limit))
    assert control.limit == MAX_FILES_IN_FLIGHT
    assert [c.reason for c in control.history] == ["start", "grow", "grow"]


def test_settles_back_when_a_doubling_does_not_pay():
    clock = Clock()
    control = AdaptiveConcurrency(files=2602, clock=clock)
    run_epoch(control, clock, 400)  # CPU-bound: the same pace at 8 and at 16
    assert control.limit == 16
    run_epoch(control, clock, 410)
    assert control.limit == 8
    run_epoch(control, clock, 800)  # settled: a later burst does not restart growth
    assert control.limit == 8
    assert [c.reason for c in control.history] == ["start", "grow", "settle"]


def test_bytes_per_second_count_too():
    clock = Clock()
    control = AdaptiveConcurrency(files=300, clock=clock)
    for limit in (8, 16):
        for _ in range(2 * limit):
            clock.now += 0.05
            control.add_bytes(limit * 100_000)  # bigger files: bytes speed up, files barely do
            control.file_done()
    assert control.limit == 32


def test_few_files_cap_it_and_a_fixed_count_never_grows():
    assert AdaptiveConcurrency(files=3).limit == 3 and AdaptiveConcurrency(files=3).maximum == 3
    clock = Clock()
    fixed = for_files(500, workers=2)
    fixed._clock = clock
    for _ in range(3):
        run_epoch(fixed, clock, latency_bound(2))
    assert fixed.limit == 2 and fixed.maximum == 2
    assert for_files(500, workers=0).limit == START_FILES_IN_FLIGHT


def test_a_429_halves_once_per_burst_and_holds_growth_for_the_wait():
    clock = Clock()
    control = AdaptiveConcurrency(files=2602, clock=clock)
    run_epoch(control, clock, latency_bound(8))
    assert control.limit == 16
    for _ in range(16):  # a whole round of requests answered 429 at once
        control.rate_limited(wait=30)
    assert control.limit == 8
    run_epoch(control, clock, latency_bound(8))
    assert control.limit == 8  # no growth while the Hub's window has not reset
    clock.now += 30
    run_epoch(control, clock, latency_bound(8))
    assert control.limit == 16
    clock.now += 10
    control.rate_limited()
    assert control.limit == 8
    assert [c.reason for c in control.history].count("429") == 2


def test_a_fixed_count_still_yields_to_429():
    control = for_files(100, workers=8)
    control.rate_limited()
    assert control.limit == 4


def test_little_quota_left_caps_files_in_flight_until_the_window_resets():
    control = AdaptiveConcurrency(files=2602)
    control.quota(remaining=1000, reset=200)
    assert control.limit == START_FILES_IN_FLIGHT
    control.quota(remaining=10, reset=200)
    assert control.limit == 5
    control.quota(remaining=0, reset=200)
    assert control.limit == 1
    control.quota(remaining=3000, reset=300)  # a new window
    assert control.limit == START_FILES_IN_FLIGHT
    assert [c.reason for c in control.history] == ["start", "quota", "quota", "quota"]


def test_slots_hold_workers_to_the_limit_and_let_them_go_on_cancel():
    control = AdaptiveConcurrency(files=10, start=2, fixed=True)
    cancel = threading.Event()
    inside = []
    release = threading.Event()
    peak = []
    lock = threading.Lock()

    def worker() -> None:
        with control.slot(cancel) as got:
            if not got:
                return
            with lock:
                inside.append(1)
                peak.append(control.in_flight)
            release.wait(10)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    while control.in_flight < 2:
        pass
    cancel.set()  # the three waiting workers give up; the two inside finish normally
    release.set()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads)
    assert max(peak) == 2 and len(inside) == 2
    assert control.in_flight == 0


def test_a_marginal_gain_is_measured_again_and_dropped_when_it_does_not_hold():
    clock = Clock()
    control = AdaptiveConcurrency(files=2602, clock=clock)
    run_epoch(control, clock, 400)  # 8 in flight
    assert control.limit == 16
    run_epoch(control, clock, 460)  # +15 %: not trusted yet, measured once more
    assert control.limit == 16 and not control.history[-1].reason == "settle"
    run_epoch(control, clock, 400)  # it did not hold
    assert control.limit == 8 and control.history[-1].reason == "settle"


def test_the_cap_is_measured_too_and_left_when_it_does_not_pay():
    clock = Clock()
    control = AdaptiveConcurrency(files=2602, clock=clock)
    run_epoch(control, clock, latency_bound(8))
    run_epoch(control, clock, latency_bound(16))
    assert control.limit == 32
    run_epoch(control, clock, latency_bound(16))  # 32 in flight bought nothing over 16
    assert control.limit == 16 and control.history[-1].reason == "settle"
