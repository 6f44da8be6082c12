"""The connection budget a run's segmented files share: extra connections handed out and given back, one
file measuring growth at a time, the bytes of the whole run."""

from __future__ import annotations

from hfgui.core.engine.connection_budget import ConnectionBudget


def test_the_budget_hands_out_at_most_its_extra_connections():
    budget = ConnectionBudget(2)
    assert budget.take() and budget.take() and not budget.take()
    budget.give()
    assert budget.take()


def test_one_owner_holds_the_trial_until_it_releases_it():
    budget = ConnectionBudget(4)
    first, second = object(), object()
    assert budget.claim_trial(first) and budget.claim_trial(first)
    assert not budget.claim_trial(second)
    budget.release_trial(second)  # not the holder: changes nothing
    assert not budget.claim_trial(second)
    budget.release_trial(first)
    assert budget.claim_trial(second)


def test_the_bytes_of_every_file_add_up():
    budget = ConnectionBudget(4)
    budget.moved(3)
    budget.moved(4)
    assert budget.total == 7
