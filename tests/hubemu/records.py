"""Small value types of the emulator: users, the request log and a case-insensitive header dict."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs


class Headers(dict):
    """Request headers; lookups ignore case (httpx sends lowercase names, requests and curl do not)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        for name, value in items:
            self[name] = value

    def _find(self, name: str) -> str | None:
        lowered = name.lower()
        for key in dict.keys(self):
            if key.lower() == lowered:
                return key
        return None

    def __getitem__(self, name: str) -> str:
        key = self._find(name)
        if key is None:
            raise KeyError(name)
        return dict.__getitem__(self, key)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        key = self._find(name)
        return default if key is None else dict.__getitem__(self, key)


@dataclass
class RequestRecord:
    """One request as the emulator saw it. `path` is the raw (still percent-encoded) path without the query;
    `query` the raw query string. `status` is set when the status line is sent, `bytes_sent` counts body bytes
    (updated before each write, so it is final by the time the client has read the body).
    `connection` tells kept-alive requests from new ones; `in_flight`, how many a client had open at once.
    """

    host: str  # "hub" or "cdn"
    method: str
    path: str
    query: str
    headers: Headers
    status: int = 0
    bytes_sent: int = 0
    connection: int = 0  # serial of the TCP connection it came on (per emulator, both hosts)
    in_flight: int = 0  # requests to the same host being answered when it arrived, itself included

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    @property
    def authorized(self) -> bool:
        return "Authorization" in self.headers


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


@dataclass
class User:
    name: str
    token: str = field(repr=False)
    role: str = "read"  # read, write or fineGrained
    orgs: tuple[str, ...] = ()
    can_access: set[str] = field(default_factory=set)  # private repos readable and gated repos granted
    fullname: str = ""
    email: str = ""
    token_name: str = "hubemu"

    def can_read(self, repo_id: str, owner: str) -> bool:
        return owner == self.name or owner in self.orgs or repo_id in self.can_access
