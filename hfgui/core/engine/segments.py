"""Which bytes of one large file are done, being fetched, or free: the scheduler of a segmented download.

A file of at least SEGMENT_MIN_SIZE is fetched over up to `max_connections(size)` ranged connections
(segment_runner.py runs them, segment_growth.py decides how many). The table hands out work in file
order, so the bytes land just behind the contiguous prefix and the file is hashed while it grows
(prefix_hash.py); its snapshot is what the sidecar persists, so a resumed download continues every
segment where it stopped.
"""

from __future__ import annotations

import threading

from hfgui.core.store.partials import Segment

__all__ = ["RangesUnsupportedError", "Segment", "SegmentTable", "max_connections"]

# Below this size one stream is as fast and simpler (a second connection's round trip would not pay).
SEGMENT_MIN_SIZE = 16 * 1024 * 1024


class RangesUnsupportedError(Exception):
    """The server did not answer a Range request with the exact 206 asked for; use one stream instead."""


MiB = 1024 * 1024
MAX_CONNECTIONS = 16  # ranged connections per file at most
MIN_PIECE = 4 * MiB  # no connection is opened for less than this (its round trip would not pay)
MAX_PIECE = 64 * MiB
MIN_SPLIT = 1 * MiB  # a busy connection keeps at least this much when an idle one takes over half its rest
# An idle connection takes over part of a busy one's rest only when that much is left: less would be
# done before a new request's round trip pays (it is for a slow or stalled connection near the end).
STEAL_MIN_LEFT = 8 * MiB


def max_connections(size: int) -> int:
    """Connections worth opening for a file of `size` bytes: one per MIN_PIECE, up to MAX_CONNECTIONS."""
    return max(1, min(MAX_CONNECTIONS, size // MIN_PIECE))


class Span:
    """A mutable segment while the download runs: bytes [start, done) are on disk, [done, end) are not.

    `owner` is the connection fetching it (None: nobody yet). `reserved` is how far the owner may be
    writing right now: a split never cuts below it, so bytes written are always inside their span.
    """

    __slots__ = ("done", "end", "owner", "reserved", "start")

    def __init__(self, start: int, end: int, done: int) -> None:
        self.start = start
        self.end = end
        self.done = done
        self.reserved = done
        self.owner: int | None = None

    @property
    def remaining(self) -> int:
        return self.end - self.done

    def as_segment(self) -> Segment:
        return Segment(self.start, self.end, self.done)


class SegmentTable:
    """Which bytes of one file are done, being fetched (and by whom), or still free; thread-safe.

    Work is handed out in file order, so bytes land close behind the contiguous prefix and the file is
    hashed as it grows (prefix_hash.py): a connection claims the lowest free bytes, cut to one piece,
    or — when none are free — takes the far part of the span with the most left (the first connection's
    whole-file span when a second one opens, a slow connection's rest at the end of the file).
    """

    def __init__(self, size: int, segments: tuple[Segment, ...] | None = None) -> None:
        self.size = size
        self._lock = threading.Lock()
        laid = segments if segments else (Segment(0, size, 0),)
        self._spans = [Span(s.start, s.end, s.done) for s in sorted(laid, key=lambda s: s.start)]
        self._merge_finished()

    # --- handing out work -----------------------------------------------------------------------

    def claim(self, owner: int, piece: int, *, alone: bool = False) -> Span | None:
        """The next span for connection `owner`, or None when nothing is left to fetch.

        `piece` caps the bytes claimed at once; `alone` (no other connection will run) takes all the
        lowest free bytes instead, so a single stream makes one request for the whole rest.
        """
        with self._lock:
            free = self._lowest_free()
            if free is None and not alone:
                free = self._split_busiest(piece)
            if free is None:
                return None
            if not alone and free.remaining > piece:
                self._cut(free, free.done + piece)
            free.owner = owner
            free.reserved = free.done
            return free

    def reserve(self, span: Span, nbytes: int) -> int:
        """How many of `nbytes` arriving at `span.done` its owner may write (0: the span was cut there)."""
        with self._lock:
            allowed = max(0, min(nbytes, span.end - span.done))
            span.reserved = span.done + allowed
            return allowed

    def advance(self, span: Span, nbytes: int) -> None:
        """`nbytes` reserved at `span.done` are written."""
        with self._lock:
            span.done = min(span.done + nbytes, span.end)
            span.reserved = max(span.reserved, span.done)

    def release(self, span: Span) -> None:
        """The owner stops fetching `span` (finished, cut, failed or stopped); its rest is free again."""
        with self._lock:
            span.owner = None
            span.reserved = span.done
            self._merge_finished()

    def _lowest_free(self) -> Span | None:
        return next((s for s in self._spans if s.owner is None and s.done < s.end), None)

    def _split_busiest(self, piece: int) -> Span | None:
        """Cut the owned span with the most left: a new free span for its far part, or None."""
        busy = [s for s in self._spans if s.owner is not None and s.end - s.reserved >= STEAL_MIN_LEFT]
        if not busy:
            return None
        victim = max(busy, key=lambda s: s.end - s.reserved)
        left = victim.end - victim.reserved
        # Far from the end, the owner keeps one piece (bytes stay in file order); near it, half.
        keep = max(MIN_SPLIT, min(piece, left // 2))
        return self._cut(victim, victim.reserved + keep)

    def _cut(self, span: Span, at: int) -> Span:
        """Split `span` at `at`; returns the free far part."""
        rest = Span(at, span.end, at)
        span.end = at
        self._spans.insert(self._spans.index(span) + 1, rest)
        return rest

    def _merge_finished(self) -> None:
        merged: list[Span] = []
        for span in self._spans:
            last = merged[-1] if merged else None
            if (
                last is not None
                and last.owner is None
                and span.owner is None
                and last.done == last.end
                and span.done == span.end
            ):
                last.end = last.done = last.reserved = span.end
            else:
                merged.append(span)
        self._spans = merged

    # --- what is where ----------------------------------------------------------------------------

    def prefix(self) -> int:
        """End of the contiguous bytes on disk from offset 0."""
        with self._lock:
            for span in self._spans:
                if span.done < span.end:
                    return span.done
            return self.size

    def done_bytes(self) -> int:
        with self._lock:
            return sum(s.done - s.start for s in self._spans)

    def free_bytes(self) -> int:
        """Bytes no connection has claimed yet."""
        with self._lock:
            return sum(s.remaining for s in self._spans if s.owner is None)

    def claimable(self) -> bool:
        """Whether another connection would find work (free bytes, or a span big enough to share)."""
        with self._lock:
            return any(
                (s.owner is None and s.done < s.end)
                or (s.owner is not None and s.end - s.reserved >= STEAL_MIN_LEFT)
                for s in self._spans
            )

    def complete(self) -> bool:
        with self._lock:
            return all(s.done == s.end for s in self._spans)

    def unfinished_count(self) -> int:
        """Spans with bytes left."""
        with self._lock:
            return sum(1 for s in self._spans if s.done < s.end)

    def started_count(self) -> int:
        """Spans begun but not finished: after a resume, the segments that each continue at once."""
        with self._lock:
            return sum(1 for s in self._spans if s.start < s.done < s.end)

    def snapshot(self) -> tuple[Segment, ...]:
        """The layout to persist: only offsets whose bytes were written (advance), finished runs merged."""
        with self._lock:
            out: list[Segment] = []
            for span in self._spans:
                seg = span.as_segment()
                if out and out[-1].done == out[-1].end and seg.done == seg.end:
                    out[-1] = Segment(out[-1].start, seg.end, seg.end)
                else:
                    out.append(seg)
            return tuple(out)
