"""Partial downloads left in staging folders (library, model updates, Hugging Face cache): list, clean.

Each partial is matched with what could still resume it. A partial is *owned* while a download or an
update that would pick it up is unfinished; it is *orphaned* when nothing will (no readable sidecar,
the model is installed with that very file, or the model is gone and nothing is queued for it).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from hfgui.core import hfcache, partials
from hfgui.core.errors import HfGuiError
from hfgui.core.library import Library
from hfgui.core.library_care import staged_update_dirs
from hfgui.core.manifest import METADATA_DIR, ManifestFile, read_journal, read_manifest
from hfgui.core.planner import model_root
from hfgui.core.repo_id import validate_repo_id

WHERE_LIBRARY = "library"
WHERE_UPDATE = "update"
WHERE_CACHE = "hf-cache"


@dataclass(frozen=True)
class Leftover:
    partial: partials.PartialFile
    where: str  # "library", "update" (a model's update staging) or "hf-cache"
    staging_dir: Path
    owner: str | None  # what would resume it ("download", "update", "queued"); None: orphaned
    modified: float  # seconds since the epoch: the last write to the partial or its sidecar
    age_seconds: float

    @property
    def repo_id(self) -> str | None:
        return self.partial.repo_id

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
        owner = _library_owner(library, part, queued)
        found.append(_leftover(part, WHERE_LIBRARY, library.staging_dir, owner, now))
    for model in library.installed():
        manifest = read_manifest(model.root)
        for staged in staged_update_dirs(model.root):
            staging = staged / METADATA_DIR / "staging"
            pending = manifest is not None and manifest.commit != staged.name
            for part in partials.list_partials(staging):
                owner = "update" if pending and part.sidecar is not None else None
                found.append(_leftover(part, WHERE_UPDATE, staging, owner, now))
    if include_cache:
        root = hfcache.hub_cache_dir() if cache_dir is None else Path(cache_dir)
        if root.is_dir():
            for folder in sorted(root.glob(hfcache.REPO_PREFIX + "*")):
                staging = folder / hfcache.STAGING_DIR_NAME
                for part in partials.list_partials(staging):
                    owner = _cache_owner(root, part, queued)
                    found.append(_leftover(part, WHERE_CACHE, staging, owner, now))
    return sorted(found, key=lambda item: item.modified)


def remove_leftovers(items: Collection[Leftover]) -> int:
    """Delete the given partials and their sidecars; returns the bytes freed."""
    return sum(partials.remove_partial(item.staging_dir, item.partial.key) for item in items)


def _leftover(
    part: partials.PartialFile, where: str, staging: Path, owner: str | None, now: float
) -> Leftover:
    modified = max(_mtime(part.part_path), _mtime(part.sidecar_path))
    return Leftover(part, where, staging, owner, modified, max(0.0, now - modified))


def _library_owner(library: Library, part: partials.PartialFile, queued: Collection[str]) -> str | None:
    sidecar = part.sidecar
    if sidecar is None:
        return None
    if sidecar.repo_id in queued:
        return "queued"
    try:
        root = model_root(library.root, validate_repo_id(sidecar.repo_id))
    except (ValueError, HfGuiError):
        return None
    this_file = ManifestFile(sidecar.path, sidecar.size, sidecar.etag)
    manifest = read_manifest(root)
    if manifest is not None and (sidecar.commit == manifest.commit or this_file in manifest.files):
        return None  # installed at that commit, or with that very file: nothing will resume it
    if read_journal(root).get(sidecar.path) == this_file:
        return None  # verified by the unfinished download already
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


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
