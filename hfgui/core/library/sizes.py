"""Cached download sizes of catalog entries, taken from the tree listing and keyed by repo commit."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfgui.core.library.catalog_entry import CatalogEntry, select_files
from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.store.paths import AppPaths

if TYPE_CHECKING:
    from hfgui.core.wire.hub import HubClient

log = logging.getLogger(__name__)

CACHE_VERSION = 1


@dataclass(frozen=True)
class EntrySize:
    total_bytes: int
    file_count: int
    commit: str


def selection_key(entry: CatalogEntry) -> str:
    """Identifies which files an entry selects, so editing an entry's patterns invalidates its size."""
    include, exclude = entry.patterns()
    digest = hashlib.sha1(json.dumps([include, exclude]).encode("utf-8")).hexdigest()[:12]
    return f"{entry.id}:{digest}"


class SizeCache:
    """``<cache_dir>/sizes.json``: per repo@revision the last seen commit and each entry's size there.

    Seeing a new commit for a repo drops every size recorded for the old one. Unreadable cache files
    are simply ignored (the sizes are fetched again). Safe to use from several threads.
    """

    def __init__(self, paths: AppPaths) -> None:
        self.file: Path = paths.cache_dir / "sizes.json"
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Any]:
        try:
            data = read_json(self.file)
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        repos = data.get("repos")
        return repos if isinstance(repos, dict) else {}

    def get(self, entry: CatalogEntry, commit: str) -> EntrySize | None:
        with self._lock:
            record = self._load().get(f"{entry.repo}@{entry.revision}")
        if not isinstance(record, dict) or record.get("commit") != commit:
            return None
        size = record.get("entries", {}).get(selection_key(entry))
        if not isinstance(size, dict):
            return None
        try:
            return EntrySize(int(size["bytes"]), int(size["files"]), commit)
        except (KeyError, TypeError, ValueError):
            return None

    def last_known(self, entry: CatalogEntry) -> EntrySize | None:
        """The size at the last commit seen, whatever the Hub says now: shown before (or without) an
        answer from the Hub — offline, the window still says how big a model is."""
        with self._lock:
            record = self._load().get(f"{entry.repo}@{entry.revision}")
        if not isinstance(record, dict) or not isinstance(record.get("commit"), str):
            return None
        return self.get(entry, record["commit"])

    def put(self, entry: CatalogEntry, size: EntrySize) -> None:
        with self._lock:
            repos = self._load()
            key = f"{entry.repo}@{entry.revision}"
            record = repos.get(key)
            if not isinstance(record, dict) or record.get("commit") != size.commit:
                record = {"commit": size.commit, "entries": {}}  # new commit: older sizes no longer apply
            record["entries"][selection_key(entry)] = {"bytes": size.total_bytes, "files": size.file_count}
            repos[key] = record
            try:
                write_json_atomic(self.file, {"version": CACHE_VERSION, "repos": repos})
            except OSError as exc:  # a cache that cannot be written only costs a re-fetch later
                log.warning("Could not write the size cache %s: %s", self.file, exc)


def entry_size(client: HubClient, entry: CatalogEntry, cache: SizeCache | None = None) -> EntrySize:
    """Total bytes and file count of ``entry`` at the current commit of its revision.

    One model_info call finds the commit; the recursive tree is listed only when the cache has no
    size for that commit. Raises the client's HfGuiError subclasses (not found, gated, network…).
    """
    commit = client.model_info(entry.repo, revision=entry.revision).sha
    if cache is not None:
        cached = cache.get(entry, commit)
        if cached is not None:
            return cached
    files = select_files(entry, client.iter_tree(entry.repo, revision=commit, recursive=True))
    size = EntrySize(sum(f.size for f in files), len(files), commit)
    if cache is not None:
        cache.put(entry, size)
    return size
