"""Download every file of a plan with a pool of workers; the model is installed only when all verified.

How many files are in flight is `concurrency.AdaptiveConcurrency`'s call (or fixed by `workers`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from hfgui.core.engine import concurrency, transfer
from hfgui.core.engine.bandwidth import BandwidthLimiter
from hfgui.core.engine.connection_budget import ConnectionBudget
from hfgui.core.engine.diskspace import check_space
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
from hfgui.core.store import destinations, hfcache, partials
from hfgui.core.store.journal_writer import JournalWriter
from hfgui.core.store.manifest import (
    Manifest,
    ManifestFile,
    clear_journal,
    demote_to_journal,
    read_manifest,
    write_manifest,
)
from hfgui.core.store.model_lock import model_lock
from hfgui.core.types import FileState, ModelProgress, ModelState
from hfgui.core.words import counted

# Ranged connections beyond each file's first, for all files of a run together: one big file may use
# up to segments.MAX_CONNECTIONS; several big files at once share them instead of multiplying them.
RUN_EXTRA_CONNECTIONS = 16
# Files smaller than this are flushed to disk by the journal thread (journal_writer.py), not the worker.
DEFERRED_SYNC_BELOW = transfer.RESUMABLE_MIN_SIZE

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
        self._stop = threading.Event()  # set after a fatal failure: queued files do not start
        self._failures: list[tuple[str, BaseException]] = []
        self._failures_lock = threading.Lock()
        self._journal: JournalWriter | None = None  # library mode: records verified files

    def run(self) -> Manifest:
        """Download what is missing; return the written manifest or raise the first failure.

        In cache mode (`plan.cache_target`) files go into the Hugging Face cache and the commit's
        listing plus the ref are written at the end instead of a manifest (nothing of hfgui's own
        lands in `snapshots/`); the returned Manifest then describes the snapshot without being saved.
        """
        plan = self.plan
        target = plan.cache_target
        self.progress.set_model_state(ModelState.DOWNLOADING)
        tasks = plan.tasks
        skipped = set(plan.present)
        try:  # from here on the progress (and its heartbeat thread) is closed whatever happens
            if target is not None:
                hfcache.prepare(target)
                # Links blobs found in the cache and installs files an interrupted run left verified.
                reused = set(hfcache.reuse_cached(target, {f.path: (f.size, f.etag) for f in plan.files}))
                skipped |= reused
                tasks = tuple(t for t in tasks if t.path not in reused)
            for path in sorted(skipped):
                self.progress.set_state(path, FileState.SKIPPED)
            if target is None and tasks:
                _withdraw_outdated_manifest(plan.root, tasks)
            # The plan knows each file's current version: partials of older ones will never resume.
            partials.drop_superseded(plan.staging_dir, plan.repo_id, {f.path: f.etag for f in plan.files})
            if tasks:
                plan.staging_dir.mkdir(parents=True, exist_ok=True)
                if target is None:
                    self._journal = JournalWriter(plan.root)
                try:
                    pool_size = self.concurrency.maximum
                    with ThreadPoolExecutor(pool_size, thread_name_prefix="hfgui-download") as pool:
                        for future in [pool.submit(self._run_task, task) for task in tasks]:
                            future.result()  # _run_task records its own failures; this surfaces bugs
                finally:
                    self._close_journal()
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
        manifest = Manifest(
            plan.repo_id,
            plan.revision,
            plan.commit,
            plan.files,
            time.time(),
            include=plan.include,
            exclude=plan.exclude,
        )
        if target is not None:
            missing = hfcache.missing_files(target, {f.path: (f.size, f.etag) for f in plan.files})
            if missing:  # a blob counted as present vanished meanwhile (another tool cleaned the cache)
                error = HfGuiError(
                    f"{counted(len(missing), 'file')} of {plan.repo_id} disappeared from the cache during"
                    f" the download (first: {missing[0]}).",
                    "Run the same download again to fetch them.",
                )
                self.progress.set_model_state(ModelState.FAILED, str(error))
                raise error
            hfcache.write_tree(target, plan.tree_entries)
            hfcache.write_ref(target)
        else:
            # The renames (and any folders made for them) must be on disk before the manifest says so.
            for folder in sorted(_folders_up_to(plan.root, (t.dest for t in tasks)), reverse=True):
                transfer.fsync_dir(folder)
            write_manifest(plan.root, manifest)
            clear_journal(plan.root)
        self.progress.set_model_state(ModelState.INSTALLED)
        return manifest

    def _close_journal(self) -> None:
        """Every verified file recorded (and its content flushed) before the run ends, however it ends."""
        if self._journal is None:
            return
        try:
            self._journal.close()
        except OSError as exc:
            error = HfGuiError(
                f"Could not record the downloaded files of {self.plan.repo_id}: {exc.strerror or exc}.",
                "Check the download folder (space, permissions), then run it again.",
            )
            self._record_failure("", error)

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

        # A small file's flush waits for the journal thread instead of holding this worker's slot.
        deferred = self._journal is not None and task.size < DEFERRED_SYNC_BELOW
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
            if self.plan.cache_target is not None:
                hfcache.install_file(self.plan.cache_target, task.path, task.etag, task.dest)
            else:
                assert self._journal is not None
                entry = ManifestFile(task.path, task.size, task.etag)
                self._journal.add(task.dest, task.commit, entry, sync=deferred)
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


def _withdraw_outdated_manifest(root: Path, tasks) -> None:
    """A download that replaces files an existing manifest lists (a newer commit) first withdraws it.

    Otherwise an interrupted run would leave new files under the old record, listed as installed.
    """
    manifest = read_manifest(root)
    if manifest is None:
        return
    replaced = {t.path for t in tasks} & {f.path for f in manifest.files}
    if replaced:
        demote_to_journal(root, manifest, replaced)


def _folders_up_to(root: Path, files) -> set[Path]:
    """Every folder between root and the given files, root included."""
    folders: set[Path] = {root}
    for file in files:
        folder = file.parent
        while folder not in folders and folder != folder.parent and root in folder.parents:
            folders.add(folder)
            folder = folder.parent
    return folders


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
