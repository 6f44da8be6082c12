"""The segment table: work in file order, busy spans split, only written bytes persisted."""

from __future__ import annotations

from hfgui.core.engine.segments import MIN_SPLIT, SegmentTable, max_connections
from hfgui.core.store.partials import Segment

MiB = 1024 * 1024


def fetch(table: SegmentTable, span, nbytes: int) -> int:
    """What a connection does with a chunk: reserve, write (here: nothing), advance."""
    allowed = table.reserve(span, nbytes)
    table.advance(span, allowed)
    return allowed


def test_a_lone_connection_claims_the_whole_file():
    table = SegmentTable(100 * MiB)
    span = table.claim(0, 8 * MiB, alone=True)
    assert (span.start, span.end, span.done) == (0, 100 * MiB, 0)
    assert table.claim(1, 8 * MiB, alone=True) is None  # nothing free, and a lone one never splits


def test_a_second_connection_takes_the_piece_after_the_first_ones_next_piece():
    table = SegmentTable(100 * MiB)
    first = table.claim(0, 8 * MiB, alone=True)
    fetch(table, first, 3 * MiB)

    second = table.claim(1, 8 * MiB)

    # The first keeps one piece beyond where it is; the second takes the next one: bytes stay in order.
    assert first.end == 11 * MiB
    assert (second.start, second.end) == (11 * MiB, 19 * MiB)
    third = table.claim(2, 8 * MiB)
    assert (third.start, third.end) == (19 * MiB, 27 * MiB)
    assert table.free_bytes() == 100 * MiB - 27 * MiB


def test_a_cut_connection_may_only_write_up_to_the_cut():
    table = SegmentTable(100 * MiB)
    first = table.claim(0, 8 * MiB, alone=True)
    fetch(table, first, 5 * MiB)
    table.claim(1, 2 * MiB)  # cut at 7 MiB
    assert fetch(table, first, 1 * MiB) == 1 * MiB
    assert fetch(table, first, 4 * MiB) == 1 * MiB  # the rest of that chunk belongs to the other span
    assert fetch(table, first, 1 * MiB) == 0
    assert first.done == first.end == 7 * MiB


def test_a_split_never_cuts_below_bytes_being_written():
    table = SegmentTable(100 * MiB)
    first = table.claim(0, 8 * MiB, alone=True)
    assert table.reserve(first, 6 * MiB) == 6 * MiB  # a chunk in flight, not advanced yet
    table.claim(1, 1)
    assert first.end >= 6 * MiB + MIN_SPLIT


def test_idle_connections_take_half_of_the_slowest_ones_rest_at_the_end():
    table = SegmentTable(40 * MiB)
    a = table.claim(0, 20 * MiB)
    b = table.claim(1, 20 * MiB)
    fetch(table, a, 20 * MiB)
    table.release(a)
    fetch(table, b, 4 * MiB)  # b is slow: 16 MiB left

    again = table.claim(0, 20 * MiB)

    assert (again.start, again.end) == (32 * MiB, 40 * MiB)  # the far half of b's rest
    assert b.end == 32 * MiB
    fetch(table, b, 4 * MiB)
    fetch(table, again, 4 * MiB)
    assert not table.claimable()  # 4 MiB left on each: done before another request would pay
    assert table.claim(2, 8 * MiB) is None


def test_prefix_done_and_snapshot_follow_the_written_bytes():
    table = SegmentTable(30 * MiB)
    a = table.claim(0, 10 * MiB)
    b = table.claim(1, 10 * MiB)
    fetch(table, b, 4 * MiB)
    assert table.prefix() == 0
    fetch(table, a, 10 * MiB)
    table.release(a)
    assert table.prefix() == 14 * MiB
    assert table.done_bytes() == 14 * MiB
    assert table.snapshot() == (
        Segment(0, 10 * MiB, 10 * MiB),
        Segment(10 * MiB, 20 * MiB, 14 * MiB),
        Segment(20 * MiB, 30 * MiB, 20 * MiB),
    )


def test_a_resumed_layout_continues_every_segment_from_its_offset():
    saved = (
        Segment(0, 10 * MiB, 10 * MiB),
        Segment(10 * MiB, 20 * MiB, 13 * MiB),
        Segment(20 * MiB, 30 * MiB, 25 * MiB),
        Segment(30 * MiB, 40 * MiB, 30 * MiB),
    )
    table = SegmentTable(40 * MiB, saved)
    assert table.unfinished_count() == 3 and table.done_bytes() == 18 * MiB and table.prefix() == 13 * MiB
    claims = [table.claim(i, 64 * MiB) for i in range(3)]
    expected = [(13 * MiB, 20 * MiB), (25 * MiB, 30 * MiB), (30 * MiB, 40 * MiB)]
    assert [(s.done, s.end) for s in claims] == expected


def test_finished_neighbours_merge_in_the_snapshot():
    table = SegmentTable(12 * MiB)
    spans = [table.claim(i, 4 * MiB) for i in range(3)]
    for span in spans:
        fetch(table, span, 4 * MiB)
        table.release(span)
    assert table.complete() and table.prefix() == 12 * MiB
    assert table.snapshot() == (Segment(0, 12 * MiB, 12 * MiB),)


def test_fewer_connections_for_smaller_files():
    assert max_connections(1024 * MiB) == 16
    assert max_connections(20 * MiB) == 5
    assert max_connections(3 * MiB) == 1
