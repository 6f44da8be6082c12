"""The Library tab runs one operation at a time: a second one is refused while the first runs, the bar
shows the running one's progress only, Cancel reaches the worker, and the operation has ended by the time
its outcome is reported."""

from __future__ import annotations

import pytest

from hfgui.core.types import ModelProgress, ModelState
from hfgui.gui.library.operations import PROGRESS_STEPS, OperationRunner
from hfgui.gui.workers import TaskRunner
from tests.gui.inputs import click

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound


@pytest.fixture
def runner(qtbot):
    tasks = TaskRunner(1)
    made = OperationRunner(tasks)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.stop()
    tasks.wait(WAIT)


def test_a_second_operation_waits_for_the_first(runner):
    busy = []
    runner.busy_changed.connect(busy.append)
    first = runner.begin("verify", "Verifying acme/tiny", cancelable=True)
    assert first is not None and runner.busy and busy == [True]
    assert runner.progress.isVisible() and runner.cancel_button.isVisible()
    assert runner.begin("delete", "Deleting acme/other") is None
    assert runner.status_label.text() == "Wait until “Verifying acme/tiny” finishes."
    assert runner.current is first and busy == [True]


def test_cancel_reaches_the_worker_and_the_operation_ends_before_its_outcome(runner, qtbot):
    operation = runner.begin("verify", "Verifying acme/tiny", cancelable=True)
    outcome = []

    def work() -> str:
        runner.report(operation, (1, 4, "config.json"))
        if not operation.cancel.wait(WAIT / 1000):
            raise TimeoutError("never cancelled")
        return "stopped"

    runner.run(operation, work, lambda value: outcome.append((value, runner.busy)), outcome.append)
    qtbot.waitUntil(lambda: runner.progress.value() == PROGRESS_STEPS // 4, timeout=WAIT)
    assert runner.progress.format() == "Verifying acme/tiny: 1/4 files"

    click(qtbot, runner.cancel_button)
    assert runner.status_label.text() == "Cancelling verifying acme/tiny…"
    assert not runner.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(outcome), timeout=WAIT)
    assert outcome == [("stopped", False)]
    assert not runner.progress.isVisible() and not runner.cancel_button.isVisible()


def test_a_late_report_of_a_finished_operation_is_ignored(runner, qtbot):
    first = runner.begin("check", "Checking for updates", indeterminate=True)
    assert runner.progress.maximum() == 0  # a busy indicator: a check reports no progress
    ended = []
    runner.run(first, lambda: None, ended.append, ended.append)
    qtbot.waitUntil(lambda: bool(ended), timeout=WAIT)
    assert runner.progress.maximum() == PROGRESS_STEPS

    second = runner.begin("update", "Updating acme/tiny", cancelable=True)
    runner.report(first, (3, 4, "late.bin"))  # delivered first, and dropped
    runner.report(second, ModelProgress("acme/tiny", ModelState.DOWNLOADING, 500_000, 2_000_000, 1, 3))
    qtbot.waitUntil(lambda: runner.progress.value() > 0, timeout=WAIT)
    assert runner.progress.value() == PROGRESS_STEPS // 4
    assert runner.progress.format() == "Updating acme/tiny: 500.0 kB of 2.0 MB (1/3 files)"
