"""Partial downloads left in staging folders (library, model updates, `--dest` folders, Hugging Face
cache) and folders a killed delete left in the library's trash: list, clean.

Each partial is matched with what could still resume it. A partial is *owned* while a download or an
update that would pick it up is unfinished; it is *orphaned* when nothing will (no readable sidecar,
the model is installed with that very file or another version of it, or nothing is queued for it).
Cleaning never touches a partial a running download holds: its model's lock is taken first, and a
busy model is skipped and named.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hfgui.core.engine.planner import library_lock_file, model_root, staging_dir_for
from hfgui.core.errors import HfGuiError
from hfgui.core.library.care import staged_update_dirs
from hfgui.core.library.installed import Library
from hfgui.core.store import hfcache, partials, trash
from hfgui.core.store.manifest import METADATA_DIR, ManifestFile, read_journal, read_manifest
from hfgui.core.store.model_lock import ModelBusyError, model_lock
from hfgui.core.wire.repo_id import validate_repo_id

WHERE_LIBRARY = "library"
WHERE_UPDATE = "update"
WHERE_CACHE = "hf-cache"
WHERE_DEST = "dest"  # the staging of a `--dest DIR` download (the folder is in the library's index)
WHERE_DELETING = "deleting"  # a model folder a killed delete left in <library>/.hfgui-deleting/

KIND_PARTIAL = "partial"
KIND_DELETED_MODEL = "deleted-model"


@dataclass(frozen=True)
class Leftover:
    partial: partials.PartialFile
    where: str  # "library", "update" (a model's update staging) or "hf-cache"
    staging_dir: Path
    owner: str | None  # what would resume it ("download", "update", "queued"); None: orphaned
    modified: float  # seconds since the epoch: the last write to the partial or its sidecar
    age_seconds: float
    # KIND_PARTIAL, or KIND_DELETED_MODEL: a whole model folder (partial.part_path) a killed delete left
    kind: str = KIND_PARTIAL
    named_repo: str | None = field(default=None, repr=False)  # the repo of a KIND_DELETED_MODEL folder
    lock_file: Path | None = field(default=None, repr=False)  # the lock of the model it belongs to

    @property
    def repo_id(self) -> str | None:
        return self.partial.repo_id or self.named_repo

    @property
    def path(self) -> str | None:
        return self.partial.path

    @property
    def size(self) -> int:
        """Bytes it takes on disk (the partial plus its sidecar): what cleaning frees."""
        return self.partial.bytes_on_disk + _size(self.partial.sidecar_path)

    @property
    def total(self) -> int | None:
        return self.partial.sidecar.size if self.partial.sidecar else None

    @property
    def orphaned(self) -> bool:
        return self.owner is None

    def to_json(self) -> dict:
        return {
            "repo": self.repo_id,
            "path": self.path,
            "where": self.where,
            "size": self.size,
            "bytes_done": self.partial.bytes_done,
            "total": self.total,
            "age_seconds": round(self.age_seconds),
            "owner": self.owner,
            "orphaned": self.orphaned,
            "file": str(self.partial.part_path),
            "kind": self.kind,
        }


def find_leftovers(
    library_root: Path,
    cache_dir: Path | None = None,
    *,
    include_cache: bool = True,
    queued: Collection[str] = (),
    now: float | None = None,
) -> list[Leftover]:
    """Every partial under the library (and the Hugging Face cache), oldest first.

    `queued`: repo ids the window has queued or paused, so their partials count as owned.
    """
    now = time.time() if now is None else now
    library = Library(library_root)
    found: list[Leftover] = []
    for part in partials.list_partials(library.staging_dir):
        root = _model_root_of(library, part)
        owner = _owner_in(root, part, queued) if root is not None else None
        lock = library_lock_file(library.root, part.repo_id) if root is not None and part.repo_id else None
        found.append(_leftover(part, WHERE_LIBRARY, library.staging_dir, owner, now, lock))
    for model in library.installed():
        manifest = read_manifest(model.root)
        for staged in staged_update_dirs(model.root):
            staging = staged / METADATA_DIR / "staging"
            pending = manifest is not None and manifest.commit != staged.name
            lock = library_lock_file(library.root, model.repo_id)
            for part in partials.list_partials(staging):
                owner = "update" if pending and part.sidecar is not None else None
                found.append(_leftover(part, WHERE_UPDATE, staging, owner, now, lock))
    for folder in library.destinations():
        staging = staging_dir_for(None, folder)
        lock = folder / METADATA_DIR / "download.lock"
        for part in partials.list_partials(staging):
            found.append(_leftover(part, WHERE_DEST, staging, _owner_in(folder, part, queued), now, lock))
    for left in trash.trashed_folders(library.root):
        found.append(_deleted_model(left, now))
    if include_cache:
        root = hfcache.hub_cache_dir() if cache_dir is None else Path(cache_dir)
        if root.is_dir():
            for folder in sorted(root.glob(hfcache.REPO_PREFIX + "*")):
                staging = folder / hfcache.STAGING_DIR_NAME
                lock = folder / hfcache.STAGING_DIR_NAME / "download.lock"
                for part in partials.list_partials(staging):
                    owner = _cache_owner(root, part, queued)
                    found.append(_leftover(part, WHERE_CACHE, staging, owner, now, lock))
    return sorted(found, key=lambda item: item.modified)


@dataclass(frozen=True)
class CleanResult:
    freed: int  # bytes
    removed: tuple[Leftover, ...]
    busy: tuple[Leftover, ...]  # skipped: a download or update of their model is running

    @property
    def busy_models(self) -> list[str]:
        return sorted({item.repo_id or "?" for item in self.busy})


def clean_leftovers(items: Collection[Leftover]) -> CleanResult:
    """Delete the given leftovers, each under its model's lock; those of a model that another hfgui
    window or process is downloading (or whose partial a download holds open) are skipped, not touched."""
    removed: list[Leftover] = []
    busy: list[Leftover] = []
    freed = 0
    groups: dict[Path | None, list[Leftover]] = {}
    for item in items:
        groups.setdefault(item.lock_file, []).append(item)
    for lock_file, group in groups.items():
        with _held(lock_file) as held:
            if not held:
                busy.extend(group)
                continue
            for item in group:
                if item.kind == KIND_DELETED_MODEL:
                    freed += item.size
                    trash.remove_trashed(item.partial.part_path)
                elif _in_use(item.partial.part_path):
                    busy.append(item)
                    continue
                else:
                    freed += partials.remove_partial(item.staging_dir, item.partial.key)
                removed.append(item)
    return CleanResult(freed, tuple(removed), tuple(busy))


def remove_leftovers(items: Collection[Leftover]) -> int:
    """Delete the given leftovers (skipping those of running downloads, see clean_leftovers); bytes freed."""
    return clean_leftovers(items).freed


@contextlib.contextmanager
def _held(lock_file: Path | None) -> Iterator[bool]:
    """Hold the model's lock while its leftovers go (True), or False when another run holds it."""
    if lock_file is None or not lock_file.parent.is_dir():
        yield True
        return
    try:
        with model_lock(lock_file, "", busy_hint=""):
            yield True
    except ModelBusyError:
        yield False


