"""The bandwidth limiter: token-bucket accounting on a simulated clock, rate parsing, use in downloads."""

from __future__ import annotations

import threading

import pytest

from hfgui.core.engine.bandwidth import BandwidthLimiter, parse_rate
from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reservations_follow_the_rate_on_a_simulated_clock():
    clock = FakeClock()
    limiter = BandwidthLimiter(1000, burst=500, clock=clock)
    # The bucket starts empty: 1000 bytes at 1000 B/s must wait one second.
    assert limiter.reserve(1000) == pytest.approx(1.0)
    # A second caller queues behind the first.
    assert limiter.reserve(500) == pytest.approx(1.5)
    clock.now = 1.5
    assert limiter.reserve(0) == 0.0
    clock.now = 3.5  # two idle seconds refill only up to the burst
    assert limiter.reserve(500) == pytest.approx(0.0)
    assert limiter.reserve(1000) == pytest.approx(1.0)
    assert limiter.granted == 3000


def test_granted_bytes_never_exceed_burst_plus_rate_times_elapsed():
    clock = FakeClock()
    rate, burst = 10_000, 2_500
    limiter = BandwidthLimiter(rate, burst=burst, clock=clock)
    used = 0
    for step in range(200):
        wait = limiter.reserve(1_000)
        clock.now += wait  # a worker that sleeps exactly as told, then uses its bytes
        used += 1_000
        assert used <= burst + rate * clock.now + 1_000, step
    # Busy for the whole simulated span: the average is the rate.
    assert used / clock.now == pytest.approx(rate, rel=0.02)


def test_zero_means_unlimited_and_rate_can_change():
    clock = FakeClock()
    limiter = BandwidthLimiter(0, clock=clock)
    assert limiter.reserve(10**9) == 0.0
    limiter.set_rate(100)
    assert limiter.reserve(100) > 0
    limiter.set_rate(0)
    assert limiter.reserve(10**9) == 0.0
    assert limiter.granted == 2 * 10**9 + 100


def test_threads_share_one_bucket():
    clock = FakeClock()
    limiter = BandwidthLimiter(1_000, burst=1, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(25):
            w = limiter.reserve(10)
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.granted == 1_000
    # 1000 bytes at 1000 B/s on a frozen clock: the last reservation waits about one second.
    assert max(waits) == pytest.approx(1.0, abs=0.01)
    assert len(set(round(w, 6) for w in waits)) == 100  # every reservation got its own slot


def test_acquire_returns_early_on_cancel():
    limiter = BandwidthLimiter(1)  # one byte a second: 1000 bytes would wait ~17 minutes
    cancel = threading.Event()
    cancel.set()
    assert limiter.acquire(1000, cancel) is False


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5M", 5_000_000),
        ("500k", 500_000),
        ("1.5MB/s", 1_500_000),
        ("2MiB", 2 * 2**20),
        ("0", 0),
        ("800", 800),
    ],
)
def test_parse_rate(text, value):
    assert parse_rate(text) == value


@pytest.mark.parametrize("text", ["fast", "-1M", "5X", "", "inf"])
def test_parse_rate_rejects_nonsense(text):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(text)


def test_download_passes_every_byte_through_the_limiter(hub, tmp_path):
    files = {"a.bin": generated_content(300_000, seed=1), "b.bin": generated_content(200_000, seed=2)}
    hub.add_repo("acme/limited", files=files)
    client = HubClient(endpoint=hub.url, token=False)
    limiter = BandwidthLimiter(50 * 10**6)  # high enough to keep the test quick
    download_model(client, DownloadRequest("acme/limited", workers=2), tmp_path, limiter=limiter)
    assert limiter.granted == 500_000
    assert (tmp_path / "acme" / "limited" / "a.bin").stat().st_size == 300_000


def test_under_a_cap_progress_moves_in_small_steps(hub, tmp_path):
    hub.add_repo("acme/capped", files={"w.bin": generated_content(600_000, seed=3)})
    client = HubClient(endpoint=hub.url, token=False)
    limiter = BandwidthLimiter(2 * 10**6)  # an eighth of a second: 250 kB chunks, not 1 MiB ones
    steps = []

    class Limiter(BandwidthLimiter):
        def acquire(self, n, cancel=None):
            steps.append(n)
            return limiter.acquire(n, cancel)

    capped = Limiter(limiter.rate)
    download_model(client, DownloadRequest("acme/capped"), tmp_path, limiter=capped)
    assert sum(steps) == 600_000
    assert max(steps) <= 250_000 and len(steps) >= 3
