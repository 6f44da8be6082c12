"""One file to fetch, as the planner hands it to the transfer: pinned to a commit, its size and etag known."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hfgui.core.store import partials
from hfgui.core.store.hashing import normalize_etag


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
