"""Writing one commit of a repository into the cache: verified files become blobs that snapshot entries
link to (or, where symlinks are unavailable, the files themselves), blobs already there are reused."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from hfgui.core.store.hashing import checked_etag, file_matches_etag
from hfgui.core.store.hfcache.layout import CacheTarget
from hfgui.core.store.hfcache.placing import (
    copy_into_place,
    link_relative,
    match_folder_permissions,
    move_into_place,
    symlinks_supported,
)

CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_TAG_CONTENT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by huggingface_hub.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)


def prepare(target: CacheTarget) -> None:
    """Create the repo's folders (and the cache's CACHEDIR.TAG) before downloading into it.

    `snapshots/` is created up front so that huggingface_hub's scan never sees a half-made repo folder.
    """
    for folder in (target.blobs_dir, target.repo_folder / "snapshots", target.staging_dir):
        folder.mkdir(parents=True, exist_ok=True)
    tag = target.cache_dir / CACHEDIR_TAG
    if not tag.exists():
        with contextlib.suppress(OSError):
            tag.write_text(CACHEDIR_TAG_CONTENT, encoding="utf-8")


def install_file(
    target: CacheTarget,
    repo_path: str,
    etag: str,
    verified_file: Path,
    *,
    symlinks: bool | None = None,
) -> Path:
    """Move a verified file into the cache and point `snapshots/<commit>/<repo_path>` at it; return that path.

    With symlinks: the file becomes `blobs/<etag>` (atomic rename) unless that blob already exists, in which
    case the copy is dropped and the blob is shared; the snapshot entry is a relative symlink. Without
    symlinks (Windows without developer mode, HF_HUB_DISABLE_SYMLINKS): the file itself is moved into the
    snapshot, as huggingface_hub does. Running it again with the same arguments changes nothing.
    """
    etag = checked_etag(repo_path, etag)
    pointer = target.snapshot_path(repo_path)
    verified_file = Path(verified_file)
    blob = target.blobs_dir / etag
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if symlinks is None:
        symlinks = symlinks_supported(target.repo_folder)
    if not symlinks:
        if not verified_file.exists() and pointer.is_file() and not pointer.is_symlink():
            return pointer  # installed by an earlier call
        move_into_place(verified_file, pointer)
        return pointer
    target.blobs_dir.mkdir(parents=True, exist_ok=True)
    if verified_file != blob:
        try:
            size = verified_file.stat().st_size
        except FileNotFoundError:
            if not blob.is_file():
                raise
            size = None  # installed by an earlier call: only the link may be missing
        if size is not None and _blob_matches(blob, size):
            verified_file.unlink()  # the same content is already stored: keep one copy
        elif size is not None:
            match_folder_permissions(verified_file, target.blobs_dir)
            move_into_place(verified_file, blob)
    link_relative(blob, pointer)
    return pointer


def link_existing_blob(
    target: CacheTarget,
    repo_path: str,
    etag: str,
    size: int,
    *,
    verify: bool = False,
    symlinks: bool | None = None,
) -> Path | None:
    """Use a blob already in the cache (another revision or tool fetched it) for `repo_path`: no download.

    Returns the snapshot path, or None when no usable blob is there. The blob's name is its etag and
    huggingface_hub checks only sizes, so `verify=True` re-hashes it before trusting it.
    """
    etag = checked_etag(repo_path, etag)
    pointer = target.snapshot_path(repo_path)
    blob = target.blobs_dir / etag
    if not _blob_matches(blob, size) or (verify and not file_matches_etag(blob, etag, size)):
        return None
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if symlinks is None:
        symlinks = symlinks_supported(target.repo_folder)
    if symlinks:
        link_relative(blob, pointer)
    else:
        copy_into_place(blob, pointer)  # a blob may be shared by other snapshots: copy it, never move it
    return pointer


def blob_available(target: CacheTarget, etag: str, size: int) -> bool:
    """`blobs/<etag>` is there with that size, so the file can be linked instead of downloaded."""
    return _blob_matches(target.blobs_dir / checked_etag(etag, etag), size)


def reuse_cached(
    target: CacheTarget, expected: Mapping[str, tuple[int, str]], *, verify_blobs: bool = False
) -> list[str]:
    """Put in place each file of `expected` ({path: (size, etag)}) that needs no download; return those paths.

    A file counts when the snapshot already has it, when a verified file was left ready by an interrupted
    run (it is installed now), or when its blob is in the cache from another revision or tool (linked now).
    """
    present = []
    for path, (size, etag) in sorted(expected.items()):
        if file_installed(target, path, size, etag):
            present.append(path)
            continue
        ready = target.ready_path(path, etag)
        if _blob_matches(ready, size):
            install_file(target, path, etag, ready)
            present.append(path)
        elif link_existing_blob(target, path, etag, size, verify=verify_blobs) is not None:
            present.append(path)
    return present


def file_installed(target: CacheTarget, repo_path: str, size: int, etag: str) -> bool:
    """The snapshot has `repo_path` with that size (and, when it is a link, linked to `blobs/<etag>`)."""
    etag = checked_etag(repo_path, etag)
    pointer = target.snapshot_path(repo_path)
    try:
        if pointer.is_symlink() and Path(os.readlink(pointer)).name != etag:
            return False  # a link to another version of the file
        return pointer.is_file() and pointer.stat().st_size == size
    except OSError:
        return False


def missing_files(target: CacheTarget, expected: Mapping[str, tuple[int, str]]) -> list[str]:
    """Paths of `expected` ({path: (size, etag)}) that the snapshot lacks or holds in another version."""
    return sorted(p for p, (size, etag) in expected.items() if not file_installed(target, p, size, etag))


def snapshot_complete(target: CacheTarget, expected: Mapping[str, tuple[int, str]]) -> bool:
    return not missing_files(target, expected)


def _blob_matches(blob: Path, size: int) -> bool:
    try:
        return blob.is_file() and blob.stat().st_size == size
    except OSError:
        return False
