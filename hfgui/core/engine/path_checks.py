"""A listing's paths checked before anything is written: hostile paths, hfgui's own metadata folder,
etags that cannot be verified, and names that differ only in case on a disk that ignores case."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hfgui.core.errors import HfGuiError, UnsafePathError
from hfgui.core.store.hashing import checked_etag
from hfgui.core.store.manifest import METADATA_DIR
from hfgui.core.store.pathsafe import case_collisions, folder_ignores_case, safe_join
from hfgui.core.types import TreeEntry


def check_entry_path(root: Path, path: str) -> Path:
    """Where a repo file goes, refusing hostile paths and names that collide with our metadata folder."""
    target = safe_join(root, path)
    # Case-folded: on a case-insensitive disk (macOS, Windows) ".HFGUI/" is the same folder.
    if path.split("/", 1)[0].casefold() == METADATA_DIR.casefold():
        raise UnsafePathError(path, f"it would overwrite hfgui's own '{METADATA_DIR}' folder")
    return target


def check_entry(root: Path, entry: TreeEntry) -> Path:
    """check_entry_path, plus an etag we can verify the file against (it also names its partial)."""
    checked_etag(entry.path, entry.etag)
    return check_entry_path(root, entry.path)


def refuse_case_collisions(repo_id: str, selected: Sequence[TreeEntry], root: Path) -> None:
    """Two entries that differ only in letter case would overwrite each other where names ignore case."""
    collisions = case_collisions(e.path for e in selected)
    if not collisions or not folder_ignores_case(root):
        return
    first, second = collisions[0]
    more = f" (and {len(collisions) - 1} more such pairs)" if len(collisions) > 1 else ""
    raise HfGuiError(
        f"'{first}' and '{second}' in {repo_id} differ only in letter case{more}, and {root} is on"
        " a disk that ignores case: one would overwrite the other. Nothing was downloaded.",
        "Leave one out with --exclude (or choose the files in the window), or use a case-sensitive folder.",
    )
