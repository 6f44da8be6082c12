"""Download one file from the Hub: resumable across drops and restarts, verified, installed atomically.

Wire behaviour follows docs hub-protocol.md §2.5/§10: GET the commit-pinned resolve URL with
``Accept-Encoding: identity``, follow redirects one hop at a time (Authorization only for the Hub host),
resume with ``Range: bytes=N-``, and check the result against the etag (sha256 or git blob sha1).
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import itertools
import os
import select
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from hfgui.core.engine import segments
from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.engine.segment_growth import ConnectionGrowth
from hfgui.core.engine.segment_runner import ConnectionBudget, SegmentRunner
from hfgui.core.errors import (
    ChecksumError,
    DownloadCancelledError,
    HfGuiError,
    HubHTTPError,
    InsufficientSpaceError,
    NetworkError,
    RangeRefusedError,
    RedirectLoopError,
    StaleObjectError,
)
from hfgui.core.store import partials
from hfgui.core.store.durable import sync_data
from hfgui.core.store.hashing import StreamHasher, normalize_etag
from hfgui.core.store.partials import Sidecar
from hfgui.core.types import RetryNotice
from hfgui.core.wire.hub import refuse_downgrade
from hfgui.core.wire.urls import host_of

if TYPE_CHECKING:
    from hfgui.core.engine.bandwidth import BandwidthLimiter
    from hfgui.core.wire.hub import HubClient

CHUNK = 1024 * 1024
MIN_CAPPED_CHUNK = 16 * 1024  # smallest chunk under a bandwidth cap (one TLS record)
# Consecutive failed reconnects before giving up; any byte received resets the count.
MAX_CONSECUTIVE_FAILURES = 5
MAX_REDIRECTS = 10
# Reconnect when no byte arrives for this long (Settings.stall_timeout_seconds; huggingface_hub uses 10 s).
DEFAULT_STALL_TIMEOUT = 10.0
# Smaller files get a resume sidecar only when they stop early: refetching at most this much after a
# crash is cheaper than writing bookkeeping for every small file of a many-file model.
RESUMABLE_MIN_SIZE = 1024 * 1024
WRITEBACK_WINDOW = 64 * 1024 * 1024  # see _start_writeback
CANCEL_POLL = 0.2  # seconds between checks of the cancel event while a read may be blocked
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What an expired or revoked signed CDN URL answers.
_STALE_STATUSES = frozenset({403, 404, 410})
# Failures that say the server's copy is not the file the Hub lists: nothing of it is worth keeping.
_WRONG_OBJECT = (ChecksumError, StaleObjectError, RangeRefusedError)
_NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
# What a dropped, reset or stalled connection raises while the body is read.
_STREAM_ERRORS = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


@dataclass(frozen=True)
class FileTask:
    """One file to fetch, pinned to a commit; size and etag come from the tree listing (no HEAD per file)."""

    repo_id: str
    commit: str
    path: str
    size: int
    etag: str  # sha256 (64 hex) for LFS files, git blob sha1 (40 hex) otherwise
    url: str  # resolve URL pinned to `commit` (urls.resolve_url)
    dest: Path

    @property
    def partial_key(self) -> str:
        return partials.partial_key(self.repo_id, self.path, normalize_etag(self.etag))


def download_file(
    client: HubClient,
    task: FileTask,
    staging_dir: Path,
    *,
    cancel: threading.Event,
    on_bytes: Callable[[int], None] | None = None,
    segments: int = 0,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
    limiter: BandwidthLimiter | None = None,
    sync_dir: bool = True,
    on_retry: Callable[[RetryNotice], None] | None = None,
    budget: ConnectionBudget | None = None,
    sync_data: bool = True,
) -> Path:
    """Fetch `task` into `task.dest` through a resumable partial in `staging_dir`; returns `task.dest`.

    `staging_dir` must be on the same filesystem as the destination (the final step is a rename).
    `on_bytes(n)` is called on the calling thread; the running sum of its values is always the number
    of bytes in the partial, so a resumed partial is reported once at the start and a restart from zero
    reports a negative value. Raises ChecksumError (twice wrong, nothing kept), DownloadCancelledError and
    InsufficientSpaceError (partial kept for a later resume), NetworkError and the Hub client's errors.
    `limiter` (shared by all workers of a run) caps the bandwidth; each chunk waits for its share.
    `sync_dir=False` leaves making the final rename durable to the caller (a many-file download syncs
    each folder once, before it records the model as installed); `sync_data=False` also leaves the
    file's content to the caller to make durable (it must before it records the file as verified).
    `on_retry(notice)` is told, on the calling thread (or a segment's), each time the transfer starts
    waiting to reconnect (a drop, a stall of `stall_timeout` seconds, a 5xx); the next byte ends it.
    A server whose copy has another size than the listing (StaleObjectError) or that refuses to resume
    inside it twice (RangeRefusedError) fails the file without keeping anything of it.
    `segments`: ranged connections for a file of at least segments.SEGMENT_MIN_SIZE: 0 = adaptive (one
    first, more while they raise the rate, see segment_growth.py), 1 = one stream, N = N. `budget` caps
    the extra connections all files of a run hold together.
    """
    job = _FileDownload(
        client, task, Path(staging_dir), cancel, on_bytes, max(0, segments), stall_timeout, limiter, on_retry
    )
    job.sync_dir = sync_dir
    job.sync_data = sync_data
    job.budget = budget
    return job.run()


class _Interrupted(Exception):
    """The connection broke or stalled mid-body; resume from the current offset."""

    def __init__(self, detail: str, reason: str = "connection dropped") -> None:
        super().__init__(detail)
        self.reason = reason  # the few words progress shows while reconnecting


class _RangeRefused(Exception):
    """HTTP 416 to a Range inside the listed size: the server's copy is shorter than the listing."""


class _RangeMismatch(Exception):
    """A 206 whose Content-Range or encoding does not fit what was asked; start over from zero."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Source:
    """Opens ranged GETs for one file: redirects hop by hop, remembers the final location for resumes."""

    def __init__(
        self,
        client: HubClient,
        task: FileTask,
        cancel: threading.Event,
        stall_timeout: float,
        limiter: BandwidthLimiter | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        # The client's own retries (a 503, a refused connection) are reported like the stream's.
        self._client = _with_read_timeout(client, stall_timeout, cancel).listening(on_retry)
        self._on_retry = on_retry
        self._stall_timeout = stall_timeout
        self._limiter = limiter
        self._task = task
        self._cancel = cancel
        self._hub_origin = _origin(client.endpoint)
        # Where the bytes came from last time (signed CDN URL or resolve-cache URL); reused until it fails.
        self._location: str | None = None
        self._open_responses: set[requests.Response] = set()
        self._open_lock = threading.Lock()

    def open(self, start: int, end: int | None = None) -> requests.Response:
        """GET bytes [start, end] (end inclusive, None = to the end); no Range header for the whole file."""
        cached = self._location is not None
        retried = False
        url = self._location or self._task.url
        for _hop in range(MAX_REDIRECTS):
            headers = {"Accept-Encoding": "identity", **self._client.auth_headers_for(url)}
            ranged = start > 0 or end is not None
            if ranged:
                headers["Range"] = f"bytes={start}-{'' if end is None else end}"
            try:
                response = self._get(url, headers, accept=(416,) if ranged else ())
            except HubHTTPError as exc:
                if retried or not (cached or (exc.status in _STALE_STATUSES and url != self._task.url)):
                    raise
                # A remembered or signed location went stale (CDN URL expired): resolve again from the Hub.
                self._location = None
                retried = True
                url = self._task.url
                continue
            if response.status_code in _REDIRECT_STATUSES:
                location = response.headers.get("Location")
                response.close()
                if not location:
                    raise HubHTTPError(response.status_code, url, "redirect without a Location")
                target = urljoin(url, location)
                refuse_downgrade(url, target)
                url = target
                continue
            if response.status_code == 416:
                response.close()
                raise _RangeRefused(url)
            if url != self._task.url:
                self._location = url
            with self._open_lock:
                self._open_responses.add(response)
            return response
        raise RedirectLoopError(MAX_REDIRECTS, host_of(url))

    def release(self, response: requests.Response) -> None:
        with self._open_lock:
            self._open_responses.discard(response)
        response.close()

    def interrupt(self) -> None:
        """Wake every read blocked on a silent socket (cancel must not wait for the stall timeout)."""
        with self._open_lock:
            responses = list(self._open_responses)
        for response in responses:
            sock = getattr(getattr(response.raw, "connection", None), "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _get(self, url: str, headers: dict[str, str], accept: tuple[int, ...] = ()) -> requests.Response:
        on_hub = _origin(url) == self._hub_origin
        return self._client.request(
            "GET",
            url,
            headers=headers,
            stream=True,
            allow_redirects=False,
            accept=accept,
            repo_id=self._task.repo_id if on_hub else None,
            revision=self._task.commit if on_hub else None,
            path=self._task.path if on_hub else None,
        )

    def body_start(self, response: requests.Response, start: int, end: int | None) -> int:
        """Offset of the first body byte: `start` for a fitting 206, 0 for a 200 (server ignored Range).

        StaleObjectError when the headers announce a file of another size than the listing: refused
        before a byte of it is read.
        """
        if response.status_code == 200:
            length = response.headers.get("Content-Length", "").strip()
            if not _encoded(response) and length.isdigit() and int(length) != self._task.size:
                raise self._stale(response, int(length))
            return 0
        if response.status_code != 206 or _encoded(response):
            raise _RangeMismatch(
                f"HTTP {response.status_code} {response.headers.get('Content-Encoding', '')}"
            )
        got = _parse_content_range(response.headers.get("Content-Range", ""))
        if got is not None and got[2] != self._task.size:
            raise self._stale(response, got[2])
        want_end = (self._task.size - 1) if end is None else end
        if got != (start, want_end, self._task.size):
            raise _RangeMismatch(f"Content-Range {response.headers.get('Content-Range')!r}")
        return start

    def _stale(self, response: requests.Response, served: int) -> StaleObjectError:
        return StaleObjectError(self._task.path, served, self._task.size, host_of(response.url or ""))

    def read_chunks(self, response: requests.Response, limit: int) -> Iterator[bytes | memoryview]:
        """Up to `limit` body bytes (decoded if a server compressed them anyway); _Interrupted on a break.

        A chunk gathers socket reads (a TLS read gives one 16 KiB record) up to CHUNK bytes while more
        is already waiting, and is handed over as soon as nothing is: on a fast link chunks are large,
        on a slow one progress moves as bytes arrive, and no received byte waits on a silent socket.
        A chunk is only valid until the next one is asked for. Bytes that arrived before a break are
        handed over before _Interrupted, so the resume starts after them.
        """
        decode = _encoded(response)
        # urllib3 2 returns what one socket read gives; urllib3 1 has no read1 and waits for `amt`.
        read_some = getattr(response.raw, "read1", None) or response.raw.read
        sock = _socket_of(response)
        buffer: memoryview | None = None  # made on first need: one read often fills a small file
        left = limit
        while left > 0:
            want = min(self._chunk_size(), left)
            first: bytes = b""
            filled = 0
            ended = False
            broken: BaseException | None = None
            try:
                while filled < want:
                    piece = read_some(want - filled, decode_content=decode)
                    if not piece:
                        ended = True
                        break
                    if not filled and len(piece) == want:
                        first, filled = piece, want  # one read filled it: no copy
                        break
                    if buffer is None:
                        buffer = memoryview(bytearray(min(CHUNK, limit)))
                    buffer[filled : filled + len(piece)] = piece
                    filled += len(piece)
                    if filled < want and not _more_waiting(sock):
                        break
            except _STREAM_ERRORS as exc:
                broken = exc
            if filled:
                left -= filled
                if first:
                    yield first
                else:
                    assert buffer is not None  # the pieces were copied into it
                    yield buffer[:filled]
            if broken is not None:
                reason = (
                    f"no data for {self._stall_timeout:g} s" if _is_timeout(broken) else "connection dropped"
                )
                raise _Interrupted(f"{type(broken).__name__}: {broken}", reason) from broken
            if ended:
                return

    def _chunk_size(self) -> int:
        """CHUNK, or under a bandwidth cap about an eighth of a second's worth: the cap is paid per
        chunk, and 1 MiB at 1 MB/s would move progress (and answer Pause) once a second."""
        rate = self._limiter.rate if self._limiter is not None else 0
        return CHUNK if rate <= 0 else max(MIN_CAPPED_CHUNK, min(CHUNK, rate // 8))

    def pause_before_retry(self, failures: int, interrupted: _Interrupted, url: str) -> None:
        """Back off after a broken stream (telling on_retry first), or give up with NetworkError once
        the budget is spent."""
        detail = str(interrupted)
        if failures >= MAX_CONSECUTIVE_FAILURES:
            timed_out = "timed out" in detail.lower() or "timeout" in detail.lower()
            raise NetworkError(_origin(url), detail, timed_out=timed_out)
        delay = min(4.0, 0.25 * 2 ** (failures - 1))
        if self._on_retry is not None:
            attempt = failures + 1
            host = _origin(url)
            self._on_retry(RetryNotice(interrupted.reason, attempt, MAX_CONSECUTIVE_FAILURES, delay, host))
        self._cancel.wait(delay)

    def stream_range(self, start: int, end: int, should_stop: Callable[[], bool]) -> Iterator[bytes]:
        """Bytes [start, end) in order over as many strict 206 responses as it takes (used by segments)."""
        pos = start
        failures = 0
        while pos < end and not should_stop():
            try:
                response = self.open(pos, end - 1)
            except _RangeRefused:
                raise segments.RangesUnsupportedError("HTTP 416 for a Range inside the file") from None
            try:
                try:
                    # Strictly a 206: a 200 (even from 0) says the server ignores ranges, and the
                    # other connections of the file would then get the whole file each.
                    if self.body_start(response, pos, end - 1) != pos or response.status_code != 206:
                        raise segments.RangesUnsupportedError(
                            f"HTTP {response.status_code} for a Range request"
                        )
                except _RangeMismatch as exc:
                    raise segments.RangesUnsupportedError(str(exc)) from None
                for chunk in self.read_chunks(response, end - pos):
                    failures = 0
                    pos += len(chunk)
                    yield chunk
                    if should_stop():
                        return
                if pos < end:
                    raise _Interrupted("the connection closed before the range was complete")
            except _Interrupted as exc:
                failures += 1
                self.pause_before_retry(failures, exc, response.url or self._task.url)
            finally:
                self.release(response)


def _is_timeout(exc: BaseException) -> bool:
    """A read that waited the whole stall timeout without a byte (urllib3 wraps socket.timeout)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (TimeoutError, urllib3.exceptions.TimeoutError, requests.Timeout)):
            return True
        current = current.__cause__ or current.__context__
    return "timed out" in str(exc).lower()


