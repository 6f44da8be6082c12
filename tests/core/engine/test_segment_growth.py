"""Connections per file: one at first, doubled while the total rate rises by 10 %, settled when not."""

from __future__ import annotations

from hfgui.core.engine.segment_growth import EPOCH_MIN_SECONDS, ConnectionGrowth

MiB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def drive(growth: ConnectionGrowth, clock: Clock, rate_for, total: list[int], seconds: float = 2.0) -> None:
    """Feed updates every 50 ms for `seconds`, every connection delivering, at rate_for(connections)."""
    for _ in range(int(seconds / 0.05)):
        clock.now += 0.05
        total[0] += int(rate_for(growth.target) * 0.05)
        growth.update(total[0], growth.target)


def capped(per_connection: float, link: float):
    return lambda n: min(n * per_connection, link)


def test_grows_while_each_step_pays_and_stops_at_the_link():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    drive(growth, clock, capped(40 * MiB, 300 * MiB), [0], seconds=4)
    # 1 → 2 doubled the rate (40 → 80 MiB/s), so the next step is bigger: 8 gave 300 MiB/s (still
    # nearly in proportion), 16 gave nothing more: back to 8.
    assert growth.settled and growth.target == 8
    assert [t for t, _ in growth.history] == [1, 2, 8, 16, 8]


def test_a_step_that_scaled_poorly_is_followed_by_a_doubling_only():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    drive(growth, clock, lambda n: {1: 40, 2: 50, 4: 70, 8: 70}.get(n, 70) * MiB, [0], seconds=4)
    # 1 → 2 paid only 25 % (of an ideal 100 %): 4 next, which paid 40 %; 8 paid nothing: back to 4.
    assert [t for t, _ in growth.history] == [1, 2, 4, 8, 4]


def test_a_cpu_bound_single_stream_stays_single():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    drive(growth, clock, lambda n: 800 * MiB, [0])
    assert growth.settled and growth.target == 1


def test_grows_to_the_maximum_when_every_connection_adds_its_share():
    clock = Clock()
    growth = ConnectionGrowth(4, clock=clock)
    drive(growth, clock, capped(40 * MiB, 10_000 * MiB), [0], seconds=3)
    assert growth.settled and growth.target == 4


def test_no_measuring_until_every_new_connection_delivers():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    total = 0
    for _ in range(40):  # two seconds in which the second connection never delivers
        clock.now += 0.05
        total += 2 * MiB
        growth.update(total, delivering=1)
    assert growth.target == 2 and not growth.settled


def test_an_epoch_outlasts_several_round_trips():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    growth.note_round_trip(0.5)  # a far-away CDN: an epoch must span 4 round trips (2 s)
    total = [0]
    drive(growth, clock, capped(40 * MiB, 10_000 * MiB), total, seconds=1.5)
    assert growth.target == 1
    drive(growth, clock, capped(40 * MiB, 10_000 * MiB), total, seconds=1.0)
    assert growth.target == 2
    assert EPOCH_MIN_SECONDS < 2.0


def test_fixed_and_stopped_counts_do_not_move():
    clock = Clock()
    fixed = ConnectionGrowth(16, start=6, fixed=True, clock=clock)
    drive(fixed, clock, capped(40 * MiB, 10_000 * MiB), [0])
    assert fixed.target == 6
    stopped = ConnectionGrowth(16, clock=clock)
    stopped.stop()
    drive(stopped, clock, capped(40 * MiB, 10_000 * MiB), [0])
    assert stopped.target == 1


def test_a_marginal_gain_is_measured_twice_before_it_counts():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    rates = iter([700, 800, 700])  # one connection, then two: a 14 % "gain" that does not hold
    total = [0]
    while not growth.settled and clock.now < 60:
        rate = next(rates, 700) * MiB
        for _ in range(5):  # one epoch's worth of updates at this rate
            clock.now += 0.05
            total[0] += int(rate * 0.05)
            growth.update(total[0], growth.target)
    assert growth.target == 1 and [t for t, _ in growth.history] == [1, 2, 1]


def test_measuring_waits_while_another_file_measures():
    clock = Clock()
    growth = ConnectionGrowth(16, clock=clock)
    total = 0
    for _ in range(40):  # two seconds of another file's trial: no step however fast this one is
        clock.now += 0.05
        total += 4 * MiB
        growth.update(total, 1, may_measure=False)
    assert growth.target == 1 and not growth.settled
    drive(growth, clock, capped(40 * MiB, 10_000 * MiB), [total], seconds=0.5)
    assert growth.target > 1
