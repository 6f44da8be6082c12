"""Background reads of the library folder: which catalog models are installed or half-downloaded,
how much space they use, and how much is free. Runs on a worker thread, returns plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hfgui.core import partials
from hfgui.core.catalog import path_matches
from hfgui.core.diskspace import free_bytes
from hfgui.core.library import InstallState, Library
from hfgui.core.manifest import read_manifest
from hfgui.gui.rows import ModelEntry


@dataclass(frozen=True)
class LibraryState:
    root: Path
    installed: frozenset[str] = frozenset()  # model keys whose files are all installed and verified
    incomplete: frozenset[str] = frozenset()  # keys with partial downloads or an unfinished install
    sizes: dict[str, int] = field(default_factory=dict)  # repo id -> bytes on disk
    used_bytes: int = 0
    free_bytes: int | None = None


def scan_library(root: Path, entries: Sequence[ModelEntry]) -> LibraryState:
    library = Library(root)
    models = {m.repo_id: m for m in library.installed()}
    installed: set[str] = set()
    incomplete: set[str] = set()
    for entry in entries:
        model = models.get(entry.repo_id)
        if model is None:
            continue
        if model.state is InstallState.INSTALLED:
            manifest = read_manifest(model.root)
            paths = [f.path for f in manifest.files] if manifest else []
            if any(path_matches(p, entry.include, entry.exclude) for p in paths):
                installed.add(entry.key)
                continue
        incomplete.add(entry.key)
    try:
        free = free_bytes(root)
    except OSError:
        free = None
    sizes = {repo: m.size for repo, m in models.items()}
    return LibraryState(root, frozenset(installed), frozenset(incomplete), sizes, sum(sizes.values()), free)


def discard_partials(root: Path, entry: ModelEntry) -> int:
    """Delete the partial files of ``entry``'s download (Cancel); returns the bytes freed."""
    staging = Library(root).staging_dir
    mine = [
        p
        for p in partials.list_partials(staging)
        if p.repo_id == entry.repo_id
        and p.path is not None
        and path_matches(p.path, entry.include, entry.exclude)
    ]
    return partials.remove_partials(staging, mine)


def delete_model(root: Path, repo_id: str) -> int:
    return Library(root).delete(repo_id)
