"""Where a model comes from: the Hugging Face Hub, or a plain HTTPS file; the manager picks by the source.

A source is what a person pastes: `owner/name`, a huggingface.co URL, `hf://owner/name`, or any other
`https://` URL (a single file). The Hub provider sends the token when there is one and works without;
the direct provider never sends a token.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import requests

from hfgui.core.engine.diskspace import check_space, ensure_space
from hfgui.core.engine.model_download import ModelDownloader
from hfgui.core.engine.planner import STAGING_DIR_NAME, DownloadRequest, Plan, plan_download
from hfgui.core.engine.progress import ProgressAggregator, ProgressCallback
from hfgui.core.errors import (
    ChecksumError,
    DownloadCancelledError,
    HfGuiError,
    HubHTTPError,
    InvalidRepoIdError,
    NetworkError,
    SizeMismatchError,
    UnsafePathError,
)
from hfgui.core.store.pathsafe import check_repo_path
from hfgui.core.types import FileState, ModelState
from hfgui.core.wire.http import NO_NETRC, new_session

CHUNK = 1024 * 1024
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class ModelProvider(Protocol):
    id: str
    name: str
    requires_auth: bool

    def can_handle(self, source: str) -> bool: ...

    def plan(self, source: str, **options: Any) -> Any: ...

    def download(
        self, plan: Any, *, on_progress: ProgressCallback | None = None, cancel: threading.Event | None = None
    ) -> Path: ...


# --- Hugging Face ---------------------------------------------------------------------------------


class HuggingFaceProvider:
    """Repositories on the Hub (or a mirror): directory models, split weights, single files."""

    id = "huggingface"
    name = "Hugging Face"
    requires_auth = False  # public models need no token; a token, when present, is used

    def __init__(self, client, library_root: Path, *, workers: int = 0) -> None:
        self.client = client
        self.library_root = Path(library_root)
        self.workers = workers

    def can_handle(self, source: str) -> bool:
        from hfgui.core.library.model_address import parse_model_reference

        try:
            parse_model_reference(source, self.client.endpoint)
        except InvalidRepoIdError:
            return False
        return True

    def plan(
        self,
        source: str,
        *,
        revision: str | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        dest: Path | None = None,
    ) -> Plan:
        from hfgui.core.library.model_address import parse_model_reference

        ref = parse_model_reference(source, self.client.endpoint)
        request = DownloadRequest(
            repo_id=ref.repo_id,
            revision=revision or ref.revision,
            include=tuple(include) + ((ref.path,) if ref.path else ()),
            exclude=tuple(exclude),
            dest=dest,
            workers=self.workers,
        )
        return plan_download(self.client, request, self.library_root)

    def download(
        self,
        plan: Plan,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        check_space(plan)
        ModelDownloader(self.client, plan, workers=self.workers, on_progress=on_progress, cancel=cancel).run()
        return plan.root


# --- plain HTTPS file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectPlan:
    url: str
    dest: Path
    size: int | None  # from HEAD Content-Length; None when the server does not say
    sha256: str | None  # given by the caller; without it only the size is checked
    staging_dir: Path

    @property
    def part_path(self) -> Path:
        return self.staging_dir / (hashlib.sha256(self.url.encode()).hexdigest()[:40] + ".part")


def _is_direct_url(source: str) -> bool:
    parts = urlsplit(source)
    if parts.scheme == "https":
        return bool(parts.hostname)
    # Plain http only on this machine (local mirrors, tests): never across a network.
    return parts.scheme == "http" and parts.hostname in _LOOPBACK


class DirectURLProvider:
    """One file from an https:// URL: size from HEAD, Range resume, optional sha256; never a token."""

    id = "direct"
    name = "Direct download (URL)"
    requires_auth = False

    def __init__(self, library_root: Path, *, session: requests.Session | None = None) -> None:
        self.library_root = Path(library_root)
        self.session = session or new_session()
        self.timeout = (10.0, 60.0)

    def can_handle(self, source: str) -> bool:
        return _is_direct_url(source)

    def plan(self, source: str, *, sha256: str | None = None, dest: Path | None = None) -> DirectPlan:
        if not _is_direct_url(source):
            raise InvalidRepoIdError(source, "not an https:// address")
        parts = urlsplit(source)
        name = PurePosixPath(unquote(parts.path)).name
        try:
            check_repo_path(name)
        except UnsafePathError:
            raise UnsafePathError(source, "the address does not end in a usable file name") from None
        if dest is None:
            dest = self.library_root / "direct" / (parts.hostname or "host") / name
        response = self._send("HEAD", source, allow_redirects=True)
        response.close()
        length = response.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else None
        digest = sha256.lower() if sha256 else None
        return DirectPlan(source, Path(dest), size, digest, self.library_root / STAGING_DIR_NAME)

    def download(
        self,
        plan: DirectPlan,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        cancel = cancel or threading.Event()
        label = plan.dest.name
        progress = ProgressAggregator(plan.url, [(label, plan.size or 0)], on_progress)
        progress.set_model_state(ModelState.DOWNLOADING)
        plan.staging_dir.mkdir(parents=True, exist_ok=True)
        part = plan.part_path
        offset = part.stat().st_size if part.exists() else 0
        if plan.size is not None:
            if offset > plan.size:
                part.unlink()
                offset = 0
            ensure_space(plan.size - offset, plan.staging_dir)
        progress.set_bytes(label, offset)
        progress.set_state(label, FileState.DOWNLOADING)
        try:
            self._fill(plan, part, offset, cancel, lambda n: progress.add_bytes(label, n))
            progress.set_state(label, FileState.VERIFYING)
            self._verify(plan, part)
        except DownloadCancelledError:
            progress.set_state(label, FileState.CANCELLED)
            progress.set_model_state(ModelState.CANCELLED)
            raise
        except HfGuiError as exc:
            progress.set_state(label, FileState.FAILED, str(exc))
            progress.set_model_state(ModelState.FAILED, str(exc))
            raise
        finally:
            progress.close()
        plan.dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, plan.dest)
        progress.set_state(label, FileState.DONE)
        progress.set_model_state(ModelState.INSTALLED)
        return plan.dest

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            # auth=NO_NETRC: no credentials of any kind go to a third-party host.
            response = self.session.request(method, url, auth=NO_NETRC, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            parts = urlsplit(url)
            raise NetworkError(f"{parts.scheme}://{parts.netloc}", type(exc).__name__) from exc
        if response.status_code >= 400:
            response.close()
            raise HubHTTPError(response.status_code, url.split("?", 1)[0])
        return response

    def _fill(
        self,
        plan: DirectPlan,
        part: Path,
        offset: int,
        cancel: threading.Event,
        on_bytes: Callable[[int], None],
    ) -> None:
        if plan.size is not None and offset == plan.size:
            return
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with self._send("GET", plan.url, headers=headers, stream=True) as response:
            if offset and response.status_code != 206:
                offset = 0  # the server ignored Range: start over
                on_bytes(-part.stat().st_size)
            with open(part, "r+b" if offset else "wb") as fh:
                fh.seek(offset)
                fh.truncate()
                try:
                    for chunk in response.iter_content(CHUNK):
                        if cancel.is_set():
                            raise DownloadCancelledError(f"Download of {plan.dest.name}")
                        fh.write(chunk)
                        on_bytes(len(chunk))
                except requests.RequestException as exc:  # dropped mid-body: the partial resumes next time
                    parts = urlsplit(plan.url)
                    raise NetworkError(f"{parts.scheme}://{parts.netloc}", type(exc).__name__) from exc

    def _verify(self, plan: DirectPlan, part: Path) -> None:
        actual = part.stat().st_size
        if plan.size is not None and actual != plan.size:
            raise SizeMismatchError(plan.dest.name, plan.size, actual)
        if plan.sha256:
            digest = hashlib.sha256()
            with open(part, "rb") as fh:
                for block in iter(lambda: fh.read(CHUNK), b""):
                    digest.update(block)
            if digest.hexdigest() != plan.sha256:
                part.unlink()  # never keep bytes known to be wrong
                raise ChecksumError(plan.dest.name, plan.sha256, digest.hexdigest())


# --- routing ---------------------------------------------------------------------------------------


class ProviderManager:
    """Picks the provider for a source: the Hub first (ids, hf://, Hub URLs), then plain https:// files."""

    def __init__(self, providers: Sequence[ModelProvider]) -> None:
        self.providers = list(providers)

    @classmethod
    def default(cls, client, library_root: Path, *, workers: int = 0) -> ProviderManager:
        return cls(
            [HuggingFaceProvider(client, library_root, workers=workers), DirectURLProvider(library_root)]
        )

    def provider_for(self, source: str) -> ModelProvider:
        for provider in self.providers:
            if provider.can_handle(source):
                return provider
        raise InvalidRepoIdError(
            source, "not a Hugging Face model (owner/name, Hub URL, hf://) or an https:// URL"
        )