class _CancelWatch:
    """One thread for all running downloads: a cancelled download's blocked reads are woken at once.

    A read on a silent socket only returns at the stall timeout; Pause must not wait that long. One
    shared thread instead of one per file: a model of thousands of small files would otherwise start
    thousands of threads that each wake five times a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[threading.Event, _Source]] = {}
        self._keys = itertools.count()
        self._running = False

    def add(self, cancel: threading.Event, source: _Source) -> int:
        with self._lock:
            key = next(self._keys)
            self._watched[key] = (cancel, source)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="hfgui-cancel", daemon=True).start()
        return key

    def remove(self, key: int) -> None:
        with self._lock:
            self._watched.pop(key, None)

    def _run(self) -> None:
        while True:
            time.sleep(CANCEL_POLL)
            with self._lock:
                if not self._watched:
                    self._running = False  # add() starts a new thread when needed
                    return
                fired = [key for key, (cancel, _) in self._watched.items() if cancel.is_set()]
                sources = [self._watched.pop(key)[1] for key in fired]
            for source in sources:
                source.interrupt()


_CANCEL_WATCH = _CancelWatch()


def _socket_of(response: requests.Response) -> socket.socket | None:
    """The socket a streamed response reads from, or None when it cannot be reached."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:  # a "Connection: close" response: http.client handed the socket to the response
        reader = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _more_waiting(sock: socket.socket | None) -> bool:
    """Whether a read on `sock` would return at once (TLS bytes already decrypted, or some in the kernel)."""
    if sock is None:
        return False
    try:
        pending = getattr(sock, "pending", None)
        if pending is not None and pending() > 0:
            return True
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError, TypeError):  # closed, or a wrapper select cannot watch
        return False


