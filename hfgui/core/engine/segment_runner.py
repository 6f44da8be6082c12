"""One file over several ranged connections: threads fetch what the SegmentTable hands out, in file order.

The calling thread coordinates: it reports progress (on_bytes is only ever called there), persists the
segment layout often enough that a kill loses little (every `save_every` bytes, and at least once a
second), and asks ConnectionGrowth how many connections the file should have, opening more; when it
asks for fewer, connections beyond the count retire as their pieces end. Connection threads write,
hash the prefix as it grows (PrefixHasher) and claim their next piece.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.engine.segment_growth import ConnectionGrowth
from hfgui.core.engine.segments import MAX_PIECE, MIN_PIECE, MIN_SPLIT, Segment, SegmentTable, Span

TICK = 0.05  # the coordinator looks at progress, saving and growth this often while growth is measured…
SETTLED_TICK = 0.25  # …and this often once the count is settled (saving and exits wake it anyway)
SAVE_INTERVAL = 1.0
PIECE_SECONDS = 0.5  # a piece keeps a connection busy at least this long…
PIECE_ROUND_TRIPS = 25  # …and at least this many round trips, so a request's wait costs under ~4 %


class SegmentSource(Protocol):
    """What the runner needs from the transfer layer (implemented by transfer._Source)."""

    def stream_range(
        self, start: int, end: int, should_stop: Callable[[], bool]
    ) -> Iterator[bytes | memoryview]:  # bytes [start, end) in order; raises RangesUnsupportedError
        ...


class ConnectionBudget:
    """What the segmented files of one run share: the extra connections (beyond each file's first) they
    may hold at once, and the bytes they moved together.

    Growth is judged on the run's bytes, not one file's: when several big files download at once, a
    connection that only takes bandwidth from its neighbours raises its own file's rate but not the
    run's, and does not pay. And one file measures at a time (it holds the trial until its count
    settles): steps taken together would each be credited with the others' gains, and eight files
    trying more connections at once is eight more busy threads on a machine that may have none to spare.
    """

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._left = limit
        self._moved = 0
        self._trial: object | None = None  # the runner whose growth is being measured

    def claim_trial(self, owner: object) -> bool:
        """Whether `owner` may measure growth now (it then holds the trial until it releases it)."""
        with self._lock:
            if self._trial is None:
                self._trial = owner
            return self._trial is owner

    def release_trial(self, owner: object) -> None:
        with self._lock:
            if self._trial is owner:
                self._trial = None

    def moved(self, nbytes: int) -> None:
        with self._lock:
            self._moved += nbytes

    @property
    def total(self) -> int:
        """Bytes all files of the run have moved so far."""
        with self._lock:
            return self._moved

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def give(self) -> None:
        with self._lock:
            self._left += 1


class SegmentRunner:
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
        self._source = source
        self.table = table
        self._write_at = write_at
        self._save = save
        self.hasher = hasher
        self.growth = growth
        self._cancel = cancel
        self._on_bytes = on_bytes
        # Persist at least every 1 % of the file (a kill then loses less than 2 %), never below 1 MiB.
        self._save_every = save_every or max(1024 * 1024, table.size // 100)
        self._budget = budget
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._abort = threading.Event()
        self._errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []
        self._active = 0
        self._delivered: set[int] = set()  # connections that received bytes since they opened
        self._ids = itertools.count()
        self._unsaved = 0
        self._piece = MIN_PIECE
        self._samples: list[tuple[float, int]] = []  # (time, bytes done) over the last second: the rate
        self.connections_opened = 0  # for tests and logs

    # --- the calling thread -----------------------------------------------------------------------

    def run(self) -> None:
        """Fetch every free byte of the table; returns when complete or cancelled, raises the first
        connection error. The layout is saved (and progress reported) before it returns or raises."""
        reported = self.table.done_bytes()
        last_save = self._clock()
        try:
            self._open_up_to(self.growth.target)
            while True:
                self._wake.wait(SETTLED_TICK if self.growth.settled else TICK)
                self._wake.clear()
                reported = self._report(reported)
                if self._unsaved >= self._save_every or self._clock() - last_save >= SAVE_INTERVAL:
                    self._save_now()
                    last_save = self._clock()
                with self._lock:
                    active = self._active
                if self._errors or self._should_stop():
                    if active == 0:
                        break
                    continue
                if active == 0 and self.table.complete():
                    break
                self._steer()
        finally:
            self._abort.set()
            for thread in self._threads:
                thread.join()
            if self._budget is not None:
                self._budget.release_trial(self)
            self._report(reported)
            self._save_now()
        if self._errors:
            raise self._errors[0]
        if not self._cancel.is_set():
            self.hasher.catch_up(self.table.prefix(), wait=True)

    def _steer(self) -> None:
        """Open connections up to what growth asks for (retiring is up to the connections)."""
        left = self.table.size - self.table.done_bytes()
        with self._lock:
            delivering = len(self._delivered)
            active = self._active
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
        self._piece = self._piece_size(active)
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
        with self._lock:
            missing = target - self._active
        for _ in range(missing):
            if not self.table.claimable():
                return  # every byte is done or being fetched in pieces too small to share
            with self._lock:
                extra = self._active >= 1
            if extra and self._budget is not None and not self._budget.take():
                return  # the run's other files hold every extra connection
            with self._lock:
                self._active += 1
                ident = next(self._ids)
            thread = threading.Thread(
                target=self._connection, args=(ident, extra), name=f"hfgui-segment-{ident}", daemon=True
            )
            self._threads.append(thread)
            self.connections_opened += 1
            thread.start()

    def _report(self, reported: int) -> int:
        now = self.table.done_bytes()
        if now != reported:
            if self._on_bytes is not None:
                self._on_bytes(now - reported)
            if self._budget is not None:
                self._budget.moved(now - reported)
        return now

    def _save_now(self) -> None:
        with self._lock:
            self._unsaved = 0
        self._save(self.table.snapshot())

    def _should_stop(self) -> bool:
        return self._cancel.is_set() or self._abort.is_set()

    # --- connection threads -----------------------------------------------------------------------

    def _connection(self, ident: int, extra: bool) -> None:
        try:
            while not self._should_stop():
                with self._lock:
                    alone = self._active == 1 and self.growth.target == 1
                span = self.table.claim(ident, self._piece, alone=alone)
                if span is None:
                    return
                try:
                    self._fetch(ident, span)
                finally:
                    self.table.release(span)
                with self._lock:
                    if self._active > self.growth.target:
                        return  # growth did not pay: connections beyond the count go as their pieces end
        except BaseException as exc:
            with self._lock:
                self._errors.append(exc)
            self._abort.set()
        finally:
            with self._lock:
                self._active -= 1
                self._delivered.discard(ident)
            if extra and self._budget is not None:
                self._budget.give()
            self._wake.set()

    def _fetch(self, ident: int, span: Span) -> None:
        pos = span.done
        asked = self._clock()
        first = True
        stream = self._source.stream_range(pos, span.end, self._should_stop)
        try:
            for chunk in stream:
                if first:
                    # A new connection's first byte took a handshake and a request: two round trips.
                    waited = self._clock() - asked
                    self.growth.note_round_trip(waited if ident in self._delivered else waited / 2)
                    with self._lock:
                        self._delivered.add(ident)
                    first = False
                size = len(chunk)
                allowed = self.table.reserve(span, size)
                if allowed:
                    data = chunk if allowed == size else memoryview(chunk)[:allowed]
                    self._write_at(pos, data)
                    self.table.advance(span, allowed)
                    self.hasher.offer(pos, data)
                    pos += allowed
                    with self._lock:
                        self._unsaved += allowed
                        due = self._unsaved >= self._save_every
                    if due:
                        self._wake.set()
                self.hasher.catch_up(self.table.prefix())
                if allowed < size or pos >= span.end or self._should_stop():
                    return  # done, or cut short for another connection: the rest is not ours
        finally:
            stream.close()  # releases (or, mid-body, closes) the response
