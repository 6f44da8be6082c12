"""Queue and run model downloads, at most `parallel_models` at once and one per repository at a time;
feed their progress into the models view (GUI thread only). The newest `ModelProgress` per model is
stored in the item model and a 10 Hz timer repaints only the rows that changed."""

from __future__ import annotations

from PySide6 import QtCore

from hfgui.gui.models.download_events import JobEvents
from hfgui.gui.models.download_job import DownloadJob
from hfgui.gui.models.download_queue import QueueFile
from hfgui.gui.models.download_waiting import HubWaiting
from hfgui.gui.models.library_scan import discard_partials
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.rows import Status
from hfgui.gui.services import Services
from hfgui.gui.workers import Mailbox, TaskRunner

REFRESH_MS = 100  # ≤ 10 repaints a second however fast the bytes arrive


class DownloadManager(JobEvents, HubWaiting, QueueFile, QtCore.QObject):
    """Starts, pauses, resumes and cancels model downloads; at most ``settings.parallel_models`` at once.

    A download that fails because the Hub cannot be reached waits (Status.WAITING) instead of failing;
    `release_waiting()` starts the waiting ones again (the window calls it when the Hub answers).

    Signals:
        installed(str): a model finished and verified (key).
        failed(str, object): a download failed (key, HfGuiError).
        hub_unreachable(object): a NetworkError met by a download (it now waits), or one a Hub request
            is retrying after.
        hub_answered(): a download got past planning: the Hub answers.
        stopped(str, str): a download stopped at the user's word (key, "pause" or "discard").
        activity_changed(int): number of queued + running downloads.
        refreshed(): the view was repainted from the latest snapshots (timer tick); `changed_files`
            then says which files of each model changed since the previous tick.
        problem(str): a one-line message about bookkeeping that failed (queue file, deleting partials).
    """

    installed = QtCore.Signal(str)
    failed = QtCore.Signal(str, object)
    activity_changed = QtCore.Signal(int)
    refreshed = QtCore.Signal()
    problem = QtCore.Signal(str)
    hub_unreachable = QtCore.Signal(object)
    hub_answered = QtCore.Signal()
    stopped = QtCore.Signal(str, str)

    def __init__(self, services: Services, model: ModelsModel, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.model = model
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(8)
        self.io = TaskRunner(1, self)  # queue-file writes, in order
        self._jobs: dict[str, DownloadJob] = {}
        self._queue: list[str] = []
        self._waiting: list[str] = []  # failed for want of the Hub: start again when it answers
        self._intent: dict[str, str] = {}  # key -> "pause" | "discard" | "quit" | "wait" while stopping
        self._paused: set[str] = set()
        # Until the queue file has been read, an empty queue is written only to retract entries this
        # window wrote itself: a window that never restored (the self-test) must not wipe the
        # interrupted downloads recorded there.
        self._queue_loaded = False
        self._queue_written = False
        self._interrupted: set[str] = set()  # stopped by quitting: resume on the next start
        # Per model: indexes of files changed since the last refresh tick (None: unknown, look at all).
        self.changed_files: dict[str, set[int] | None] = {}
        self._mailbox = Mailbox(self._on_job_event, self)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)

    # --- queries ---------------------------------------------------------------------------------

    def active_keys(self) -> list[str]:
        queued = [k for k in (*self._queue, *self._waiting) if k not in self._jobs]
        return list(self._jobs) + queued

    def is_active(self, key: str) -> bool:
        return key in self._jobs or key in self._queue or key in self._waiting

    def remembered_keys(self) -> list[str]:
        """Queued, running, paused and interrupted downloads (their partial files are wanted)."""
        return [k for k in (*self.active_keys(), *sorted(self._paused | self._interrupted)) if k]

    def running_count(self) -> int:
        return len(self._jobs)

    # --- commands --------------------------------------------------------------------------------

    def start(self, key: str) -> None:
        """Queue a download (also Resume and Retry: partial files are picked up again)."""
        state = self.model.state(key)
        if state is None or self.is_active(key):
            return
        self._paused.discard(key)
        self._interrupted.discard(key)
        self._queue.append(key)
        self.model.update(key, status=Status.QUEUED, error=None, notice=None)
        self._pump()
        self._changed()

    def pause(self, key: str) -> None:
        if key in self._jobs:
            self._intent[key] = "pause"
            self._jobs[key].cancel.set()
            return
        for waiting in (self._queue, self._waiting):
            if key in waiting:
                waiting.remove(key)
                self._paused.add(key)
                self.model.update(key, status=Status.PAUSED, error=None, notice=None)
                self._changed()
                self.stopped.emit(key, "pause")

    def cancel(self, key: str) -> None:
        """Stop and delete the partial files (the caller has asked the user)."""
        entry_state = self.model.state(key)
        if entry_state is None:
            return
        if key not in self._jobs and entry_state.status is Status.INSTALLED:
            return  # it finished while the question was open: nothing is left to cancel
        if key in self._jobs:
            self._intent[key] = "discard"
            self._jobs[key].discard.set()
            self._jobs[key].cancel.set()
            return
        for waiting in (self._queue, self._waiting):
            if key in waiting:
                waiting.remove(key)
        self._paused.discard(key)
        self._interrupted.discard(key)
        root, cache, entry = self.services.library_root, self.services.hf_cache_dir, entry_state.entry
        self.io.submit(
            lambda: discard_partials(root, entry, cache),
            on_error=lambda exc: self._report(f"Could not delete the partial files of {entry.repo_id}", exc),
        )
        self.model.update(key, status=Status.AVAILABLE, progress=None, error=None)
        self._changed()
        self.stopped.emit(key, "discard")

    def forget(self, key: str) -> None:
        """Drop a paused or interrupted download whose files are gone (the model was deleted)."""
        if key in self._paused or key in self._interrupted:
            self._paused.discard(key)
            self._interrupted.discard(key)
            self._changed()

    def stop_all(self, reason: str = "quit") -> int:
        """Stop every download keeping partials (quitting); returns how many were running."""
        for key in [*self._queue, *self._waiting]:
            self._interrupted.add(key)
            self.model.update(key, status=Status.PAUSED, notice=None)
        self._queue, self._waiting = [], []
        for key, job in self._jobs.items():
            if self._intent.get(key) != "discard":  # a Cancel the user confirmed still deletes
                self._intent[key] = reason
            job.cancel.set()
        self._changed()
        return len(self._jobs)

    def wait_idle(self, msecs: int = -1) -> bool:
        """Block until worker threads are done (shutdown only)."""
        done = self.pool.waitForDone(msecs)
        self.io.wait(msecs)
        return done

    # --- running ---------------------------------------------------------------------------------

    def settings_changed(self) -> None:
        """Settings were saved: more models at once may start now."""
        self._pump()

    def _pump(self) -> None:
        limit = max(1, self.services.settings.parallel_models)
        for key in list(self._queue):
            if len(self._jobs) >= limit:
                break
            state = self.model.state(key)
            if state is None:
                self._queue.remove(key)
                continue
            # Entries of one repository share its folder (two quantisations): one at a time, in order.
            busy = {job.entry.repo_id.lower() for job in self._jobs.values()}
            if state.entry.repo_id.lower() in busy:
                continue
            self._queue.remove(key)
            job = DownloadJob(self.services, state.entry, self._mailbox)
            self._jobs[key] = job
            self.pool.start(job)
        if self._jobs and not self.timer.isActive():
            self.timer.start()

    def _changed(self) -> None:
        self.activity_changed.emit(len(self.active_keys()))
        self.save_queue()
