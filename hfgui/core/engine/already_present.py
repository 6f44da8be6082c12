"""What a destination already holds of a plan: files verified before (trusted by their record, hashed
when there is none) and partials a download can resume."""

from __future__ import annotations

from pathlib import Path

from hfgui.core.engine.file_task import FileTask
from hfgui.core.store import hfcache, partials
from hfgui.core.store.hashing import file_matches_etag
from hfgui.core.store.manifest import Manifest, ManifestFile, read_damaged, read_journal


def recorded_files(root: Path, manifest: Manifest | None) -> dict[str, ManifestFile]:
    """The files the manifest and the resume journal record as verified, less those a check found damaged."""
    known: dict[str, ManifestFile] = {}
    if manifest is not None:
        known.update({f.path: f for f in manifest.files})
    known.update(read_journal(root))
    for path in read_damaged(root):  # found corrupt by a check: re-hash instead of trusting the record
        known.pop(path, None)
    return known


def already_verified(target: Path, entry: ManifestFile, known: dict[str, ManifestFile]) -> bool:
    """Trust a manifest/journal record when the size still matches; hash only files we have no record of."""
    try:
        if not target.is_file() or target.stat().st_size != entry.size:
            return False
    except OSError:
        return False
    record = known.get(entry.path)
    if record is not None:
        if record.etag == entry.etag and record.size == entry.size:
            return True
        return False  # recorded as another version: it must be replaced
    return file_matches_etag(target, entry.etag, entry.size)


def bytes_in_partial(staging_dir: Path, task: FileTask) -> int:
    """Bytes a partial of this file version holds (a segmented one: the bytes its segments hold)."""
    key = task.partial_key
    part = partials.part_path(staging_dir, key)
    try:
        size = part.stat().st_size
    except OSError:
        return 0
    sidecar = partials.read_sidecar(partials.sidecar_path(staging_dir, key))
    if sidecar is not None and sidecar.segments is not None:
        return sum(s.done - s.start for s in sidecar.segments)
    return size


def in_cache(target: hfcache.CacheTarget, entry: ManifestFile) -> bool:
    """Cache mode: the snapshot already links the file, or the cache holds its blob (linked later)."""
    return hfcache.file_installed(target, entry.path, entry.size, entry.etag) or hfcache.blob_available(
        target, entry.etag, entry.size
    )
