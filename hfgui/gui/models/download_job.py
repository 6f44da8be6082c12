"""One model's download on a worker thread: the core's `download_model` (the model lock, planning, the
space check, the files), reported to the window as immutable `JobEvent`s through a Mailbox (workers.py
says why not a cross-thread signal). Pause = cancel keeping partials; Cancel = cancel and delete them."""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass

from PySide6 import QtCore

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import DownloadCancelledError, HfGuiError, NetworkError
from hfgui.core.types import ModelProgress, RetryNotice
from hfgui.core.wire.tls import CertificateError
from hfgui.gui.models.library_scan import discard_partials
from hfgui.gui.models.rows import ModelEntry
from hfgui.gui.services import Services
from hfgui.gui.workers import Mailbox

log = logging.getLogger(__name__)

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


class DownloadJob(QtCore.QRunnable):
    """Runs on a pool thread; `cancel` stops it keeping partials, `discard` (with cancel) deletes them."""

    def __init__(self, services: Services, entry: ModelEntry, mailbox: Mailbox) -> None:
        super().__init__()
        self.entry = entry
        self.cancel = threading.Event()
        self.discard = threading.Event()
        self._mailbox = mailbox
        self._services = services
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
