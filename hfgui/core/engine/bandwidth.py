"""A bandwidth cap shared by every worker of a download: a thread-safe token bucket counted in bytes."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WAIT_SLICE = 0.05  # seconds: a throttled worker re-checks cancel at least this often
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


class BandwidthLimiter:
    """Grants bytes at `rate` per second on average, with bursts of at most `burst` bytes.

    Each `acquire(n)` takes its bytes at once, possibly into debt, then waits until the debt is paid
    off; later callers queue behind it. So over any span of T seconds at most `burst + rate * T`
    bytes (plus one chunk) are granted, however many threads share the limiter. A rate of 0 means
    unlimited. `granted` counts every byte handed out, for progress and for tests.
    """

    def __init__(
        self,
        rate: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._rate = 0
        self._burst = 0
        self._tokens = 0.0
        self._last = clock()
        self.granted = 0
        self.set_rate(rate, burst=burst)

    @property
    def rate(self) -> int:
        return self._rate

    def set_rate(self, rate: int, *, burst: int | None = None) -> None:
        """Change the cap while downloads run (the window's setting); 0 lifts it."""
        rate = max(0, int(rate))
        with self._lock:
            self._refill(self._clock())
            self._rate = rate
            # A quarter second of traffic: smooth enough, and large enough for a network read.
            self._burst = max(1, int(burst if burst is not None else rate // 4))
            self._tokens = min(self._tokens, float(self._burst))

    def reserve(self, n: int) -> float:
        """Take `n` bytes now; return how many seconds the caller must wait before using them."""
        if n <= 0:
            return 0.0
        with self._lock:
            self.granted += n
            if self._rate <= 0:
                return 0.0
            self._refill(self._clock())
            self._tokens -= n
            return -self._tokens / self._rate if self._tokens < 0 else 0.0

    def acquire(self, n: int, cancel: threading.Event | None = None) -> bool:
        """Block until `n` bytes may pass; False when `cancel` was set while waiting (the caller stops)."""
        wait = self.reserve(n)
        if wait <= 0:
            return True
        deadline = self._clock() + wait
        while True:
            left = deadline - self._clock()
            if left <= 0:
                return True
            if cancel is not None:
                if cancel.wait(min(left, WAIT_SLICE)):
                    return False
            else:
                time.sleep(min(left, WAIT_SLICE))

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._last = now
        if self._rate > 0:
            self._tokens = min(float(self._burst), self._tokens + elapsed * self._rate)


def parse_rate(text: str) -> int:
    """`5M`, `500k`, `1.5MB/s`, `2MiB`, `0` -> bytes per second (decimal units, as sizes are shown).

    ValueError with a readable reason otherwise.
    """
    raw = text.strip().lower().replace(" ", "")
    if raw.endswith("/s"):
        raw = raw[:-2]
    if raw.endswith("ps"):
        raw = raw[:-2]
    number = raw.rstrip("kmgib")
    unit = raw[len(number) :]
    if unit.endswith("b") and unit != "b":
        unit = unit[:-1]
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"'{text}' is not a rate; use e.g. 5M (5 MB/s), 500k or 0 for unlimited") from None
    if unit not in _UNITS or value < 0 or not math.isfinite(value):
        raise ValueError(f"'{text}' is not a rate; use e.g. 5M (5 MB/s), 500k or 0 for unlimited")
    return int(value * _UNITS[unit])
