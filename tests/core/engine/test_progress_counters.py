"""A file's slot in the snapshots: rebuilt only after a change, or while it downloads (its speed moves)."""

from __future__ import annotations

from hfgui.core.engine.progress_counters import FileCounter, FileSlots
from hfgui.core.types import FileState


def counters(*sizes: int) -> list[FileCounter]:
    return [FileCounter(i, f"f{i}", size, window=5.0) for i, size in enumerate(sizes)]


def test_an_idle_file_keeps_its_slot_until_it_changes():
    files = counters(10, 20)
    slots = FileSlots(files)
    before = slots.refresh(1.0)
    files[1].done = 5  # not touched: the snapshot does not look at it
    assert slots.refresh(2.0) == before
    slots.touch(files[1])
    after = slots.refresh(3.0)
    assert after[0] is before[0] and after[1].bytes_done == 5


def test_a_downloading_file_is_refreshed_every_time():
    files = counters(100)
    slots = FileSlots(files)
    files[0].state = FileState.DOWNLOADING
    slots.touch(files[0])
    slots.refresh(1.0)
    files[0].done = 40  # no touch, as while bytes are being counted between two snapshots
    assert slots.refresh(2.0)[0].bytes_done == 40


def test_changed_slots_are_handed_over_once_in_order():
    files = counters(1, 2, 3)
    slots = FileSlots(files)
    slots.touch(files[2])
    slots.touch(files[0])
    assert slots.take_changed() == (0, 2)
    assert slots.take_changed() == ()
