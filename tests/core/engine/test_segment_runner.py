"""The segment runner's bookkeeping without a network: what growth is judged on, what is persisted."""

from __future__ import annotations

import threading

from hfgui.core.engine.connection_budget import ConnectionBudget
from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.engine.segment_growth import ConnectionGrowth
from hfgui.core.engine.segment_runner import SegmentRunner
from hfgui.core.engine.segments import SegmentTable
from hfgui.core.store.partials import Segment

MiB = 1024 * 1024


class RecordingGrowth(ConnectionGrowth):
    def __init__(self) -> None:
        super().__init__(16)
        self.seen: list[int] = []
        self.allowed: list[bool] = []

    def update(self, total_bytes: int, delivering: int, *, may_measure: bool = True) -> int:
        self.seen.append(total_bytes)
        self.allowed.append(may_measure)
        return self.target


def runner_for(table: SegmentTable, growth: ConnectionGrowth, budget: ConnectionBudget | None, saved: list):
    return SegmentRunner(
        source=None,  # never asked: no connection is opened in these tests
        table=table,
        write_at=lambda offset, data: None,
        save=saved.append,
        hasher=PrefixHasher(None, -1),  # type: ignore[arg-type]
        growth=growth,
        cancel=threading.Event(),
        budget=budget,
    )


def test_growth_is_judged_on_the_bytes_of_the_whole_run(monkeypatch):
    table = SegmentTable(64 * MiB, (Segment(0, 64 * MiB, 3 * MiB),))
    budget = ConnectionBudget(16)
    budget.moved(40 * MiB)  # another big file of the same run moved these meanwhile
    growth = RecordingGrowth()
    runner = runner_for(table, growth, budget, [])
    monkeypatch.setattr(runner, "_open_up_to", lambda target: None)
    runner._steer()
    assert growth.seen == [40 * MiB]  # not this file's 3 MiB: a share taken from a neighbour is no gain


def test_alone_a_file_is_judged_on_its_own_bytes(monkeypatch):
    table = SegmentTable(64 * MiB, (Segment(0, 64 * MiB, 3 * MiB),))
    growth = RecordingGrowth()
    runner = runner_for(table, growth, None, [])
    monkeypatch.setattr(runner, "_open_up_to", lambda target: None)
    runner._steer()
    assert growth.seen == [3 * MiB]


def test_one_file_of_a_run_measures_growth_at_a_time(monkeypatch):
    budget = ConnectionBudget(16)
    first, second = RecordingGrowth(), RecordingGrowth()
    runners = []
    for growth in (first, second):
        runner = runner_for(SegmentTable(64 * MiB), growth, budget, [])
        monkeypatch.setattr(runner, "_open_up_to", lambda target: None)
        runners.append(runner)
    runners[0]._steer()
    runners[1]._steer()
    assert (first.allowed, second.allowed) == ([True], [False])  # the second waits for the trial
    first.stop()  # its count settled: the trial is free again
    runners[0]._steer()
    runners[1]._steer()
    assert second.allowed == [False, True]
