"""What a Hugging Face cache holds, read from its folders (models, revisions, files), and removing a model."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.store.hfcache.layout import (
    STAGING_DIR_NAME,
    cache_root,
    is_commit,
    repo_folder_name,
    repo_id_from_folder,
)
from hfgui.core.store.hfcache.records import read_ref, read_tree
from hfgui.core.wire.repo_id import validate_repo_id

_IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class CachedFile:
    path: str  # repo path, "/"-separated
    size: int
    linked: bool  # a symlink into blobs/ (False: a real file, the no-symlink fallback)


@dataclass(frozen=True)
class CachedRevision:
    commit: str
    refs: tuple[str, ...]  # e.g. ("main",)
    path: Path  # snapshots/<commit>
    files: tuple[CachedFile, ...]
    size: int  # bytes of the distinct blobs this snapshot uses
    complete: bool | None  # against trees/<commit>.json; None when no listing is cached
    last_modified: float


@dataclass(frozen=True)
class CachedModel:
    """A model present in a Hugging Face cache (shown as "hf-cache" next to the library's own models)."""

    repo_id: str
    path: Path  # the models--owner--name folder
    revisions: tuple[CachedRevision, ...]  # newest first
    size_on_disk: int  # distinct blobs across revisions
    file_count: int  # distinct blobs across revisions (what `hf cache ls` counts)
    unfinished: bool = False  # partial downloads wait in it (huggingface_hub's or hfgui's)

    @property
    def latest(self) -> CachedRevision:
        """The revision `main` points to, else the most recently modified one."""
        return self.revision("main") or self.revisions[0]

    def revision(self, name: str) -> CachedRevision | None:
        for rev in self.revisions:
            if name == rev.commit or name in rev.refs:
                return rev
        return None


def cached_models(cache_dir: Path | None = None) -> list[CachedModel]:
    """Every model with at least one snapshot in the cache, sorted by id; unreadable folders are skipped."""
    root = cache_root(cache_dir)
    if not root.is_dir():
        return []
    models = []
    for folder in sorted(root.iterdir()):
        repo_id = repo_id_from_folder(folder.name)
        if repo_id is None or not folder.is_dir():
            continue
        try:
            model = _scan_repo(repo_id, folder)
        except OSError:
            continue  # a folder vanishing or unreadable mid-scan must not hide the others
        if model is not None:
            models.append(model)
    return models


def cached_model(repo_id: str, cache_dir: Path | None = None) -> CachedModel | None:
    folder = cache_root(cache_dir) / repo_folder_name(repo_id)
    if not folder.is_dir():
        return None
    try:
        return _scan_repo(repo_id, folder)
    except OSError:
        return None


def cached_listing(revision: CachedRevision) -> dict[str, dict] | None:
    """The commit's listing in `trees/<commit>.json` (path -> size and hashes), if the cache has one."""
    return read_tree(revision.path.parent.parent / "trees" / f"{revision.commit}.json")


def find_snapshot(repo_id: str, revision: str = "main", cache_dir: Path | None = None) -> Path | None:
    """`snapshots/<commit>` for a commit sha or a ref recorded in `refs/`, if that folder exists."""
    folder = cache_root(cache_dir) / repo_folder_name(repo_id)
    commit = revision if is_commit(revision) else read_ref(folder, revision)
    if commit is None:
        return None
    snapshot = folder / "snapshots" / commit
    return snapshot if snapshot.is_dir() else None


def delete_cached_model(repo_id: str, cache_dir: Path | None = None) -> int:
    """Remove a model's folder (all revisions, its partials) and its lock folder; returns the bytes freed."""
    root = cache_root(cache_dir)
    folder = root / repo_folder_name(validate_repo_id(repo_id))
    if not folder.is_dir():
        return 0
    freed = 0
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            with contextlib.suppress(OSError):
                freed += os.lstat(os.path.join(dirpath, name)).st_size
    shutil.rmtree(folder)
    shutil.rmtree(root / ".locks" / folder.name, ignore_errors=True)
    return freed


def _scan_repo(repo_id: str, folder: Path) -> CachedModel | None:
    snapshots = folder / "snapshots"
    if not snapshots.is_dir():
        return None
    refs_by_commit = _refs_by_commit(folder)
    all_blobs: dict[str, int] = {}
    revisions = []
    for snap in snapshots.iterdir():
        if not snap.is_dir() or snap.name in _IGNORED_NAMES:
            continue
        files, blobs = _scan_snapshot(snap)
        all_blobs.update(blobs)
        tree = read_tree(folder / "trees" / f"{snap.name}.json")
        present = {f.path: f.size for f in files}
        complete = None
        if tree is not None:
            complete = all(present.get(p) == info.get("size") for p, info in tree.items())
        modified = max((os.stat(b).st_mtime for b in blobs), default=snap.stat().st_mtime)
        revisions.append(
            CachedRevision(
                commit=snap.name,
                refs=tuple(sorted(refs_by_commit.get(snap.name, ()))),
                path=snap,
                files=tuple(sorted(files, key=lambda f: f.path)),
                size=sum(blobs.values()),
                complete=complete,
                last_modified=modified,
            )
        )
    if not revisions:
        return None
    revisions.sort(key=lambda r: r.last_modified, reverse=True)
    unfinished = any((folder / "blobs").glob("*.incomplete")) or any(
        (folder / STAGING_DIR_NAME).glob("*.part")
    )
    return CachedModel(repo_id, folder, tuple(revisions), sum(all_blobs.values()), len(all_blobs), unfinished)


def _refs_by_commit(folder: Path) -> dict[str, list[str]]:
    """commit -> the names in `refs/` that point at it (temporary files of a ref being written skipped)."""
    found: dict[str, list[str]] = {}
    refs_dir = folder / "refs"
    if refs_dir.is_dir():
        for ref in refs_dir.rglob("*"):
            if ref.is_file() and ref.name not in _IGNORED_NAMES and not ref.name.endswith(".tmp"):
                name = ref.relative_to(refs_dir).as_posix()
                commit = read_ref(folder, name)
                if commit:
                    found.setdefault(commit, []).append(name)
    return found


def _scan_snapshot(snap: Path) -> tuple[list[CachedFile], dict[str, int]]:
    """Files of one snapshot (broken links skipped) and the distinct blobs behind them with their sizes."""
    files: list[CachedFile] = []
    blobs: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(snap):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            if name in _IGNORED_NAMES:
                continue
            entry = os.path.join(dirpath, name)
            linked = os.path.islink(entry)
            # One hop, like huggingface_hub: the blob file, even if it links on to a shared store.
            blob = os.path.abspath(os.path.join(dirpath, os.readlink(entry))) if linked else entry
            try:
                size = os.stat(blob).st_size
            except OSError:
                continue  # broken link: the blob is gone, the file is not really there
            blobs[blob] = size
            files.append(CachedFile(Path(entry).relative_to(snap).as_posix(), size, linked))
    return files, blobs
