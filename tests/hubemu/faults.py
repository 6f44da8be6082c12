"""Fault injection: dropped connections, corrupt bytes, ignored ranges, error statuses, stalls, slow links."""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Fault:
    """One planned fault. `times=None` fires forever; `hits` counts how often it fired."""

    kind: str
    pattern: str
    times: int | None = 1
    host: str | None = None  # "hub", "cdn" or None for whichever host serves the matching request
    nbytes: int = 0  # drop_after / stall: body bytes sent before the fault; stale_object: its size
    offset: int = 0  # corrupt: file offset of the flipped byte
    code: int = 0  # status
    retry_after: int | str | None = None
    seconds: float = 0.0  # stall
    hits: int = 0

    def matches(self, host: str, file_path: str | None, url_path: str) -> bool:
        if self.host is not None and self.host != host:
            return False
        if self.pattern.startswith("/"):
            return fnmatch.fnmatchcase(url_path, self.pattern)
        return file_path is not None and (
            file_path == self.pattern or fnmatch.fnmatchcase(file_path, self.pattern)
        )


class FaultPlan:
    """Faults keyed by repo file path (or glob). A pattern starting with "/" matches the URL path instead,
    which lets `status()` hit API routes too (e.g. "/api/models/*")."""

    def __init__(self, expire_cdn_urls: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._expire = expire_cdn_urls
        self.gzip_text = False

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def drop_after(self, path: str, nbytes: int, times: int | None = 1, host: str | None = None) -> Fault:
        """Close the connection after sending `nbytes` of the body."""
        return self._add(Fault("drop_after", path, times, host, nbytes=nbytes))

    def corrupt(self, path: str, offset: int, times: int | None = 1, host: str | None = None) -> Fault:
        """Flip one byte at file offset `offset` (fires only on responses whose range covers it)."""
        return self._add(Fault("corrupt", path, times, host, offset=offset))

    def ignore_range(self, path: str, times: int | None = 1, host: str | None = None) -> Fault:
        """Answer a Range request with 200 and the full body."""
        return self._add(Fault("ignore_range", path, times, host))

    def status(
        self,
        path: str,
        code: int,
        times: int | None = 1,
        retry_after: int | str | None = None,
        host: str | None = "cdn",
    ) -> Fault:
        """Answer matching requests on `host` with `code` (e.g. 503, 429, 500) and a small text body."""
        return self._add(Fault("status", path, times, host, code=code, retry_after=retry_after))

    def stall(
        self, path: str, after_bytes: int, seconds: float, times: int | None = 1, host: str | None = None
    ) -> Fault:
        """Stop sending for `seconds` after `after_bytes` of the body, then carry on."""
        return self._add(Fault("stall", path, times, host, nbytes=after_bytes, seconds=seconds))

    def slow(
        self, path: str, piece: int, seconds: float, times: int | None = 1, host: str | None = None
    ) -> Fault:
        """A slow link: send the body `piece` bytes at a time with a pause of `seconds` after each."""
        return self._add(Fault("slow", path, times, host, nbytes=piece, seconds=seconds))

    def stale_object(self, path: str, size: int, times: int | None = 1, host: str | None = None) -> Fault:
        """Serve another version of the file, `size` bytes long (a stale mirror or cache): the content cut
        to `size` or padded with zeros, with Content-Length, Content-Range and 416s to match."""
        return self._add(Fault("stale_object", path, times, host, nbytes=size))

    def refuse_range(self, path: str, times: int | None = 1, host: str | None = None) -> Fault:
        """Answer a Range request with 416 although the range lies inside the file."""
        return self._add(Fault("refuse_range", path, times, host))

    def redirect_loop(self, path: str, times: int | None = None, host: str | None = None) -> Fault:
        """Answer matching requests with a 302 to the very same URL (a misconfigured mirror or proxy)."""
        return self._add(Fault("redirect_loop", path, times, host))

    def truncate_json(self, path: str, nbytes: int, times: int | None = 1) -> Fault:
        """Cut a Hub API JSON answer (pattern: URL path, e.g. "/api/models/*/tree/*") to its first `nbytes`
        bytes, sent with that Content-Length: a well-formed HTTP answer holding broken JSON."""
        return self._add(Fault("truncate_json", path, times, "hub", nbytes=nbytes))

    def expire_cdn_urls(self) -> None:
        """Every CDN URL issued so far is expired from now on (403 from the CDN)."""
        if self._expire is not None:
            self._expire()

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
        self.gzip_text = False

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return [f for f in self._faults if f.times is None or f.times > 0]

    def take(
        self,
        kind: str,
        host: str,
        file_path: str | None,
        url_path: str,
        accept: Callable[[Fault], bool] | None = None,
    ) -> Fault | None:
        """Consume and return the first live fault of `kind` matching this request, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.kind != kind or (fault.times is not None and fault.times <= 0):
                    continue
                if not fault.matches(host, file_path, url_path) or (accept is not None and not accept(fault)):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                fault.hits += 1
                return fault
        return None
