"""What one streamed response carries: whether its headers fit the bytes asked for, and its body in chunks."""

from __future__ import annotations

import http.client
import select
import socket
from collections.abc import Callable, Iterator

import requests
import urllib3

from hfgui.core.engine.file_task import FileTask
from hfgui.core.errors import StaleObjectError
from hfgui.core.wire.urls import host_of

CHUNK = 1024 * 1024
MIN_CAPPED_CHUNK = 16 * 1024  # smallest chunk under a bandwidth cap (one TLS record)
# What a dropped, reset or stalled connection raises while the body is read.
STREAM_ERRORS = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


class Interrupted(Exception):
    """The connection broke or stalled mid-body; resume from the current offset."""

    def __init__(self, detail: str, reason: str = "connection dropped") -> None:
        super().__init__(detail)
        self.reason = reason  # the few words progress shows while reconnecting


class RangeMismatch(Exception):
    """A 206 whose Content-Range or encoding does not fit what was asked; start over from zero."""


def body_start(response: requests.Response, task: FileTask, start: int, end: int | None) -> int:
    """Offset of the first body byte: `start` for a fitting 206, 0 for a 200 (server ignored Range).

    StaleObjectError when the headers announce a file of another size than the listing: refused
    before a byte of it is read.
    """
    if response.status_code == 200:
        length = response.headers.get("Content-Length", "").strip()
        if not _encoded(response) and length.isdigit() and int(length) != task.size:
            raise _stale(response, task, int(length))
        return 0
    if response.status_code != 206 or _encoded(response):
        raise RangeMismatch(f"HTTP {response.status_code} {response.headers.get('Content-Encoding', '')}")
    got = _parse_content_range(response.headers.get("Content-Range", ""))
    if got is not None and got[2] != task.size:
        raise _stale(response, task, got[2])
    want_end = (task.size - 1) if end is None else end
    if got != (start, want_end, task.size):
        raise RangeMismatch(f"Content-Range {response.headers.get('Content-Range')!r}")
    return start


def _stale(response: requests.Response, task: FileTask, served: int) -> StaleObjectError:
    return StaleObjectError(task.path, served, task.size, host_of(response.url or ""))


def read_chunks(
    response: requests.Response, limit: int, chunk_size: Callable[[], int], stall_timeout: float
) -> Iterator[bytes | memoryview]:
    """Up to `limit` body bytes (decoded if a server compressed them anyway); Interrupted on a break.

    A chunk gathers socket reads (a TLS read gives one 16 KiB record) up to `chunk_size()` bytes while
    more is already waiting, and is handed over as soon as nothing is: on a fast link chunks are large,
    on a slow one progress moves as bytes arrive, and no received byte waits on a silent socket.
    A chunk is only valid until the next one is asked for. Bytes that arrived before a break are
    handed over before Interrupted, so the resume starts after them.
    """
    decode = _encoded(response)
    # urllib3 2 returns what one socket read gives; urllib3 1 has no read1 and waits for `amt`.
    read_some = getattr(response.raw, "read1", None) or response.raw.read
    sock = _socket_of(response)
    buffer: memoryview | None = None  # made on first need: one read often fills a small file
    left = limit
    while left > 0:
        want = min(chunk_size(), left)
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
        except STREAM_ERRORS as exc:
            broken = exc
        if filled:
            left -= filled
            if first:
                yield first
            else:
                assert buffer is not None  # the pieces were copied into it
                yield buffer[:filled]
        if broken is not None:
            reason = f"no data for {stall_timeout:g} s" if _is_timeout(broken) else "connection dropped"
            raise Interrupted(f"{type(broken).__name__}: {broken}", reason) from broken
        if ended:
            return


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


def _encoded(response: requests.Response) -> bool:
    """Whether the body comes compressed (asked for identity, a server may send gzip anyway)."""
    return response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")


def _parse_content_range(value: str) -> tuple[int, int, int] | None:
    """`bytes 10-99/100` -> (10, 99, 100); None for anything else (including an unknown total `*`)."""
    unit, _, spec = value.strip().partition(" ")
    span, _, total = spec.partition("/")
    first, _, last = span.partition("-")
    if unit.lower() != "bytes" or not (first.isdigit() and last.isdigit() and total.isdigit()):
        return None
    return int(first), int(last), int(total)
