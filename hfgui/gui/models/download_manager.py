"""Queue and run model downloads on worker threads; feed their progress into the models view.

GUI thread only. Each running model is a `_DownloadJob` (QRunnable) running the core's
`download_model` (the model lock, planning, the space check, the files). Jobs post immutable
`JobEvent`s to a `Mailbox` (workers.py says why not a cross-thread signal); the newest `ModelProgress`
per model is stored in the item model and a 10 Hz timer repaints only the rows that changed.
Pause = cancel keeping partials; Cancel = cancel and delete them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

from PySide6 import QtCore

from hfgui.core.errors import DownloadCancelledError, HfGuiError, NetworkError
from hfgui.core.jsonio import read_json, write_json_atomic
from hfgui.core.model_download import download_model
from hfgui.core.planner import DownloadRequest
from hfgui.core.tls import CertificateError
from hfgui.core.types import ModelProgress, ModelState, RetryNotice
from hfgui.gui.library.library_scan import discard_partials
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.rows import ModelEntry, Status
from hfgui.gui.services import Services
from hfgui.gui.workers import Mailbox, TaskRunner

log = logging.getLogger(__name__)

QUEUE_FILE_NAME = "downloads.json"
REFRESH_MS = 100  # ≤ 10 repaints a second however fast the bytes arrive
DOWNLOAD_NICE = 10  # download threads' nice value (Linux): the window comes first when cores are busy


@dataclass(frozen=True)
class JobEvent:
    key: str
    kind: str  # "progress", "retrying", "installed", "cancelled", "failed"
    progress: ModelProgress | None = None
    error: HfGuiError | None = None
    notice: RetryNotice | None = None  # "retrying": a Hub request (planning) waits to try again


def waits_for_hub(error: HfGuiError | None) -> bool:
    """A failure that the Hub answering again mends by itself (no network, refused, timed out) — not a
    certificate the system does not trust, which needs the user."""
    return isinstance(error, NetworkError) and not isinstance(error, CertificateError)


def network_notice(notice: RetryNotice) -> bool:
    """A retry because the Hub could not be reached at all (not because it answered 5xx or 429)."""
    return not notice.reason.startswith("HTTP ")


def lower_thread_priority() -> None:
    """Run this download thread (and the worker/hashing threads it starts) below the window's priority.

    Hashing and writing at full speed can keep every core busy; at equal priority the scheduler then
    leaves the GUI thread waiting for tens of milliseconds. On Linux the nice value is per thread and
    new threads inherit it, so the core's download workers follow. The pool's threads only ever run
    downloads, so the lowered priority staying with them is intended.
    """
    if sys.platform.startswith("linux"):
        tid = threading.get_native_id()
        try:
            current = os.getpriority(os.PRIO_PROCESS, tid)
            if current < DOWNLOAD_NICE:
                os.setpriority(os.PRIO_PROCESS, tid, DOWNLOAD_NICE)
        except OSError as exc:
            log.debug("Could not lower the download thread's priority: %s", exc)
    else:  # elsewhere only this thread: its workers start at the normal priority
        QtCore.QThread.currentThread().setPriority(QtCore.QThread.Priority.LowPriority)


class _DownloadJob(QtCore.QRunnable):
    def __init__(self, manager: DownloadManager, entry: ModelEntry) -> None:
        super().__init__()
        self.entry = entry
        self.cancel = threading.Event()
        self.discard = threading.Event()
        self._mailbox = manager._mailbox
        self._services = manager.services
        self._plan = None  # set once planned: Cancel deletes exactly its partials
        self.setAutoDelete(True)

    def _emit(self, event: JobEvent) -> None:
        self._mailbox.post(event)

    def run(self) -> None:  # worker thread
        key = self.entry.key
        lower_thread_priority()
        try:
            self._download()
        except DownloadCancelledError:
            error = self._discard() if self.discard.is_set() else None
            self._emit(JobEvent(key, "cancelled", error=error))
        except HfGuiError as exc:
            self._emit(JobEvent(key, "failed", error=exc))
        except Exception as exc:  # a bug must not kill the thread silently
            log.exception("Download of %s crashed", self.entry.repo_id)
            error = HfGuiError(
                f"Unexpected error ({type(exc).__name__}: {exc}).", "Retry; report it if it persists."
            )
            self._emit(JobEvent(key, "failed", error=error))
        else:
            self._emit(JobEvent(key, "installed"))

    def _download(self) -> None:
        services, entry = self._services, self.entry
        settings = services.settings
        request = DownloadRequest(
            entry.repo_id,
            entry.revision,
            entry.include,
            entry.exclude,
            workers=settings.parallel_files,
            cache_dir=services.hf_cache_dir if settings.use_hf_cache else None,
        )
        client = services.make_client().listening(self._on_retry)
        try:
            # The same flow as `hfgui download`: the model's lock against other windows and processes,
            # planning that Pause or Cancel cut short, the space check, then the files.
            download_model(
                client,
                request,
                services.library_root,
                on_progress=self._on_progress,
                cancel=self.cancel,
                on_plan=self._planned,
                segments=settings.segments_per_file,
                stall_timeout=float(settings.stall_timeout_seconds),
                # The one shared cap: Settings changes its rate live, and parallel models share it.
                limiter=services.limiter,
            )
        finally:
            client.close()

    def _planned(self, plan) -> None:
        self._plan = plan  # Cancel deletes exactly its partials

    def _on_progress(self, progress: ModelProgress) -> None:
        self._emit(JobEvent(self.entry.key, "progress", progress=progress))

    def _on_retry(self, notice: RetryNotice) -> None:
        self._emit(JobEvent(self.entry.key, "retrying", notice=notice))

    def _discard(self) -> HfGuiError | None:
        """Delete this download's partial files; the error to show when that failed."""
        try:
            # Small files may have a .part without a sidecar yet: also remove by the planned keys.
            keys = [t.partial_key for t in self._plan.tasks] if self._plan is not None else []
            services = self._services
            discard_partials(services.library_root, self.entry, services.hf_cache_dir, partial_keys=keys)
        except HfGuiError as exc:  # another window or process is downloading it now
            return exc
        except OSError as exc:
            log.warning("Could not delete partial files of %s: %s", self.entry.repo_id, exc)
            return HfGuiError(f"Could not delete the partial files of {self.entry.repo_id} ({exc}).")
        return None


