"""How many ranged connections one file gets: start with one, add while the total rate keeps rising.

A CDN often caps what one connection carries (real-network.md), and only more connections beat the
cap; past the point where the link or the CPU is full they only add load. So the count is measured:
after an epoch in which every connection delivered, the count grows if that epoch was at least
GROWTH_MIN faster than the one before; the first step that does not pay is undone (its connections
retire after their piece) and the count settles. A step doubles the count, or quadruples it while the
last step scaled almost in proportion (every connection capped alike: the common case of a CDN's
per-stream limit), which reaches 16 in three measured steps instead of four. A fixed count (a manual
override) skips the measuring.
"""

from __future__ import annotations

import time
from collections.abc import Callable

GROWTH_MIN = 0.10  # another connection must add at least this much to the total rate
NEAR_LINEAR = 0.75  # a step that gave this share of its ideal gain or more is followed by a bigger one
# A step that gave less than this share of its ideal gain is measured once more before it counts: on a
# busy machine one short epoch can be off by tens of percent, and a wrong step costs threads and CPU.
CONFIRM_BELOW = 0.5
EPOCH_MIN_SECONDS = 0.2  # a measuring epoch lasts at least this long…
EPOCH_ROUND_TRIPS = 4  # …and at least this many round trips (TCP needs a few to reach its pace)


class ConnectionGrowth:
    def __init__(
        self,
        maximum: int,
        *,
        start: int = 1,
        fixed: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maximum = max(1, maximum)
        self.target = max(1, min(start, self.maximum))
        self._clock = clock
        self._settled = fixed or self.target >= self.maximum
        self._round_trip = 0.0  # the shortest time to a first byte seen so far
        self._epoch_start: float | None = None
        self._epoch_bytes = 0
        self._previous: tuple[int, float] | None = None  # (connections, bytes/s) of the epoch before
        self._confirming = False  # the running epoch re-measures a marginal step
        self.history: list[tuple[int, float]] = [(self.target, 0.0)]  # (connections, rate that led there)

    @property
    def settled(self) -> bool:
        return self._settled

    @property
    def round_trip(self) -> float:
        """The shortest time to a first byte seen so far (0 before any)."""
        return self._round_trip

    def note_round_trip(self, seconds: float) -> None:
        """A request's time to its first byte (the round trip the epoch must outlast)."""
        if seconds > 0 and (self._round_trip == 0.0 or seconds < self._round_trip):
            self._round_trip = seconds

    def stop(self) -> None:
        """No more growth (the server refuses ranges, say)."""
        self._settled = True

    def settle_at(self, connections: int) -> None:
        """Stay at `connections` from now on (too little of the file is left for more to pay)."""
        self.target = max(1, min(connections, self.maximum))
        self._settled = True
        if self.history[-1][0] != self.target:
            self.history.append((self.target, self.history[-1][1]))

    def update(self, total_bytes: int, delivering: int, *, may_measure: bool = True) -> int:
        """Called a few times a second with the bytes so far and how many connections have delivered
        since they opened; returns how many connections the file should have now. `may_measure=False`
        (another file of the run is measuring) puts measuring off: it starts afresh when allowed."""
        if self._settled:
            return self.target
        now = self._clock()
        if delivering < self.target or not may_measure:
            self._epoch_start = None  # new connections still opening: their handshake is not rate
            return self.target
        if self._epoch_start is None:
            self._epoch_start, self._epoch_bytes = now, total_bytes
            return self.target
        elapsed = now - self._epoch_start
        if elapsed < max(EPOCH_MIN_SECONDS, EPOCH_ROUND_TRIPS * self._round_trip):
            return self.target
        rate = (total_bytes - self._epoch_bytes) / elapsed
        previous = self._previous
        self._epoch_start = None
        paid = previous is None or rate >= previous[1] * (1 + GROWTH_MIN)
        if (
            paid
            and previous is not None
            and not self._confirming
            and _gain_share(previous, self.target, rate) < CONFIRM_BELOW
        ):
            self._confirming = True  # marginal: measure this count once more before building on it
            return self.target
        self._confirming = False
        if paid:
            self._previous = (self.target, rate)
            if self.target >= self.maximum:
                self._settled = True  # the maximum paid: stay there
            else:
                step = 4 if previous is not None and _near_linear(previous, self.target, rate) else 2
                self.target = min(self.target * step, self.maximum)
        else:
            assert previous is not None
            self.target = previous[0]
            self._settled = True
        self.history.append((self.target, rate))
        return self.target


def _gain_share(previous: tuple[int, float], connections: int, rate: float) -> float:
    """How much of the ideal gain (rate in proportion to connections) the step from previous[0]
    connections to `connections` gave: 1.0 when every added connection added as much as the others."""
    before_connections, before_rate = previous
    ideal_gain = connections / before_connections - 1
    if before_rate <= 0 or ideal_gain <= 0:
        return 0.0
    return (rate / before_rate - 1) / ideal_gain


def _near_linear(previous: tuple[int, float], connections: int, rate: float) -> bool:
    """Whether going from previous[0] connections to `connections` raised the rate almost in proportion."""
    return _gain_share(previous, connections, rate) >= NEAR_LINEAR
