"""Where one file's bytes come from: ranged GETs through redirects, and backing off after a drop or stall.

Wire behaviour follows docs hub-protocol.md §2.5/§10: GET the commit-pinned resolve URL with
``Accept-Encoding: identity``, follow redirects one hop at a time (Authorization only for the Hub host)
and resume with ``Range: bytes=N-``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests

from hfgui.core.engine import segments
from hfgui.core.engine.file_task import FileTask
from hfgui.core.engine.response_body import (
    CHUNK,
    MIN_CAPPED_CHUNK,
    Interrupted,
    RangeMismatch,
    body_start,
    read_chunks,
)
from hfgui.core.errors import HubHTTPError, NetworkError, RedirectLoopError
from hfgui.core.types import RetryNotice
from hfgui.core.wire.hub import refuse_downgrade
from hfgui.core.wire.urls import host_of

if TYPE_CHECKING:
    from hfgui.core.engine.bandwidth import BandwidthLimiter
    from hfgui.core.wire.hub import HubClient

# Consecutive failed reconnects before giving up; any byte received resets the count.
MAX_CONSECUTIVE_FAILURES = 5
MAX_REDIRECTS = 10
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# What an expired or revoked signed CDN URL answers.
_STALE_STATUSES = frozenset({403, 404, 410})


class RangeRefused(Exception):
    """HTTP 416 to a Range inside the listed size: the server's copy is shorter than the listing."""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class FileSource:
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
        self._hub_origin = origin(client.endpoint)
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
                raise RangeRefused(url)
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
        on_hub = origin(url) == self._hub_origin
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
        """See response_body.body_start: where the body starts, or why it cannot be used."""
        return body_start(response, self._task, start, end)

    def read_chunks(self, response: requests.Response, limit: int) -> Iterator[bytes | memoryview]:
        """Up to `limit` body bytes, gathered as they arrive (response_body.read_chunks)."""
        return read_chunks(response, limit, self._chunk_size, self._stall_timeout)

    def _chunk_size(self) -> int:
        """CHUNK, or under a bandwidth cap about an eighth of a second's worth: the cap is paid per
        chunk, and 1 MiB at 1 MB/s would move progress (and answer Pause) once a second."""
        rate = self._limiter.rate if self._limiter is not None else 0
        return CHUNK if rate <= 0 else max(MIN_CAPPED_CHUNK, min(CHUNK, rate // 8))

    def pause_before_retry(self, failures: int, interrupted: Interrupted, url: str) -> None:
        """Back off after a broken stream (telling on_retry first), or give up with NetworkError once
        the budget is spent."""
        detail = str(interrupted)
        if failures >= MAX_CONSECUTIVE_FAILURES:
            timed_out = "timed out" in detail.lower() or "timeout" in detail.lower()
            raise NetworkError(origin(url), detail, timed_out=timed_out)
        delay = min(4.0, 0.25 * 2 ** (failures - 1))
        if self._on_retry is not None:
            attempt = failures + 1
            host = origin(url)
            self._on_retry(RetryNotice(interrupted.reason, attempt, MAX_CONSECUTIVE_FAILURES, delay, host))
        self._cancel.wait(delay)

    def stream_range(self, start: int, end: int, should_stop: Callable[[], bool]) -> Iterator[bytes]:
        """Bytes [start, end) in order over as many strict 206 responses as it takes (used by segments)."""
        pos = start
        failures = 0
        while pos < end and not should_stop():
            try:
                response = self.open(pos, end - 1)
            except RangeRefused:
                raise segments.RangesUnsupportedError("HTTP 416 for a Range inside the file") from None
            try:
                try:
                    # Strictly a 206: a 200 (even from 0) says the server ignores ranges, and the
                    # other connections of the file would then get the whole file each.
                    if self.body_start(response, pos, end - 1) != pos or response.status_code != 206:
                        raise segments.RangesUnsupportedError(
                            f"HTTP {response.status_code} for a Range request"
                        )
                except RangeMismatch as exc:
                    raise segments.RangesUnsupportedError(str(exc)) from None
                for chunk in self.read_chunks(response, end - pos):
                    failures = 0
                    pos += len(chunk)
                    yield chunk
                    if should_stop():
                        return
                if pos < end:
                    raise Interrupted("the connection closed before the range was complete")
            except Interrupted as exc:
                failures += 1
                self.pause_before_retry(failures, exc, response.url or self._task.url)
            finally:
                self.release(response)


def _with_read_timeout(client: HubClient, seconds: float, cancel: threading.Event) -> HubClient:
    """The same client whose read timeout is the stall timeout and whose retry waits end at a cancel.

    A socket that delivers no byte for `seconds` then raises, and the resume logic reconnects.
    """
    clone = client.cancellable(cancel)
    clone.timeout = (client.timeout[0], seconds)
    return clone
