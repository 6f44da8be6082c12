"""Checking installed models against their hashes: a library or --dest folder against its manifest (what
is damaged is recorded, so the next download repairs only that), a Hugging Face cache snapshot against
its blobs' names."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hfgui.core.engine.planner import library_lock_file
from hfgui.core.errors import HfGuiError, ModelNotInstalledError, UnsafePathError
from hfgui.core.library.model_state import file_size
from hfgui.core.store import hfcache
from hfgui.core.store.hashing import checked_etag, file_matches_etag
from hfgui.core.store.manifest import Manifest, read_manifest, record_damaged
from hfgui.core.store.model_lock import READ_ONLY_ERRNOS, model_lock_unless_read_only

if TYPE_CHECKING:
    from hfgui.core.library.installed import Library


@dataclass(frozen=True)
class Problem:
    path: str
    kind: str  # "missing", "size" or "hash"
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


def check_model(
    library: Library, repo_id: str, on_file: Callable[[str], None] | None = None
) -> list[Problem]:
    """Re-hash every file of a library model against its manifest; an empty list means all is well.

    Problems are recorded (the model shows as damaged) so the next download fetches only those files.
    """
    root = library.model_root(repo_id)
    manifest = read_manifest(root)
    if manifest is None:
        reference = library.reference(repo_id)
        if reference is not None:
            raise HfGuiError(
                f"{repo_id} was imported by reference ({reference.path}): hfgui recorded no hashes of"
                " those files, so there is nothing to check them against.",
                "Import it as a copy (hfgui import PATH) to have it verified.",
            )
        raise ModelNotInstalledError(repo_id)
    # Not while a download of it runs: its new manifest would clear a note this check then rewrites.
    # A read-only library is checked all the same, report-only (no lock, no note of the damage).
    hint = "Wait for that download to finish, then check again."
    lock = library_lock_file(library.root, repo_id)
    with model_lock_unless_read_only(lock, repo_id, busy_hint=hint) as writable:
        return check_folder(root, read_manifest(root) or manifest, on_file, record=writable)


def check_folder(
    root: Path, manifest: Manifest, on_file: Callable[[str], None] | None = None, *, record: bool = True
) -> list[Problem]:
    """Re-hash the files of the model in `root` (library or `--dest` folder) against its manifest.

    What it finds is recorded next to the manifest (record_damaged), which stays: the model remains
    installed but damaged, and the next download of the same folder fetches only the damaged files.
    `record=False` (or a folder that cannot be written) only reports.
    """
    problems: list[Problem] = []
    for entry in manifest.files:
        if on_file is not None:
            on_file(entry.path)
        target = root / entry.path
        actual = file_size(target, -1)
        if actual < 0 or not target.is_file():
            problems.append(Problem(entry.path, "missing", "missing"))
        elif actual != entry.size:
            problems.append(Problem(entry.path, "size", f"has {actual} bytes, expected {entry.size}"))
        elif not file_matches_etag(target, entry.etag, entry.size):
            problems.append(Problem(entry.path, "hash", "content does not match its hash (corrupted)"))
    if record:
        try:
            record_damaged(root, (p.path for p in problems))
        except OSError as exc:
            if exc.errno not in READ_ONLY_ERRNOS:
                raise
    return problems


def check_cached(
    revision: hfcache.CachedRevision, on_file: Callable[[str], None] | None = None
) -> tuple[list[Problem], int]:
    """Re-hash a Hugging Face cache snapshot: (problems, files that could not be checked).

    A linked file's blob is named by its hash; a copied one (no-symlink caches) is checked against the
    commit's cached listing when there is one. Nothing is changed: the cache is huggingface_hub's too.
    """
    listing = hfcache.cached_listing(revision) or {}
    problems: list[Problem] = []
    unchecked = 0
    for item in revision.files:
        if on_file is not None:
            on_file(item.path)
        target = revision.path / item.path
        info = listing.get(item.path) or {}
        if item.linked:  # one hop, as huggingface_hub reads it: the blob named by its hash
            blob = os.path.join(target.parent, os.readlink(target))
            etag = os.path.basename(blob)
        else:
            blob = str(target)
            etag = str(info.get("lfs_sha256") or info.get("blob_id") or "")
        try:
            etag = checked_etag(item.path, etag)
        except UnsafePathError:
            unchecked += 1  # no hash to check it against
            continue
        size = info.get("lfs_size", info.get("size")) if info else None
        if isinstance(size, int) and item.size != size:
            problems.append(Problem(item.path, "size", f"has {item.size} bytes, expected {size}"))
        elif not file_matches_etag(blob, etag):
            problems.append(Problem(item.path, "hash", "content does not match its hash (corrupted)"))
    return problems, unchecked
