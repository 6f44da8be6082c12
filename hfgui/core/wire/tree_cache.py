"""Recursive tree listings pinned to a commit, kept in memory so one process lists a commit only once.

A listing at a full commit sha never changes. The window lists a repository to show its size, then the
download plans from the same commit: without this the second listing costs another round trip per page
(three for a repository of 2,600 files). Kept per endpoint and per token, so a private repository's
listing is only ever handed to a client that fetched it with the same credentials. Bounded: a few
listings, a few hundred thousand entries in all, least recently used dropped first.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict

from hfgui.core.types import TreeEntry

MAX_LISTINGS = 8
MAX_ENTRIES = 300_000
_FULL_SHA = re.compile(r"[0-9a-f]{40}")

_lock = threading.Lock()
_listings: OrderedDict[tuple[str, str, str, str], tuple[TreeEntry, ...]] = OrderedDict()


def cacheable(revision: str, path: str, recursive: bool) -> bool:
    """Only whole-repository recursive listings at a full commit sha are immutable."""
    return recursive and not path and bool(_FULL_SHA.fullmatch(revision))


def key(endpoint: str, repo_id: str, commit: str, token: str | None) -> tuple[str, str, str, str]:
    who = hashlib.sha256(token.encode()).hexdigest() if token else ""
    return (endpoint, repo_id.lower(), commit, who)


def get(cache_key: tuple[str, str, str, str]) -> tuple[TreeEntry, ...] | None:
    with _lock:
        entries = _listings.get(cache_key)
        if entries is not None:
            _listings.move_to_end(cache_key)
        return entries


def put(cache_key: tuple[str, str, str, str], entries: tuple[TreeEntry, ...]) -> None:
    if len(entries) > MAX_ENTRIES:
        return
    with _lock:
        _listings[cache_key] = entries
        _listings.move_to_end(cache_key)
        while len(_listings) > MAX_LISTINGS or sum(map(len, _listings.values())) > MAX_ENTRIES:
            _listings.popitem(last=False)


def clear() -> None:
    with _lock:
        _listings.clear()
