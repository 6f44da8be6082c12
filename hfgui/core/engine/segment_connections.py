"""The connection threads of one segmented file: each claims the next piece, then fetches, writes and
hashes it, until the table has nothing left for it or the file has more connections than it should."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from hfgui.core.engine.connection_budget import ConnectionBudget
from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.engine.segment_growth import ConnectionGrowth
from hfgui.core.engine.segments import MIN_PIECE, SegmentTable, Span


class SegmentSource(Protocol):
    """What the connections need from the transfer layer (implemented by file_source.FileSource)."""

    def stream_range(
        self, start: int, end: int, should_stop: Callable[[], bool]
    ) -> Iterator[bytes | memoryview]:  # bytes [start, end) in order; raises RangesUnsupportedError
        ...


class SegmentConnections:
    """The threads and what they share with the coordinator (segment_runner.SegmentRunner): how many are
    active and have delivered, the bytes not yet saved, the piece size to claim, and the first error."""

    def __init__(
        self,
        source: SegmentSource,
        table: SegmentTable,
        *,
        write_at: Callable[[int, bytes | memoryview], None],
        hasher: PrefixHasher,
        growth: ConnectionGrowth,
        cancel: threading.Event,
        save_every: int,
        budget: ConnectionBudget | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._table = table
        self._write_at = write_at
        self._hasher = hasher
        self._growth = growth
        self._cancel = cancel
        self._save_every = save_every
        self._budget = budget
        self._clock = clock
        self.lock = threading.Lock()
        self.wake = threading.Event()  # set when the coordinator should look now (a save due, an exit)
        self._abort = threading.Event()
        self.errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []
        self.active = 0
        self.delivered: set[int] = set()  # connections that received bytes since they opened
        self._ids = itertools.count()
        self.unsaved = 0  # bytes written since the layout was last saved
        self.piece = MIN_PIECE  # bytes per claim, set by the coordinator
        self.opened = 0

    def start(self, extra: bool) -> None:
        """One more connection; `extra` ones (beyond the file's first) hold a place in the run's budget."""
        with self.lock:
            self.active += 1
            ident = next(self._ids)
        thread = threading.Thread(
            target=self._connection, args=(ident, extra), name=f"hfgui-segment-{ident}", daemon=True
        )
        self._threads.append(thread)
        self.opened += 1
        thread.start()

    def stop_all(self) -> None:
        """Ask every connection to stop and wait for them (each ends after its current chunk)."""
        self._abort.set()
        for thread in self._threads:
            thread.join()

    def should_stop(self) -> bool:
        return self._cancel.is_set() or self._abort.is_set()

    def _connection(self, ident: int, extra: bool) -> None:
        try:
            while not self.should_stop():
                with self.lock:
                    alone = self.active == 1 and self._growth.target == 1
                span = self._table.claim(ident, self.piece, alone=alone)
                if span is None:
                    return
                try:
                    self._fetch(ident, span)
                finally:
                    self._table.release(span)
                with self.lock:
                    if self.active > self._growth.target:
                        return  # growth did not pay: connections beyond the count go as their pieces end
        except BaseException as exc:
            with self.lock:
                self.errors.append(exc)
            self._abort.set()
        finally:
            with self.lock:
                self.active -= 1
                self.delivered.discard(ident)
            if extra and self._budget is not None:
                self._budget.give()
            self.wake.set()

    def _fetch(self, ident: int, span: Span) -> None:
        pos = span.done
        asked = self._clock()
        first = True
        stream = self._source.stream_range(pos, span.end, self.should_stop)
        try:
            for chunk in stream:
                if first:
                    # A new connection's first byte took a handshake and a request: two round trips.
                    waited = self._clock() - asked
                    self._growth.note_round_trip(waited if ident in self.delivered else waited / 2)
                    with self.lock:
                        self.delivered.add(ident)
                    first = False
                size = len(chunk)
                allowed = self._table.reserve(span, size)
                if allowed:
                    data = chunk if allowed == size else memoryview(chunk)[:allowed]
                    self._write_at(pos, data)
                    self._table.advance(span, allowed)
                    self._hasher.offer(pos, data)
                    pos += allowed
                    with self.lock:
                        self.unsaved += allowed
                        due = self.unsaved >= self._save_every
                    if due:
                        self.wake.set()
                self._hasher.catch_up(self._table.prefix())
                if allowed < size or pos >= span.end or self.should_stop():
                    return  # done, or cut short for another connection: the rest is not ours
        finally:
            stream.close()  # releases (or, mid-body, closes) the response
