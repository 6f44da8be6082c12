"""Build FileTasks and clients for files in the emulator, and sum what it served."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hfgui.core.engine.transfer import FileTask, download_file
from hfgui.core.errors import DownloadCancelledError
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy
from hfgui.core.wire.urls import resolve_url
from tests.hubemu import HubEmulator

# Real backoff rules, minus the waiting: tests stay fast without changing what is retried.
FAST_RETRY = RetryPolicy(max_retries=5, base_wait=0.01, max_wait=0.05, max_total_wait=60.0)


def make_client(hub: HubEmulator, token: str | bool = False, sleeps: list[float] | None = None) -> HubClient:
    """A client for the emulator; with `sleeps`, backoff waits are recorded instead of slept."""
    sleep = sleeps.append if sleeps is not None else None
    if sleep is None:
        return HubClient(hub.url, token=token, retry=FAST_RETRY)
    return HubClient(hub.url, token=token, retry=FAST_RETRY, sleep=sleep)


def make_task(hub: HubEmulator, repo_id: str, path: str, dest_root: Path) -> FileTask:
    """The task the planner would build from the tree listing pinned to the current commit."""
    repo = hub.repo(repo_id)
    repo_file = repo.head.files[path]
    return FileTask(
        repo_id=repo_id,
        commit=repo.sha,
        path=path,
        size=repo_file.size,
        etag=repo_file.etag,
        url=resolve_url(hub.url, repo_id, path, repo.sha),
        dest=dest_root / path,
    )


class ProgressLog:
    """Collects on_bytes calls and checks they come from one thread."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.threads: set[int] = set()

    def __call__(self, n: int) -> None:
        self.calls.append(n)
        self.threads.add(threading.get_ident())

    @property
    def total(self) -> int:
        return sum(self.calls)


def fetch(hub: HubEmulator, task: FileTask, staging: Path, **kwargs) -> Path:
    client = kwargs.pop("client", None) or make_client(hub)
    kwargs.setdefault("cancel", threading.Event())
    return download_file(client, task, staging, **kwargs)


def pause_after(hub: HubEmulator, task: FileTask, staging: Path, nbytes: int, **kwargs) -> ProgressLog:
    """Fetch until at least ``nbytes`` were reported, then cancel as Pause does (the partial stays);
    returns what was reported."""
    cancel = threading.Event()
    progress = ProgressLog()

    def stop_once_there(n: int) -> None:
        progress(n)
        if progress.total >= nbytes:
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        fetch(hub, task, staging, cancel=cancel, on_bytes=stop_once_there, **kwargs)
    return progress


def body_gets(hub: HubEmulator, path: str) -> list:
    """GETs that served body bytes of `path` (200/206), in order."""
    return [r for r in hub.requests_for(path) if r.method == "GET" and r.status in (200, 206)]


def bytes_served(hub: HubEmulator, path: str) -> int:
    return sum(r.bytes_sent for r in body_gets(hub, path))