class DownloadManager(QtCore.QObject):
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
        self._jobs: dict[str, _DownloadJob] = {}
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

    @property
    def queue_file(self):
        return self.services.paths.config_dir / QUEUE_FILE_NAME

    def active_keys(self) -> list[str]:
        queued = [k for k in (*self._queue, *self._waiting) if k not in self._jobs]
        return list(self._jobs) + queued

    def is_active(self, key: str) -> bool:
        return key in self._jobs or key in self._queue or key in self._waiting

    def waiting_keys(self) -> list[str]:
        return list(self._waiting)

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

    def hold(self, key: str, reason: str) -> None:
        """Queue a download to start once the Hub answers (Download pressed while offline)."""
        state = self.model.state(key)
        if state is None or self.is_active(key):
            return
        self._paused.discard(key)
        self._interrupted.discard(key)
        self._waiting.append(key)
        self.model.update(key, status=Status.WAITING, error=reason, notice=None)
        self._changed()

    def release_waiting(self) -> list[str]:
        """The Hub answers: start the downloads that waited for it; returns their keys."""
        keys, self._waiting = self._waiting, []
        for key in keys:
            if self.model.state(key) is not None:
                self._queue.append(key)
                self.model.update(key, status=Status.QUEUED, error=None, notice=None)
        if keys:
            self._pump()
            self._changed()
        return keys

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
            job = _DownloadJob(self, state.entry)
            self._jobs[key] = job
            self.pool.start(job)
        if self._jobs and not self.timer.isActive():
            self.timer.start()

    def _on_job_event(self, event: JobEvent) -> None:
        key = event.key
        if event.kind == "progress":
            self._on_progress(key, event.progress)
            return
        if event.kind == "retrying":
            if key in self._jobs and event.notice is not None:
                self.model.update(key, notice=event.notice)
                if network_notice(event.notice):
                    self.hub_unreachable.emit(NetworkError(event.notice.host, event.notice.reason))
                    state = self.model.state(key)
                    if state is not None and state.status is Status.QUEUED and key not in self._intent:
                        # Still planning and the Hub is away: wait for it rather than sit out the
                        # backoff (the offline watch starts it again once the Hub answers).
                        self._intent[key] = "wait"
                        self._jobs[key].cancel.set()
            return
        self._jobs.pop(key, None)
        intent = self._intent.pop(key, None)
        if event.kind == "installed":
            self.model.update(key, status=Status.INSTALLED, error=None)
            self.installed.emit(key)
        elif event.kind == "cancelled" and intent == "wait":
            self._waiting.append(key)
            notice = self.model.state(key).notice if self.model.state(key) else None
            reason = f"The Hub could not be reached ({notice.reason})." if notice else None
            self.model.update(key, status=Status.WAITING, error=reason, notice=None)
        elif event.kind == "cancelled":
            if intent == "discard":
                self.model.update(key, status=Status.AVAILABLE, progress=None, error=None)
                if event.error is not None:
                    self.problem.emit(str(event.error))
                else:
                    self.stopped.emit(key, "discard")
            else:
                (self._interrupted if intent == "quit" else self._paused).add(key)
                self.model.update(key, status=Status.PAUSED)
                if intent == "pause":
                    self.stopped.emit(key, "pause")
        elif waits_for_hub(event.error) and intent in (None, "wait"):
            self._waiting.append(key)  # the Hub is away: start again when it answers, nothing to do
            self.model.update(key, status=Status.WAITING, error=str(event.error), notice=None)
            self.hub_unreachable.emit(event.error)
        else:
            error = event.error
            self.model.update(key, status=Status.FAILED, error=str(error) if error else "unknown error")
            self.failed.emit(key, error)
        self.model.flush()
        self._pump()
        self._changed()

    def _on_progress(self, key: str, progress: ModelProgress | None) -> None:
        if progress is None or key not in self._jobs:
            return
        self.model.set_progress(key, progress)
        if progress.changed is None:
            self.changed_files[key] = None
        else:
            known = self.changed_files.setdefault(key, set())
            if known is not None:
                known.update(progress.changed)
        status = {
            ModelState.DOWNLOADING: Status.DOWNLOADING,
            ModelState.VERIFYING: Status.VERIFYING,
        }.get(progress.state)
        current = self.model.state(key)
        if status is not None and current is not None and current.status is not status:
            self.model.update(key, status=status, notice=None)
            if status is Status.DOWNLOADING:
                self.hub_answered.emit()  # planned: the Hub answers

    def _tick(self) -> None:
        self.model.flush()
        self.refreshed.emit()
        self.changed_files.clear()
        if not self._jobs:
            self.timer.stop()

    def _changed(self) -> None:
        self.activity_changed.emit(len(self.active_keys()))
        self.save_queue()

    # --- the queue file --------------------------------------------------------------------------

    def queue_snapshot(self) -> dict[str, Any]:
        downloads = [{"key": k, "state": "active"} for k in self.active_keys()]
        downloads += [{"key": k, "state": "active"} for k in sorted(self._interrupted)]
        downloads += [{"key": k, "state": "paused"} for k in sorted(self._paused)]
        return {"version": 1, "downloads": downloads}

    def save_queue(self) -> None:
        path, data = self.queue_file, self.queue_snapshot()
        if not self._queue_loaded and not data["downloads"] and not self._queue_written:
            return
        self._queue_written = True
        self.io.submit(
            lambda: write_json_atomic(path, data),
            on_error=lambda exc: self._report(f"Could not save the download queue to {path}", exc),
        )

    def _report(self, what: str, exc: BaseException) -> None:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        log.warning("%s: %s", what, detail)
        self.problem.emit(f"{what} ({detail}). Check that the folder is writable.")

    def restore(self, on_done=None) -> None:
        """Read the queue file on a worker; list interrupted downloads as Paused or resume them."""
        path = self.queue_file

        def read() -> list[tuple[str, str]]:
            try:
                data = read_json(path)
            except (OSError, ValueError):
                return []
            items = data.get("downloads", []) if isinstance(data, dict) else []
            return [(str(i.get("key")), str(i.get("state"))) for i in items if isinstance(i, dict)]

        def apply(items: list[tuple[str, str]]) -> None:
            resumed = []
            for key, state in items:
                if self.model.state(key) is None or self.is_active(key):
                    continue
                if state == "active" and self.services.settings.auto_resume:
                    resumed.append(key)
                    continue
                self._paused.add(key)
                self.model.update(key, status=Status.PAUSED)
            for key in resumed:
                self.start(key)
            self._queue_loaded = True
            self.save_queue()  # what was read, merged with anything started meanwhile
            if on_done is not None:
                on_done(resumed)

        self.io.submit(read, apply)
