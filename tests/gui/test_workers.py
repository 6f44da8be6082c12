"""Results from worker threads reach the GUI thread through a Mailbox, also when its owner is gone."""

from __future__ import annotations

import threading

import shiboken6
from PySide6 import QtCore

from hfgui.gui.workers import Mailbox, TaskRunner

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound


def test_worker_results_run_their_callbacks_on_the_gui_thread(qtbot):
    runner = TaskRunner(2)
    seen = []
    runner.submit(lambda: 6 * 7, lambda value: seen.append((value, threading.current_thread())))
    runner.submit(lambda: 1 / 0, on_error=lambda exc: seen.append((type(exc), threading.current_thread())))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT)
    assert {value for value, _thread in seen} == {42, ZeroDivisionError}
    assert all(thread is threading.main_thread() for _value, thread in seen)
    assert runner.pending == 0


def test_posting_to_a_deleted_mailbox_from_a_worker_is_harmless(qtbot):
    parent = QtCore.QObject()
    handled = []
    mailbox = Mailbox(handled.append, parent)
    shiboken6.delete(parent)  # the window that owned it closed
    assert not shiboken6.isValid(mailbox)
    errors = []

    def post() -> None:
        try:
            mailbox.post("late result")
        except BaseException as exc:  # anything escaping is the failure under test
            errors.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    worker.join()
    QtCore.QCoreApplication.processEvents()
    assert errors == [] and handled == []


def test_a_task_finishing_after_its_runner_was_deleted_is_dropped(qtbot):
    parent = QtCore.QObject()
    runner = TaskRunner(1, parent)
    release, delivered = threading.Event(), []
    runner.submit(lambda: release.wait(WAIT / 1000) and "done", delivered.append)
    pool = runner.pool
    release.set()
    pool.waitForDone(WAIT)  # the result is posted; its mailbox is deleted before it is drained
    shiboken6.delete(parent)
    QtCore.QCoreApplication.processEvents()
    assert delivered == []
