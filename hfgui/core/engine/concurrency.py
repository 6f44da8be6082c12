"""How many files of a model download are in flight: grown while it pays, shrunk when the Hub asks.

A repository of thousands of small files is bound by round trips, not bandwidth (real-network.md): each
file costs two requests, so files in flight is the only lever left. Too few and a far-away Hub leaves
the link idle; too many and a CPU-bound client on loopback only adds thread switches, and a Hub that
limits requests answers 429. So the limit is measured, not guessed:

- It starts at `start` (capped by the file count) and doubles after each measuring epoch in which
  completions (files or bytes per second) rose by at least GROWTH_MIN over the epoch before; the first
  doubling that does not pay is undone and the limit settles. A doubling that paid less than half of
  what it could is measured twice (a busy machine makes one short epoch unreliable). The more latency,
  the longer doubling pays; the fewer files, the lower the cap.
- A 429 halves it at once (at most once per round of requests in flight) and stops growth until the
  Hub's window resets; RateLimit headers with little quota left cap it to what the quota still allows.
- `fixed=True` (a `--workers N` override) never grows, but still yields to 429s and quotas.

Workers take a slot with `slot()` before a file and give it back after; `file_done()` and `add_bytes()`
feed the measurement. Thread-safe; never blocks longer than a cancel.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from hfgui.core.wire.ratelimit import ratelimit_remaining, server_wait

MAX_FILES_IN_FLIGHT = 32  # the pool of a run (and of its HTTP connections) is sized for this many
START_FILES_IN_FLIGHT = 8
GROWTH_MIN = 0.10  # a doubling is kept only if it made completions at least this much faster
CONFIRM_BELOW = 0.50  # a doubling that gained less than this is measured once more before it counts
EPOCH_MIN_SECONDS = 0.3  # an epoch also needs 2 x limit completions (or EPOCH_MAX_SECONDS of bytes)
EPOCH_MAX_SECONDS = 3.0
SLOT_POLL = 0.2  # a waiting worker looks at its cancel event this often


@dataclass(frozen=True)
class LimitChange:
    """One change of the limit, for logs and tests."""

    at: float
    limit: int
    reason: str  # "start", "grow", "settle", "429", "quota"


class AdaptiveConcurrency:
    def __init__(
        self,
        *,
        files: int,
        maximum: int = MAX_FILES_IN_FLIGHT,
        start: int = START_FILES_IN_FLIGHT,
        fixed: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maximum = max(1, min(maximum, files))
        self._clock = clock
        self._cond = threading.Condition()
        self._limit = max(1, min(start, self.maximum))
        self._fixed = fixed
        self._growing = not fixed and self._limit < self.maximum
        self._ceiling = self.maximum  # from RateLimit headers: what the quota still allows
        self._in_flight = 0
        self._hold_until = 0.0  # no growth before this (after a 429)
        self._last_cut = float("-inf")
        # The running epoch and the one before (the limit it ran at and its rates).
        self._epoch_start = clock()
        self._epoch_files = 0
        self._epoch_bytes = 0
        self._previous: tuple[int, float, float] | None = None
        self._confirming = False  # the running epoch re-measures a marginal doubling
        self.history: list[LimitChange] = [LimitChange(self._epoch_start, self._limit, "start")]

    @property
    def limit(self) -> int:
        """Files allowed in flight now (after any quota cap)."""
        with self._cond:
            return self._effective()

    @property
    def in_flight(self) -> int:
        with self._cond:
            return self._in_flight

    def _effective(self) -> int:
        return max(1, min(self._limit, self._ceiling))

    # --- slots ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def slot(self, cancel: threading.Event) -> Iterator[bool]:
        """Hold one of the limited places while the body runs; yields False when cancelled while waiting."""
        with self._cond:
            while self._in_flight >= self._effective():
                if cancel.is_set():
                    break
                self._cond.wait(SLOT_POLL)
            got = not cancel.is_set()
            if got:
                self._in_flight += 1
        try:
            yield got
        finally:
            if got:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify()

    # --- measurement ---------------------------------------------------------------------------

    def add_bytes(self, n: int) -> None:
        if n > 0:
            with self._cond:
                self._epoch_bytes += n
                self._maybe_end_epoch()

    def file_done(self) -> None:
        with self._cond:
            self._epoch_files += 1
            self._maybe_end_epoch()

    def _maybe_end_epoch(self) -> None:
        if not self._growing:
            return
        now = self._clock()
        elapsed = now - self._epoch_start
        limit = self._limit
        enough = self._epoch_files >= 2 * limit or (elapsed >= EPOCH_MAX_SECONDS and self._epoch_bytes)
        if elapsed < EPOCH_MIN_SECONDS or not enough or now < self._hold_until:
            return
        files_rate = self._epoch_files / elapsed
        bytes_rate = self._epoch_bytes / elapsed
        previous = self._previous
        gain = 1.0
        if previous is not None:
            gain = max(_gain(files_rate, previous[1]), _gain(bytes_rate, previous[2]))
        if GROWTH_MIN <= gain < CONFIRM_BELOW and not self._confirming:
            # Marginal: on a busy machine one epoch can be off by that much. Measure again first.
            self._confirming = True
            self._set(limit, "confirm", now)
            return
        self._confirming = False
        if gain >= GROWTH_MIN:
            self._previous = (limit, files_rate, bytes_rate)
            if limit >= self.maximum:
                self._growing = False  # the maximum paid: stay there
            else:
                self._set(min(limit * 2, self.maximum), "grow", now)
        else:
            assert previous is not None
            self._set(previous[0], "settle", now)
            self._growing = False

    def _set(self, limit: int, reason: str, now: float) -> None:
        changed = limit != self._limit
        self._limit = limit
        self._epoch_start, self._epoch_files, self._epoch_bytes = now, 0, 0
        if changed:
            self.history.append(LimitChange(now, self._effective(), reason))
            self._cond.notify_all()

    # --- the Hub's limits ----------------------------------------------------------------------

    def rate_limited(self, wait: float | None = None) -> None:
        """A 429: halve the files in flight (once per round of requests) and hold growth for `wait` s."""
        with self._cond:
            now = self._clock()
            self._hold_until = max(self._hold_until, now + (wait or 0.0))
            self._previous = None  # rates measured before the cut say nothing about after it
            self._confirming = False
            if now - self._last_cut < self._round_time():
                return  # the other requests of the same round hit the same wall
            self._last_cut = now
            if self._limit > 1:
                self._set(max(1, self._effective() // 2), "429", now)

    def quota(self, remaining: int, reset: float) -> None:
        """RateLimit header: `remaining` requests left in a window that ends in `reset` seconds.

        With less than two rounds of requests left, the files in flight are capped so the rest of the
        quota is spent slowly instead of in one burst that ends in 429s for everyone.
        """
        with self._cond:
            ceiling = self.maximum if remaining >= 2 * self.maximum else max(1, remaining // 2)
            if ceiling == self._ceiling:
                return
            before = self._effective()
            self._ceiling = ceiling
            if self._effective() != before:
                self.history.append(LimitChange(self._clock(), self._effective(), "quota"))
                self._cond.notify_all()

    def hub_answered(self, status: int, headers: Mapping[str, str]) -> None:
        """Every answer a download's requests get (HubClient.observed): 429s and RateLimit quotas."""
        quota = ratelimit_remaining(headers)
        if quota is not None:
            self.quota(*quota)
        if status == 429:
            self.rate_limited(server_wait(headers))

    def _round_time(self) -> float:
        """Rough time one request takes (the running epoch's pace), so one burst of 429s cuts once."""
        elapsed = self._clock() - self._epoch_start
        per_file = elapsed / self._epoch_files if self._epoch_files else 0.0
        return max(0.5, min(5.0, per_file * self._limit))


def _gain(now: float, before: float) -> float:
    """How much faster `now` is than `before` (0.25: a quarter); 0 when there is nothing to compare."""
    return now / before - 1 if before > 0 else 0.0


def for_files(files: int, workers: int) -> AdaptiveConcurrency:
    """The controller for a run: `workers` 0 = adaptive, N = fixed at N (still yielding to the Hub)."""
    if workers and workers > 0:
        return AdaptiveConcurrency(files=files, maximum=workers, start=workers, fixed=True)
    return AdaptiveConcurrency(files=files)
