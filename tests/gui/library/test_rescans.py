"""Rescans of the Library tab: when scans overlap (a Refresh while one runs, the library moved), only the
newest one's result is shown; a failing "which repos are queued" question does not stop the listing."""

from __future__ import annotations

import dataclasses

import pytest

from hfgui.gui.library.rescans import Rescans
from hfgui.gui.workers import TaskRunner

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound


@pytest.fixture
def tasks():
    made = TaskRunner(2)
    yield made
    made.wait(WAIT)


def test_the_newest_scan_wins(services, tasks, qtbot, tmp_path):
    rescans = Rescans(services, tasks, lambda: ())
    shown = []
    rescans.scanned.connect(shown.append)
    rescans.start()
    moved = tmp_path / "moved-library"
    moved.mkdir()
    services.apply_settings(dataclasses.replace(services.settings, library_dir=str(moved)))
    rescans.start()
    assert rescans.running
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=WAIT)  # both scans delivered
    assert not rescans.running
    assert [snapshot.root for snapshot in shown] == [moved]


@pytest.mark.logged_crash_expected
def test_a_failing_queued_repos_callback_still_lists_the_library(services, tasks, qtbot, caplog):
    def broken() -> list[str]:
        raise RuntimeError("the window is closing")

    rescans = Rescans(services, tasks, broken)
    with qtbot.waitSignal(rescans.scanned, timeout=WAIT) as scanned:
        rescans.start()
    assert scanned.args[0].root == services.library_root
    assert "Could not ask which models are queued" in caplog.text
