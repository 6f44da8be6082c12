"""Refuse a download before its first byte when the destination's filesystem cannot hold it."""

from __future__ import annotations

import shutil
from pathlib import Path

from hfgui.core.errors import InsufficientSpaceError

MIN_MARGIN = 100 * 1000 * 1000  # 100 MB
MAX_MARGIN = 1000 * 1000 * 1000  # 1 GB: enough for any filesystem's own needs, however big the model
MARGIN_FRACTION = 0.02


def nearest_existing(path: Path) -> Path:
    """The closest ancestor of `path` (itself included) that exists: the folder may not be created yet."""
    candidate = Path(path).absolute()
    while not candidate.exists():
        if candidate.parent == candidate:
            break
        candidate = candidate.parent
    return candidate


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(nearest_existing(path)).free


def margin_for(needed: int) -> int:
    """Headroom kept free: filesystems misbehave when full, and metadata needs room too."""
    return min(MAX_MARGIN, max(MIN_MARGIN, int(needed * MARGIN_FRACTION)))


def ensure_space(needed: int, dest: Path, *, free: int | None = None) -> None:
    """Raise InsufficientSpaceError unless `needed` bytes plus the margin fit on `dest`'s filesystem."""
    if needed <= 0:
        return
    available = free_bytes(dest) if free is None else free
    margin = margin_for(needed)
    if needed + margin > available:
        raise InsufficientSpaceError(needed + margin, available, str(nearest_existing(dest)), margin=margin)


def check_space(plan, *, free: int | None = None) -> None:
    """Check a planner `Plan`: bytes still to fetch (present files and partials excluded) vs free space.

    In cache mode the snapshot folder may not exist yet and the bytes land in the cache's blobs: ask
    about the cache folder.
    """
    target = getattr(plan, "cache_target", None)
    ensure_space(plan.bytes_needed, target.cache_dir if target is not None else plan.root, free=free)
