"""One file over several ranged connections, coordinated: threads fetch what the SegmentTable hands out.

The calling thread coordinates: it reports progress (on_bytes is only ever called there), persists the
segment layout often enough that a kill loses little (every `save_every` bytes, and at least once a
second), and asks ConnectionGrowth how many connections the file should have, opening more; when it
asks for fewer, connections beyond the count retire as their pieces end. The connection threads
(segment_connections.py) write, hash the prefix as it grows (PrefixHasher) and claim their next piece.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hfgui.core.engine.connection_budget import ConnectionBudget
from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.engine.segment_connections import SegmentConnections, SegmentSource
from hfgui.core.engine.segment_growth import ConnectionGrowth
from hfgui.core.engine.segments import MAX_PIECE, MIN_PIECE, MIN_SPLIT, Segment, SegmentTable

TICK = 0.05  # the coordinator looks at progress, saving and growth this often while growth is measured…
SETTLED_TICK = 0.25  # …and this often once the count is settled (saving and exits wake it anyway)
SAVE_INTERVAL = 1.0
PIECE_SECONDS = 0.5  # a piece keeps a connection busy at least this long…
PIECE_ROUND_TRIPS = 25  # …and at least this many round trips, so a request's wait costs under ~4 %


class SegmentRunner:
    """Runs one file's connections from the calling thread: opens them as growth asks, sizes their pieces,
    reports progress and saves the layout; returns when the table is complete or the download stops."""

    def __init__(
        self,
        source: SegmentSource,
        table: SegmentTable,
        *,
        write_at: Callable[[int, bytes | memoryview], None],
        save: Callable[[tuple[Segment, ...]], None],
        hasher: PrefixHasher,
        growth: ConnectionGrowth,
        cancel: threading.Event,
        on_bytes: Callable[[int], None] | None = None,
        save_every: int = 0,
        budget: ConnectionBudget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table = table
        self._save = save
        self.hasher = hasher
        self.growth = growth
        self._cancel = cancel
        self._on_bytes = on_bytes
        # Persist at least every 1 % of the file (a kill then loses less than 2 %), never below 1 MiB.
        self._save_every = save_every or max(1024 * 1024, table.size // 100)
        self._budget = budget
        self._clock = clock
        self._samples: list[tuple[float, int]] = []  # (time, bytes done) over the last second: the rate
        self._connections = SegmentConnections(
            source,
            table,
            write_at=write_at,
            hasher=hasher,
            growth=growth,
            cancel=cancel,
            save_every=self._save_every,
            budget=budget,
            clock=clock,
        )

    @property
    def connections_opened(self) -> int:  # for tests and logs
        return self._connections.opened

    def run(self) -> None:
        """Fetch every free byte of the table; returns when complete or cancelled, raises the first
        connection error. The layout is saved (and progress reported) before it returns or raises."""
        connections = self._connections
        reported = self.table.done_bytes()
        last_save = self._clock()
        try:
            self._open_up_to(self.growth.target)
            while True:
                connections.wake.wait(SETTLED_TICK if self.growth.settled else TICK)
                connections.wake.clear()
                reported = self._report(reported)
                if connections.unsaved >= self._save_every or self._clock() - last_save >= SAVE_INTERVAL:
                    self._save_now()
                    last_save = self._clock()
                with connections.lock:
                    active = connections.active
                if connections.errors or connections.should_stop():
                    if active == 0:
                        break
                    continue
                if active == 0 and self.table.complete():
                    break
                self._steer()
        finally:
            connections.stop_all()
            if self._budget is not None:
                self._budget.release_trial(self)
            self._report(reported)
            self._save_now()
        if connections.errors:
            raise connections.errors[0]
        if not self._cancel.is_set():
            self.hasher.catch_up(self.table.prefix(), wait=True)

    def _steer(self) -> None:
        """Open connections up to what growth asks for (retiring is up to the connections)."""
        left = self.table.size - self.table.done_bytes()
        connections = self._connections
        with connections.lock:
            delivering = len(connections.delivered)
            active = connections.active
        moved = self._budget.total if self._budget is not None else self.table.done_bytes()
        before = self.growth.target
        budget = self._budget
        may_measure = self.growth.settled or budget is None or budget.claim_trial(self)
        target = self.growth.update(moved, delivering, may_measure=may_measure)
        if target > before and left < MIN_PIECE * target:
            # Too little left for the new connections' round trips to pay: stay with those there are.
            self.growth.settle_at(before)
            target = before
        if self.growth.settled and budget is not None:
            budget.release_trial(self)
        connections.piece = self._piece_size(active)
        if active < target:
            self._open_up_to(target)

    def _rate(self) -> float:
        """Bytes per second over about the last second."""
        now, done = self._clock(), self.table.done_bytes()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= 1.0:
            self._samples.pop(0)
        first_time, first_done = self._samples[0]
        return (done - first_done) / (now - first_time) if now > first_time else 0.0

    def _piece_size(self, active: int) -> int:
        """Bytes per claim: long enough that a request's round trip is small beside it, and shrinking
        near the end so every connection finishes at about the same time."""
        per_connection = self._rate() / max(1, active)
        wanted = per_connection * max(PIECE_SECONDS, PIECE_ROUND_TRIPS * self.growth.round_trip)
        piece = int(min(MAX_PIECE, max(MIN_PIECE, wanted)))
        share = -(-self.table.free_bytes() // max(1, self.growth.target))
        return max(MIN_SPLIT, min(piece, share))

    def _open_up_to(self, target: int) -> None:
        connections = self._connections
        with connections.lock:
            missing = target - connections.active
        for _ in range(missing):
            if not self.table.claimable():
                return  # every byte is done or being fetched in pieces too small to share
            with connections.lock:
                extra = connections.active >= 1
            if extra and self._budget is not None and not self._budget.take():
                return  # the run's other files hold every extra connection
            connections.start(extra)

    def _report(self, reported: int) -> int:
        now = self.table.done_bytes()
        if now != reported:
            if self._on_bytes is not None:
                self._on_bytes(now - reported)
            if self._budget is not None:
                self._budget.moved(now - reported)
        return now

    def _save_now(self) -> None:
        with self._connections.lock:
            self._connections.unsaved = 0
        self._save(self.table.snapshot())