def _in_use(part: Path) -> bool:
    """A download writes its partial under an exclusive advisory lock (engine/partial_file.lock_or_fail)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks to ask
        return False
    try:
        fd = os.open(part, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


def _leftover(
    part: partials.PartialFile,
    where: str,
    staging: Path,
    owner: str | None,
    now: float,
    lock_file: Path | None = None,
) -> Leftover:
    modified = max(_mtime(part.part_path), _mtime(part.sidecar_path))
    return Leftover(part, where, staging, owner, modified, max(0.0, now - modified), lock_file=lock_file)


def _deleted_model(left: trash.TrashedFolder, now: float) -> Leftover:
    size = _tree_size(left.path)
    part = partials.PartialFile(left.path.name, left.path, left.path / ".none", size, size, None)
    modified = _mtime(left.path)
    return Leftover(
        part,
        WHERE_DELETING,
        left.path.parent,
        None,
        modified,
        max(0.0, now - modified),
        kind=KIND_DELETED_MODEL,
        named_repo=left.repo_id,
    )


def _model_root_of(library: Library, part: partials.PartialFile) -> Path | None:
    if part.sidecar is None:
        return None
    try:
        return model_root(library.root, validate_repo_id(part.sidecar.repo_id))
    except (ValueError, HfGuiError):
        return None


def _owner_in(root: Path, part: partials.PartialFile, queued: Collection[str]) -> str | None:
    """What would resume a partial of the model whose folder is `root` (library or --dest)."""
    sidecar = part.sidecar
    if sidecar is None:
        return None
    if sidecar.repo_id in queued:
        return "queued"
    this_file = ManifestFile(sidecar.path, sidecar.size, sidecar.etag)
    manifest = read_manifest(root)
    if manifest is not None:
        if sidecar.commit == manifest.commit or this_file in manifest.files:
            return None  # installed at that commit, or with that very file: nothing will resume it
        if any(f.path == sidecar.path for f in manifest.files):
            return None  # installed with another version of it: this one was superseded
    recorded = read_journal(root).get(sidecar.path)
    if recorded == this_file:
        return None  # verified by the unfinished download already
    if recorded is not None and recorded.etag != sidecar.etag:
        return None  # the unfinished download verified another version of it
    return "download"  # `hfgui download REPO` (or the window's resume) picks it up


def _cache_owner(cache_root: Path, part: partials.PartialFile, queued: Collection[str]) -> str | None:
    sidecar = part.sidecar
    if sidecar is None:
        return None
    if sidecar.repo_id in queued:
        return "queued"
    try:
        target = hfcache.CacheTarget(sidecar.repo_id, sidecar.commit, sidecar.commit, cache_root)
        if hfcache.file_installed(target, sidecar.path, sidecar.size, sidecar.etag):
            return None
        if hfcache.blob_available(target, sidecar.etag, sidecar.size):
            return None  # another revision brought the same content: nothing to resume
    except (ValueError, HfGuiError):  # UnsafePathError, bad id: a sidecar that names nothing sensible
        return None
    return "download"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _tree_size(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
