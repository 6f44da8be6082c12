"""Partial downloads in the staging folder: `<key>.part` bytes plus a `<key>.json` sidecar describing them.

The sidecar lets a later run (after Ctrl-C, a crash or kill -9) resume a file, and lets the library list
and remove leftovers. It never holds a token or a signed CDN URL, only the Hub resolve URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hfgui.core.globs import matches
from hfgui.core.store.jsonio import write_json_atomic

PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".json"
SIDECAR_VERSION = 1


def partial_key(repo_id: str, path: str, etag: str) -> str:
    """Stable file name for one file version: the same content resumes, another version never mixes in."""
    return hashlib.sha256(f"{repo_id}\0{path}\0{etag}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Segment:
    """Byte range [start, end) of a segmented download; bytes [start, done) are on disk."""

    start: int
    end: int
    done: int

    @property
    def remaining(self) -> int:
        return self.end - self.done


@dataclass(frozen=True)
class Sidecar:
    url: str
    repo_id: str
    commit: str
    path: str
    etag: str
    size: int
    segments: tuple[Segment, ...] | None = None  # None: one stream, resume offset = partial file size
    updated_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SIDECAR_VERSION,
            "url": self.url,
            "repo": self.repo_id,
            "commit": self.commit,
            "path": self.path,
            "etag": self.etag,
            "size": self.size,
            "segments": None if self.segments is None else [[s.start, s.end, s.done] for s in self.segments],
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_json(cls, data: Any) -> Sidecar:
        """Parse a sidecar; ValueError when it is not one we wrote."""
        try:
            if data["version"] != SIDECAR_VERSION:
                raise ValueError(f"unknown sidecar version {data['version']!r}")
            raw_segments = data.get("segments")
            segments = None
            if raw_segments is not None:
                segments = tuple(Segment(int(a), int(b), int(c)) for a, b, c in raw_segments)
                if any(not (s.start <= s.done <= s.end) for s in segments):
                    raise ValueError("segment progress out of range")
            return cls(
                url=str(data["url"]),
                repo_id=str(data["repo"]),
                commit=str(data["commit"]),
                path=str(data["path"]),
                etag=str(data["etag"]),
                size=int(data["size"]),
                segments=segments,
                updated_at=float(data.get("updated_at", 0.0)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed sidecar: {exc}") from exc


@dataclass(frozen=True)
class PartialFile:
    """One leftover in the staging folder, as the library view lists it."""

    key: str
    part_path: Path
    sidecar_path: Path
    bytes_on_disk: int  # allocated size of the .part (segmented partials are preallocated)
    bytes_done: int  # how much of the file is really downloaded
    sidecar: Sidecar | None  # None when missing or unreadable

    @property
    def repo_id(self) -> str | None:
        return self.sidecar.repo_id if self.sidecar else None

    @property
    def path(self) -> str | None:
        return self.sidecar.path if self.sidecar else None


def part_path(staging_dir: Path, key: str) -> Path:
    return Path(staging_dir) / f"{key}{PART_SUFFIX}"


def sidecar_path(staging_dir: Path, key: str) -> Path:
    return Path(staging_dir) / f"{key}{SIDECAR_SUFFIX}"


def read_sidecar(path: Path) -> Sidecar | None:
    """The sidecar at `path`, or None when it is missing, truncated or not ours."""
    try:
        with open(path, encoding="utf-8") as handle:
            return Sidecar.from_json(json.load(handle))
    except (OSError, ValueError):
        return None


def write_sidecar(path: Path, sidecar: Sidecar) -> None:
    data = sidecar.to_json()
    data["updated_at"] = time.time()
    # Not fsynced: a sidecar lost in a power cut only means the partial is fetched again, and the
    # final hash check catches any disagreement between a sidecar and its partial.
    write_json_atomic(Path(path), data, durable=False)


def _bytes_done(part: Path, size_on_disk: int, sidecar: Sidecar | None) -> int:
    if sidecar is not None and sidecar.segments is not None:
        return sum(s.done - s.start for s in sidecar.segments)
    return size_on_disk


def list_partials(staging_dir: Path) -> list[PartialFile]:
    """Every partial download left in the staging folder (also ones without a readable sidecar)."""
    staging = Path(staging_dir)
    if not staging.is_dir():
        return []
    keys = {p.name[: -len(PART_SUFFIX)] for p in staging.glob(f"*{PART_SUFFIX}")}
    keys |= {
        p.name[: -len(SIDECAR_SUFFIX)]
        for p in staging.glob(f"*{SIDECAR_SUFFIX}")
        if not p.name.startswith(".")
    }
    found = []
    for key in sorted(keys):
        part = part_path(staging, key)
        side = sidecar_path(staging, key)
        try:
            size = part.stat().st_size
        except FileNotFoundError:
            size = 0
        sidecar = read_sidecar(side)
        found.append(PartialFile(key, part, side, size, _bytes_done(part, size, sidecar), sidecar))
    return found


def remove_partial(staging_dir: Path, key: str) -> int:
    """Delete a partial and its sidecar; returns the bytes freed."""
    freed = 0
    for target in (part_path(staging_dir, key), sidecar_path(staging_dir, key)):
        with contextlib.suppress(FileNotFoundError):
            freed += target.stat().st_size
            os.unlink(target)
    return freed


def of_selection(
    staging_dir: Path, repo_id: str, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[PartialFile]:
    """The partials in the folder that belong to these files of this repository (by their sidecars)."""
    return [
        p
        for p in list_partials(staging_dir)
        if p.repo_id == repo_id and p.path is not None and matches(p.path, include, exclude)
    ]


def drop_superseded(staging_dir: Path, repo_id: str, wanted: Mapping[str, str]) -> int:
    """Remove this repository's partials of files in `wanted` (path -> etag) that hold another version:
    the upstream file changed since, so nothing will ever resume them. Returns the bytes freed."""
    stale = [
        p
        for p in list_partials(staging_dir)
        if p.sidecar is not None
        and p.sidecar.repo_id == repo_id
        and p.sidecar.path in wanted
        and p.sidecar.etag != _bare_etag(wanted[p.sidecar.path])
    ]
    return remove_partials(staging_dir, stale)


def _bare_etag(etag: str) -> str:
    etag = etag.strip()
    return (etag[2:] if etag.startswith("W/") else etag).strip('"')


def remove_partials(staging_dir: Path, partials: list[PartialFile] | None = None) -> int:
    """Delete the given partials (all of them when None); returns the bytes freed."""
    chosen = list_partials(staging_dir) if partials is None else partials
    return sum(remove_partial(staging_dir, p.key) for p in chosen)


_WRITE_LOCK = threading.Lock()  # only for platforms without os.pwrite (Windows): seek + write must pair up


def write_at(fd: int, data: bytes | memoryview, offset: int) -> None:
    """Write all of `data` at `offset`; safe from several threads on one fd. OSError (ENOSPC) propagates."""
    view = memoryview(data)
    while view:
        if hasattr(os, "pwrite"):
            n = os.pwrite(fd, view, offset)
        else:
            with _WRITE_LOCK:
                os.lseek(fd, offset, os.SEEK_SET)
                n = os.write(fd, view)
        view = view[n:]
        offset += n
