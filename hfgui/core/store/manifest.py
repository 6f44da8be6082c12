"""The per-model record of what was installed: `<model root>/.hfgui/manifest.json` plus a resume journal.

The manifest is the single marker of an installed model; it is written atomically, and only once every
file verified. While a download is under way, each verified file is appended to a journal
(`.hfgui/verified.jsonl`) so a resumed run can skip it without re-hashing. Files a check found damaged
are listed in `.hfgui/damaged.json` until a new manifest (a repair, an update) supersedes it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hfgui.core.store.jsonio import write_json_atomic

log = logging.getLogger(__name__)
_REPORTED: set[tuple[str, int]] = set()  # journal lines already reported as unreadable
METADATA_DIR = ".hfgui"
MANIFEST_NAME = "manifest.json"
JOURNAL_NAME = "verified.jsonl"
DAMAGED_NAME = "damaged.json"
PREVIOUS_NAME = "previous-manifest.json"  # the manifest a download withdrew while it replaces files
FORMAT_VERSION = 1
LOCAL_OWNER = "local"  # imported models without a Hub id: <library>/local/<name>
LOCAL_COMMIT = "local"  # what an imported copy records as its commit: it has none on the Hub


@dataclass(frozen=True)
class ManifestFile:
    path: str  # repo-relative, "/" separated
    size: int
    etag: str  # sha256 for LFS files, git blob sha1 otherwise


@dataclass(frozen=True)
class Manifest:
    repo_id: str
    revision: str
    commit: str
    files: tuple[ManifestFile, ...]
    completed_at: float  # seconds since the epoch
    include: tuple[str, ...] | None = None  # the download's selection (None: not recorded, older manifest)
    exclude: tuple[str, ...] = ()
    origin: str | None = None  # set for imported models: the folder or file they came from
    model_format: str | None = None  # set for imported models: gguf, mlpackage, onnx, mlx, safetensors…

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_json(self) -> dict:
        data = {
            "format": FORMAT_VERSION,
            "repo": self.repo_id,
            "revision": self.revision,
            "commit": self.commit,
            "files": [{"path": f.path, "size": f.size, "etag": f.etag} for f in self.files],
            "total": self.total_bytes,
            "completed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.completed_at)),
            "time": self.completed_at,
        }
        if self.include is not None:
            data["include"] = list(self.include)
            data["exclude"] = list(self.exclude)
        if self.origin is not None:
            data["origin"] = self.origin
        if self.model_format is not None:
            data["model_format"] = self.model_format
        return data

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        files = tuple(ManifestFile(str(f["path"]), int(f["size"]), str(f["etag"])) for f in data["files"])
        include = data.get("include")
        return cls(
            repo_id=str(data["repo"]),
            revision=str(data.get("revision", "")),
            commit=str(data["commit"]),
            files=files,
            completed_at=float(data.get("time", 0.0)),
            include=None if include is None else tuple(str(p) for p in include),
            exclude=tuple(str(p) for p in data.get("exclude") or ()),
            origin=None if data.get("origin") is None else str(data["origin"]),
            model_format=None if data.get("model_format") is None else str(data["model_format"]),
        )


def metadata_dir(model_root: Path) -> Path:
    return model_root / METADATA_DIR


def manifest_path(model_root: Path) -> Path:
    return metadata_dir(model_root) / MANIFEST_NAME


def journal_path(model_root: Path) -> Path:
    return metadata_dir(model_root) / JOURNAL_NAME


def read_manifest(model_root: Path) -> Manifest | None:
    """The installed manifest, or None when absent or unreadable (a broken manifest means "not installed")."""
    return _load_manifest(manifest_path(model_root))


def _load_manifest(path: Path) -> Manifest | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return Manifest.from_json(json.load(fh))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(model_root: Path, manifest: Manifest) -> Path:
    """Write atomically (temp file in the same folder, fsync, rename): a crash never leaves half of it.

    A new manifest lists freshly verified files, so an earlier finding of damage no longer applies.
    """
    target = manifest_path(model_root)
    write_json_atomic(target, manifest.to_json())
    damaged_path(model_root).unlink(missing_ok=True)
    previous_path(model_root).unlink(missing_ok=True)
    return target


def previous_path(model_root: Path) -> Path:
    return metadata_dir(model_root) / PREVIOUS_NAME


def read_previous_manifest(model_root: Path) -> Manifest | None:
    """The manifest an unfinished download withdrew (demote_to_journal): what the folder held before."""
    return _load_manifest(previous_path(model_root))


def damaged_path(model_root: Path) -> Path:
    return metadata_dir(model_root) / DAMAGED_NAME


def record_damaged(model_root: Path, paths: Iterable[str]) -> None:
    """Note the files a check found missing or corrupt (none: forget any earlier finding).

    The model stays installed but is shown as damaged, and the next download of it re-hashes these
    files instead of trusting their records, so it fetches exactly the damaged ones.
    """
    listed = sorted(set(paths))
    if listed:
        write_json_atomic(damaged_path(model_root), {"format": FORMAT_VERSION, "files": listed})
    else:
        damaged_path(model_root).unlink(missing_ok=True)


def read_damaged(model_root: Path) -> frozenset[str]:
    try:
        with open(damaged_path(model_root), encoding="utf-8") as fh:
            return frozenset(str(p) for p in json.load(fh)["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


def remove_manifest(model_root: Path) -> None:
    manifest_path(model_root).unlink(missing_ok=True)


def append_journal(model_root: Path, commit: str, entry: ManifestFile, *, fetched: bool = False) -> None:
    """Record one verified file; one JSON object a line, so a torn last line only loses that one record.

    ``fetched``: this run downloaded it (Cancel deletes those), rather than kept it from an installed copy.
    """
    append_journal_records(model_root, [(commit, entry)], fetched=fetched)


def append_journal_records(
    model_root: Path, records: list[tuple[str, ManifestFile]], *, fetched: bool = False
) -> None:
    """append_journal for several (commit, file) records at once: one open, one write."""
    path = journal_path(model_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for commit, entry in records:
        record = {"commit": commit, "path": entry.path, "size": entry.size, "etag": entry.etag}
        if fetched:
            record["fetched"] = True
        lines.append(json.dumps(record) + "\n")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(lines))


def read_journal(model_root: Path) -> dict[str, ManifestFile]:
    """Verified files recorded by an unfinished run, keyed by path (later lines win)."""
    records: dict[str, ManifestFile] = {}
    for data in _journal_records(model_root):
        try:
            entry = ManifestFile(str(data["path"]), int(data["size"]), str(data["etag"]))
        except (KeyError, TypeError, ValueError):
            continue
        records[entry.path] = entry
    return records


def fetched_in_journal(model_root: Path) -> set[str]:
    """Paths the journal records as downloaded by an unfinished run (the latest record of each counts)."""
    fetched: dict[str, bool] = {}
    for data in _journal_records(model_root):
        try:
            fetched[str(data["path"])] = bool(data.get("fetched"))
        except (KeyError, TypeError):
            continue
    return {path for path, was_fetched in fetched.items() if was_fetched}


def _journal_records(model_root: Path) -> Iterator[Any]:
    """The journal's parsed lines in order; a torn, garbled or undecodable line is skipped and logged.

    Read as bytes and decoded line by line: one damaged byte costs one record (that file is then
    checked again), never the whole journal, the model or the listing it is part of.
    """
    path = journal_path(model_root)
    try:
        with open(path, "rb") as fh:
            raw_lines = fh.read().splitlines()
    except OSError:
        return
    for number, raw in enumerate(raw_lines, 1):
        if not raw.strip():
            continue
        try:
            yield json.loads(raw.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError included
            if (str(path), number) not in _REPORTED:  # once per process, however often it is read
                _REPORTED.add((str(path), number))
                log.warning("Skipped unreadable line %d of %s (that file is checked again)", number, path)


def clear_journal(model_root: Path) -> None:
    journal_path(model_root).unlink(missing_ok=True)


def rewrite_journal(model_root: Path, entries: Iterable[ManifestFile], fetched: set[str]) -> None:
    """Replace the journal with these records (none: remove it), `fetched` marking the downloaded ones."""
    entries = list(entries)
    clear_journal(model_root)
    for entry in entries:
        append_journal(model_root, "", entry, fetched=entry.path in fetched)


def demote_to_journal(model_root: Path, manifest: Manifest, changing: set[str]) -> None:
    """Stop counting a model as installed: its files except `changing` become the resume journal.

    Used before files the manifest lists are replaced, so the folder is never
    described by a manifest it no longer matches; the journal lets the next run skip the rest.
    """
    clear_journal(model_root)
    for entry in manifest.files:
        if entry.path not in changing:
            append_journal(model_root, manifest.commit, entry)
    # Kept until a new manifest replaces it: a resumed run still knows the model's selection, and
    # Cancel knows which files were the installed copy's.
    write_json_atomic(previous_path(model_root), manifest.to_json())
    remove_manifest(model_root)
