"""Download every file of a plan with a pool of workers; the model is installed only when all verified.

How many files are in flight is `concurrency.AdaptiveConcurrency`'s call (or fixed by `workers`); what is
recorded on disk as files land and when all are in is model_records.py's part.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from hfgui.core.engine import concurrency, transfer
from hfgui.core.engine.bandwidth import BandwidthLimiter
from hfgui.core.engine.connection_budget import ConnectionBudget
from hfgui.core.engine.diskspace import check_space
from hfgui.core.engine.model_records import DEFERRED_SYNC_BELOW as DEFERRED_SYNC_BELOW
from hfgui.core.engine.model_records import ModelRecords
from hfgui.core.engine.planner import DownloadRequest, Plan, lock_file_for, plan_download
from hfgui.core.engine.progress import ProgressAggregator, ProgressCallback
from hfgui.core.errors import (
    DownloadCancelledError,
    GatedRepoError,
    HfGuiError,
    InsufficientSpaceError,
    InvalidTokenError,
    NetworkError,
    RateLimitedError,
    RepoNotFoundError,
)
from hfgui.core.store import destinations
from hfgui.core.store.manifest import Manifest
from hfgui.core.store.model_lock import model_lock
from hfgui.core.types import FileState, ModelProgress, ModelState

# Ranged connections beyond each file's first, for all files of a run together: one big file may use
# up to segments.MAX_CONNECTIONS; several big files at once share them instead of multiplying them.
RUN_EXTRA_CONNECTIONS = 16

# Failures that will hit every remaining file the same way: stop starting new ones.
_FATAL = (
    InsufficientSpaceError,
    NetworkError,
    RateLimitedError,
    InvalidTokenError,
    GatedRepoError,
    RepoNotFoundError,
)


class ModelDownloader:
    """One run over a plan: workers fetch its files, a fatal failure stops the queued ones, progress
    follows every file, and the model is recorded as installed only when every file is in."""

    def __init__(
        self,
        client,
        plan: Plan,
        *,
        workers: int = 0,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        segments: int = 0,
        stall_timeout: float = transfer.DEFAULT_STALL_TIMEOUT,
        limiter: BandwidthLimiter | None = None,
    ) -> None:
        self.limiter = limiter
        self.plan = plan
        # 0: as many files in flight as pays (grows with latency and file count); N: N at most.
        self.concurrency = concurrency.for_files(len(plan.tasks), max(0, int(workers)))
        # Every answer reaches the concurrency: a 429 or a nearly spent quota means fewer files at once.
        self.client = client.observed(self.concurrency)
        self.cancel = cancel if cancel is not None else threading.Event()
        self.segments = segments  # per large file: 0 = adaptive, 1 = one stream, N = N connections
        # Extra ranged connections all files of this run hold together (each file's first is not counted).
        self.connection_budget = ConnectionBudget(RUN_EXTRA_CONNECTIONS)
        self.stall_timeout = stall_timeout
        self.progress = ProgressAggregator(plan.repo_id, [(f.path, f.size) for f in plan.files], on_progress)
        self.records = ModelRecords(plan)
        self._stop = threading.Event()  # set after a fatal failure: queued files do not start
        self._failures: list[tuple[str, BaseException]] = []
        self._failures_lock = threading.Lock()

    def run(self) -> Manifest:
        """Download what is missing; return the written manifest or raise the first failure.

        In cache mode (`plan.cache_target`) files go into the Hugging Face cache and the commit's
        listing plus the ref are written at the end instead of a manifest (nothing of hfgui's own
        lands in `snapshots/`); the returned Manifest then describes the snapshot without being saved.
        """
        records = self.records
        self.progress.set_model_state(ModelState.DOWNLOADING)
        try:  # from here on the progress (and its heartbeat thread) is closed whatever happens
            tasks, reused = records.reuse_cached()
            for path in sorted(set(self.plan.present) | reused):
                self.progress.set_state(path, FileState.SKIPPED)
            records.prepare()
            if tasks:
                try:
                    pool_size = self.concurrency.maximum
                    with ThreadPoolExecutor(pool_size, thread_name_prefix="hfgui-download") as pool:
                        for future in [pool.submit(self._run_task, task) for task in tasks]:
                            future.result()  # _run_task records its own failures; this surfaces bugs
                finally:
                    error = records.close()
                    if error is not None:
                        self._record_failure("", error)
        finally:
            self.progress.close()
        self.progress.flush()

        if self._failures:
            first = self._first_failure()
            if isinstance(first, DownloadCancelledError):
                self.progress.set_model_state(ModelState.CANCELLED)
            else:
                self.progress.set_model_state(ModelState.FAILED, str(first))
            raise first
        # A cancel that came after the last file finished changes nothing: every file is in.
        self.progress.set_model_state(ModelState.VERIFYING)
        try:
            records.check_complete()
        except HfGuiError as exc:
            self.progress.set_model_state(ModelState.FAILED, str(exc))
            raise
        manifest = records.finish()
        self.progress.set_model_state(ModelState.INSTALLED)
        return manifest

    def _first_failure(self) -> BaseException:
        real = [exc for _, exc in self._failures if not isinstance(exc, DownloadCancelledError)]
        if real:
            return real[0]
        return DownloadCancelledError(f"Download of {self.plan.repo_id}")

    def _record_failure(self, path: str, exc: BaseException) -> None:
        with self._failures_lock:
            self._failures.append((path, exc))

    def _run_task(self, task: transfer.FileTask) -> None:
        try:
            with self.concurrency.slot(self.cancel):  # cancelled while waiting: _fetch_one says so
                if self._fetch_one(task):
                    self.concurrency.file_done()
        except BaseException:
            self._stop.set()  # a bug, or a progress callback that raised: start no further file
            raise

    def _fetch_one(self, task: transfer.FileTask) -> bool:
        """Download one file and record the outcome; True when it is in."""
        if self.cancel.is_set() or self._stop.is_set():
            self.progress.set_state(task.path, FileState.CANCELLED)
            self._record_failure(task.path, DownloadCancelledError(f"Download of {self.plan.repo_id}"))
            return False
        self.progress.set_state(task.path, FileState.DOWNLOADING)

        resumed = self.plan.partial_bytes.get(task.path, 0)
        first_report = [True]

        def on_bytes(n: int) -> None:
            # download_file reports a resumed partial once, up front: that is not speed.
            if first_report[0] and resumed and n == resumed:
                self.progress.set_bytes(task.path, n)
            else:
                self.progress.add_bytes(task.path, n)
                self.concurrency.add_bytes(n)
            first_report[0] = False

        deferred = self.records.defers_sync(task)
        try:
            transfer.download_file(
                self.client,
                task,
                self.plan.staging_dir,
                cancel=self.cancel,
                on_bytes=on_bytes,
                segments=self.segments,
                budget=self.connection_budget,
                stall_timeout=self.stall_timeout,
                limiter=self.limiter,
                sync_dir=False,  # each folder is synced once, before the manifest is written
                sync_data=not deferred,
                on_retry=lambda notice: self.progress.set_reconnecting(task.path, notice),
            )
            self.records.add(task, deferred=deferred)
        except DownloadCancelledError as exc:
            self.progress.set_state(task.path, FileState.CANCELLED)
            self._record_failure(task.path, exc)
            return False
        except HfGuiError as exc:
            self.progress.set_state(task.path, FileState.FAILED, str(exc))
            self._record_failure(task.path, exc)
            if isinstance(exc, _FATAL):
                self._stop.set()
            return False
        except OSError as exc:
            message = f"Could not write '{task.path}': {exc.strerror or exc}."
            error = HfGuiError(message, "Check the download folder's permissions, then run it again.")
            self.progress.set_state(task.path, FileState.FAILED, str(error))
            self._record_failure(task.path, error)
            self._stop.set()
            return False
        self.progress.set_state(task.path, FileState.DONE)
        return True


def download_model(
    client,
    request: DownloadRequest,
    library_root: Path | None,
    *,
    on_progress: Callable[[ModelProgress], None] | None = None,
    cancel: threading.Event | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    segments: int = 0,
    stall_timeout: float = transfer.DEFAULT_STALL_TIMEOUT,
    limiter: BandwidthLimiter | None = None,
) -> Manifest:
    """Plan, check free space, then download: the whole flow behind `hfgui download` and the window.

    `request.cache_dir` set: into that Hugging Face cache; `limiter`: a bandwidth cap for this run.
    `request.dest` set: into that folder, which the index of `library_root` (when given) then records.
    A renamed repository is downloaded under its new name (`Plan.renamed_from` says so to `on_plan`).
    """
    # A Pause ends planning's retry waits at once (each file's transfer makes its own cancellable client).
    planner_client = client.cancellable(cancel) if cancel is not None else client
    busy_hint = "Wait for that download to finish, or stop it, then run this again."

    def run(plan: Plan) -> Manifest:
        if request.dest is not None and library_root is not None:
            destinations.remember(library_root, request.dest, plan.repo_id)  # list and partials find it
        if on_plan is not None:
            on_plan(plan)
        check_space(plan)
        downloader = ModelDownloader(
            client,
            plan,
            workers=request.workers,
            on_progress=on_progress,
            cancel=cancel,
            segments=segments,
            stall_timeout=stall_timeout,
            limiter=limiter,
        )
        return downloader.run()

    # Held from planning (which reads what the folder holds) to the manifest.
    lock_file = lock_file_for(request, library_root)
    with model_lock(lock_file, request.repo_id, busy_hint=busy_hint):
        plan = plan_download(planner_client, request, library_root)
        renamed = replace(request, repo_id=plan.repo_id)
        if plan.renamed_from is None or lock_file_for(renamed, library_root) == lock_file:
            return run(plan)
    # Renamed: planned again under the new name's lock (another run may hold that one).
    with model_lock(lock_file_for(renamed, library_root), renamed.repo_id, busy_hint=busy_hint):
        plan = plan_download(planner_client, renamed, library_root)
        return run(replace(plan, renamed_from=request.repo_id))
