"""Which files of a Hub repository this computer already has, so a picker can mark what is installed."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hfgui.core.engine.planner import model_root
from hfgui.core.errors import HfGuiError
from hfgui.core.store import hfcache
from hfgui.core.store.manifest import read_manifest
from hfgui.core.wire.repo_id import validate_repo_id


def installed_paths(library_root: Path, repo_id: str, cache_dir: Path | None = None) -> frozenset[str]:
    """Repository paths present in full: the library's finished download (each file still on disk at the
    size its manifest records) and the Hugging Face cache's snapshot of main (``cache_dir``; None: the
    default cache). Reads the disk: call it on a worker."""
    try:
        repo_id = validate_repo_id(repo_id)
    except HfGuiError:
        return frozenset()
    found: set[str] = set()
    root = model_root(library_root, repo_id)
    manifest = read_manifest(root)
    if manifest is not None:
        for entry in manifest.files:
            with contextlib.suppress(OSError):
                if (root / entry.path).stat().st_size == entry.size:
                    found.add(entry.path)
    cached = hfcache.cached_model(repo_id, cache_dir)
    if cached is not None:
        found.update(f.path for f in cached.latest.files)
    return frozenset(found)