def _with_read_timeout(client: HubClient, seconds: float, cancel: threading.Event) -> HubClient:
    """The same client whose read timeout is the stall timeout and whose retry waits end at a cancel.

    A socket that delivers no byte for `seconds` then raises, and the resume logic reconnects.
    """
    clone = client.cancellable(cancel)
    clone.timeout = (client.timeout[0], seconds)
    return clone


def _encoded(response: requests.Response) -> bool:
    return response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")


def _parse_content_range(value: str) -> tuple[int, int, int] | None:
    """`bytes 10-99/100` -> (10, 99, 100); None for anything else (including an unknown total `*`)."""
    unit, _, spec = value.strip().partition(" ")
    span, _, total = spec.partition("/")
    first, _, last = span.partition("-")
    if unit.lower() != "bytes" or not (first.isdigit() and last.isdigit() and total.isdigit()):
        return None
    return int(first), int(last), int(total)


def _disk_free(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


class _FileDownload:
    """State of one download_file call."""

    def __init__(
        self,
        client: HubClient,
        task: FileTask,
        staging_dir: Path,
        cancel: threading.Event,
        on_bytes: Callable[[int], None] | None,
        segment_count: int,
        stall_timeout: float,
        limiter: BandwidthLimiter | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        self.task = task
        self.sync_dir = True
        self.sync_data = True
        self.budget: ConnectionBudget | None = None
        self.reported = 0  # running sum of on_bytes: always the bytes the partial holds
        self.limiter = limiter
        self.etag = normalize_etag(task.etag)
        self.staging_dir = staging_dir
        self.cancel = cancel
        self._on_bytes = on_bytes
        self.segment_count = segment_count
        self.source = _Source(client, task, cancel, stall_timeout, limiter, on_retry)
        key = task.partial_key
        self.part_path = partials.part_path(staging_dir, key)
        self.sidecar_path = partials.sidecar_path(staging_dir, key)
        self.fresh_sidecar = Sidecar(
            url=task.url,
            repo_id=task.repo_id,
            commit=task.commit,
            path=task.path,
            etag=self.etag,
            size=task.size,
        )
        StreamHasher.for_etag(self.etag, task.size)  # fail early on an etag we cannot check

    # -- bookkeeping ---------------------------------------------------------------------------------

    def report(self, n: int) -> None:
        self.reported += n
        if n and self._on_bytes is not None:
            self._on_bytes(n)

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise DownloadCancelledError(f"Download of {self.task.path}")

    def write(self, fd: int, data: bytes, offset: int) -> None:
        try:
            partials.write_at(fd, data, offset)
        except OSError as exc:
            if exc.errno in _NO_SPACE_ERRNOS:
                raise self.no_space(offset) from None
            raise
        self.throttle(len(data))

    def throttle(self, n: int) -> None:
        """Wait for the bandwidth cap after each chunk (already written, so never raise here); a cancel
        ends the wait and the reading loop then stops."""
        if self.limiter is not None:
            self.limiter.acquire(n, self.cancel)

    def no_space(self, offset: int) -> InsufficientSpaceError:
        return InsufficientSpaceError(
            max(self.task.size - offset, 0), _disk_free(self.staging_dir), str(self.staging_dir)
        )

    def save_sidecar(self, sidecar: Sidecar, *, force: bool = False) -> None:
        if not force and self.task.size < RESUMABLE_MIN_SIZE and sidecar.segments is None:
            return  # written only if the download stops early (keep_for_resume)
        try:
            partials.write_sidecar(self.sidecar_path, sidecar)
        except OSError as exc:
            if exc.errno in _NO_SPACE_ERRNOS:
                raise self.no_space(0) from None
            raise

    def restart_from_zero(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        self.report(-self.reported)  # exactly what was reported, whatever the partial held
        self.save_sidecar(self.fresh_sidecar)

    # -- main flow ------------------------------------------------------------------------------------

    def run(self) -> Path:
        self.check_cancel()
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.part_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        watch = _CANCEL_WATCH.add(self.cancel, self.source)
        try:
            _lock_or_fail(fd, self.task.path)
            try:
                self.fill_and_verify(fd)
            except _WRONG_OBJECT:
                os.close(fd)
                fd = -1
                partials.remove_partial(self.staging_dir, self.task.partial_key)
                raise
            except HfGuiError:
                if os.fstat(fd).st_size == 0:  # nothing worth resuming: leave no empty partial behind
                    os.close(fd)
                    fd = -1
                    partials.remove_partial(self.staging_dir, self.task.partial_key)
                else:
                    self.keep_for_resume(fd)
                raise
            if self.sync_data:
                sync_data(fd)
            if os.name == "nt":  # Windows cannot rename an open file
                os.close(fd)
                fd = -1
            self.install()
        finally:
            _CANCEL_WATCH.remove(watch)
            if fd >= 0:
                os.close(fd)
        return self.task.dest

    def fill_and_verify(self, fd: int) -> None:
        """Complete the partial and check its hash; one retry from zero after a mismatch."""
        sidecar = self.load_partial(fd)
        actual = ""
        for attempt in range(2):
            actual = self.fill(fd, sidecar, allow_segments=attempt == 0)
            if actual == self.etag:
                return
            self.restart_from_zero(fd)
            sidecar = self.fresh_sidecar
        raise ChecksumError(self.task.path, self.etag, actual)

    def keep_for_resume(self, fd: int) -> None:
        """A small file's sidecar is written only now, when it stops early with bytes worth keeping."""
        if self.task.size >= RESUMABLE_MIN_SIZE:
            return
        with contextlib.suppress(OSError, HfGuiError):
            if os.fstat(fd).st_size > 0:
                self.save_sidecar(self.fresh_sidecar, force=True)

    def load_partial(self, fd: int) -> Sidecar:
        """Resume what an earlier run left if it is the same file version; otherwise start clean."""
        on_disk = os.fstat(fd).st_size
        previous = partials.read_sidecar(self.sidecar_path)
        usable = (
            previous is not None
            and (previous.repo_id, previous.path, previous.etag, previous.size)
            == (self.task.repo_id, self.task.path, self.etag, self.task.size)
            and (on_disk <= self.task.size if previous.segments is None else on_disk == self.task.size)
        )
        if not usable:
            if on_disk:
                os.ftruncate(fd, 0)
            self.save_sidecar(self.fresh_sidecar)
            return self.fresh_sidecar
        assert previous is not None
        sidecar = replace(previous, url=self.task.url, commit=self.task.commit)
        self.report(on_disk if sidecar.segments is None else sum(s.done - s.start for s in sidecar.segments))
        return sidecar

    def fill(self, fd: int, sidecar: Sidecar, *, allow_segments: bool) -> str:
        """Bring the partial to full size; returns the hex digest of its content."""
        size = self.task.size
        offset = os.fstat(fd).st_size
        wants_segments = allow_segments and self.segment_count != 1 and size >= segments.SEGMENT_MIN_SIZE
        if sidecar.segments is not None or wants_segments:
            try:
                return self.fill_segmented(fd, sidecar)
            except segments.RangesUnsupportedError:
                self.restart_from_zero(fd)
                offset = 0
        return self.fill_single(fd, offset)

    def fill_single(self, fd: int, offset: int) -> str:
        # Hashed inline, chunk by chunk while it is still in the CPU cache: sha256 runs at ~2 GB/s a
        # core, so a helper thread buys nothing below 10 Gbit/s and costs CPU, memory and GIL turns.
        hasher = StreamHasher.for_etag(self.etag, self.task.size)
        if offset:
            hasher.update_from_fd(fd, 0, offset)
        return self._stream_into(fd, offset, hasher)

    def _stream_into(self, fd: int, offset: int, hasher: StreamHasher) -> str:
        size = self.task.size
        failures = 0
        # Only bytes beyond the furthest point reached reset the failure budget: a server that
        # ignores Range and drops at the same place each time would otherwise loop for ever.
        furthest = offset
        whole_file = False  # set after a 206 that did not fit: ask without Range from then on
        refused_once = False  # a 416 inside the file: started over from zero once already
        while offset < size:
            self.check_cancel()
            start = 0 if whole_file else offset
            try:
                response = self.source.open(start)
            except _RangeRefused as exc:
                if refused_once:
                    raise RangeRefusedError(self.task.path, start, size, host_of(str(exc))) from None
                refused_once = True
                self.restart_from_zero(fd)
                offset = 0
                hasher = StreamHasher.for_etag(self.etag, size)
                continue
            try:
                try:
                    body_at = self.source.body_start(response, start, None)
                except _RangeMismatch as exc:
                    # A range we cannot use (wrong span, or compressed): ask for the whole file.
                    whole_file = True
                    self.restart_from_zero(fd)
                    offset = 0
                    hasher = StreamHasher.for_etag(self.etag, size)
                    raise _Interrupted(str(exc), "range not served; starting over") from None
                if body_at != offset:  # 200 to a Range request: the server sends the whole file again
                    self.restart_from_zero(fd)
                    offset = 0
                    hasher = StreamHasher.for_etag(self.etag, size)
                for chunk in self.source.read_chunks(response, size - offset):
                    self.check_cancel()
                    self.write(fd, chunk, offset)
                    hasher.update(chunk)
                    offset += len(chunk)
                    if offset % WRITEBACK_WINDOW < len(chunk):  # crossed into a new window
                        _start_writeback(fd, offset - offset % WRITEBACK_WINDOW - WRITEBACK_WINDOW)
                    if offset > furthest:
                        furthest = offset
                        failures = 0
                    self.report(len(chunk))
                if offset < size:
                    raise _Interrupted("the connection closed before the file was complete")
            except _Interrupted as exc:
                failures += 1
                self.source.pause_before_retry(failures, exc, response.url or self.task.url)
            finally:
                self.source.release(response)
        return hasher.hexdigest()

    def fill_segmented(self, fd: int, sidecar: Sidecar) -> str:
        """Fetch the file over ranged connections (segment_runner.py), hashing it as its prefix grows.

        A single-stream partial continues as the first segment; a segmented one continues every
        segment where it stopped, with as many connections as it has unfinished segments.
        """
        size = self.task.size
        if sidecar.segments is None:
            done = os.fstat(fd).st_size
            _preallocate(fd, size, self)
            sidecar = replace(sidecar, segments=(partials.Segment(0, size, done),))
            self.save_sidecar(sidecar)
        base = sidecar
        table = segments.SegmentTable(size, sidecar.segments)
        runner = SegmentRunner(
            self.source,
            table,
            write_at=lambda offset, data: self.write(fd, data, offset),
            save=lambda segs: self.save_sidecar(replace(base, segments=segs)),
            hasher=PrefixHasher(StreamHasher.for_etag(self.etag, size), fd, on_hashed=_writeback_behind(fd)),
            growth=self._growth(size, table),
            cancel=self.cancel,
            on_bytes=self.report,
            budget=self.budget,
        )
        try:
            runner.run()
        finally:
            # Whatever happened, the reported total must equal the bytes the segments hold on disk.
            held = table.done_bytes()
            if held != self.reported:
                self.report(held - self.reported)
        if not table.complete():
            self.check_cancel()
            raise NetworkError(_origin(self.task.url), "a segment stopped before it was complete")
        return runner.hasher.hexdigest()

    def _growth(self, size: int, table: segments.SegmentTable) -> ConnectionGrowth:
        """Adaptive from one connection; or as many as a resumed layout has segments to continue; or the
        count the user fixed."""
        if self.segment_count > 0:
            return ConnectionGrowth(self.segment_count, start=self.segment_count, fixed=True)
        maximum = segments.max_connections(size)
        return ConnectionGrowth(maximum, start=min(maximum, max(1, table.started_count())))

    def install(self) -> None:
        dest = self.task.dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(self.part_path, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            _copy_across_filesystems(self.part_path, dest)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.sidecar_path)
        if self.sync_dir:
            fsync_dir(dest.parent)


def _preallocate(fd: int, size: int, job: _FileDownload) -> None:
    """Reserve the whole file up front so a full disk shows before any byte is fetched."""
    try:
        if hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, size)
            return
    except OSError as exc:
        if exc.errno in _NO_SPACE_ERRNOS:
            os.ftruncate(fd, 0)
            raise job.no_space(0) from None
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise
    os.ftruncate(fd, size)


def _lock_or_fail(fd: int, path: str) -> None:
    """One writer per partial: a second hfgui (window and CLI at once) must not interleave bytes."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; the hash check still catches a mix-up
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise HfGuiError(
            f"'{path}' is already being downloaded by another hfgui window or process.",
            "Wait for that download to finish, or stop it, then try again.",
        ) from None


def _copy_across_filesystems(source: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.hfgui-tmp")
    try:
        with open(source, "rb") as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK * 8)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.unlink(source)


def _start_writeback(fd: int, start: int) -> None:
    """Hand the window just completed to the disk, and drop the one before it from the page cache.

    Linux starts writeback of dirty pages on DONTNEED but can only drop clean ones, so each window is
    advised twice: once to start its writeback, and one window later, when it is on disk, to drop it.
    The final fdatasync then has little left to wait for, and a multi-GiB download neither pushes
    everything else out of the page cache nor makes the kernel find fresh pages for every window
    (it reuses the ones just dropped). The hash never reads these pages back.
    """
    if start < 0 or not hasattr(os, "posix_fadvise"):
        return
    with contextlib.suppress(OSError):
        os.posix_fadvise(fd, start, WRITEBACK_WINDOW, os.POSIX_FADV_DONTNEED)
        if start >= WRITEBACK_WINDOW:
            os.posix_fadvise(fd, start - WRITEBACK_WINDOW, WRITEBACK_WINDOW, os.POSIX_FADV_DONTNEED)


def _writeback_behind(fd: int) -> Callable[[int], None]:
    """For the prefix hasher: each WRITEBACK_WINDOW it has hashed goes to the disk (see _start_writeback);
    bytes ahead of it stay cached until it reads them back."""
    passed = [0]

    def on_hashed(upto: int) -> None:
        while upto - passed[0] >= WRITEBACK_WINDOW:
            _start_writeback(fd, passed[0])
            passed[0] += WRITEBACK_WINDOW

    return on_hashed


def fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless to skip where directories cannot be opened."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
