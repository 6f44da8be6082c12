"""The small files that describe a repository's commits: `refs/<revision>` and `trees/<commit>.json`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path

from hfgui.core.errors import UnsafePathError
from hfgui.core.store.hfcache.layout import CacheTarget, is_commit
from hfgui.core.store.jsonio import write_json_atomic
from hfgui.core.store.pathsafe import check_repo_path
from hfgui.core.types import TreeEntry

TREE_FORMAT_VERSION = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")


def write_ref(target: CacheTarget) -> bool:
    """Record `refs/<revision>` = commit (atomic; untouched when already right). Returns True if written.

    Call it once the snapshot is installed: huggingface_hub treats a ref to a missing snapshot as corruption,
    so the snapshot folder is created here if need be.
    """
    ref = target.ref_path()
    if ref is None:
        return False
    with contextlib.suppress(OSError):
        if ref.read_text(encoding="utf-8") == target.commit:
            return False  # unchanged: do not touch a cache that may be read-only or shared
    target.snapshot_dir.mkdir(parents=True, exist_ok=True)
    ref.parent.mkdir(parents=True, exist_ok=True)
    tmp = ref.with_name(f"{ref.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(target.commit, encoding="utf-8")  # no newline: huggingface_hub reads it verbatim
        os.replace(tmp, ref)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return True


def read_ref(repo_folder: Path, revision: str) -> str | None:
    """The commit `refs/<revision>` records in a repo folder; None when absent, unreadable or not a sha."""
    try:
        parts = check_repo_path(revision)
        commit = (repo_folder / "refs").joinpath(*parts).read_text(encoding="utf-8").strip()
    except (UnsafePathError, OSError, UnicodeDecodeError):
        return None
    return commit if is_commit(commit) else None


def write_tree(target: CacheTarget, entries: Iterable[TreeEntry]) -> bool:
    """Write `trees/<commit>.json` from the commit's FULL recursive listing (not a filtered selection).

    huggingface_hub 2.4 trusts this file: `snapshot_download` skips its own listing when it exists and,
    offline, reports a snapshot as incomplete when a listed file is missing. A partial listing would make
    it skip files, so pass every entry of the tree. A commit never changes: an existing valid file is kept.
    Returns True if written; False if kept or if the listing holds a path that is not safe to record.
    """
    if read_tree(target.tree_file) is not None:
        return False
    files: dict[str, dict] = {}
    for entry in entries:
        if not entry.is_file:
            continue
        try:
            check_repo_path(entry.path)
        except UnsafePathError:
            return False
        info: dict = {"size": entry.size, "blob_id": entry.oid}
        if entry.lfs_sha256 is not None:
            info["lfs_sha256"] = entry.lfs_sha256
            info["lfs_size"] = entry.lfs_size if entry.lfs_size is not None else entry.size
        # huggingface_hub discards the whole listing if one xet hash is malformed: leave bad ones out.
        if entry.xet_hash and _HEX64.fullmatch(entry.xet_hash):
            info["xet_hash"] = entry.xet_hash
        files[entry.path] = info
    data = {"format_version": TREE_FORMAT_VERSION, "files": {p: files[p] for p in sorted(files)}}
    # Not fsynced: a listing lost in a power cut is written again by the next download of the commit.
    write_json_atomic(target.tree_file, data, durable=False)
    return True


def read_tree(path: Path) -> dict[str, dict] | None:
    """The files of a `trees/<commit>.json` (path -> size and hashes); None when absent or not ours."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format_version") != TREE_FORMAT_VERSION or not isinstance(data.get("files"), dict):
            return None
        return data["files"]
    except (OSError, ValueError, AttributeError):
        return None
