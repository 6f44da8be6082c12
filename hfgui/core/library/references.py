"""Models imported by reference: a small JSON record per model in the library; their files stay the user's."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.library.model_state import SOURCE_REFERENCE, InstalledModel, InstallState, file_size
from hfgui.core.store.hfcache import repo_folder_name
from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.wire.repo_id import validate_repo_id

REFERENCES_DIR = ".hfgui-references"  # one JSON record per model imported by reference
REFERENCE_FORMAT = 1


@dataclass(frozen=True)
class Reference:
    """A model imported by reference: hfgui lists it but never writes to or deletes its files."""

    repo_id: str
    path: Path  # the user's file or folder
    model_format: str
    files: tuple[tuple[str, int], ...]  # (relative path, size) when imported; "" for a single file
    added_at: float

    @property
    def size(self) -> int:
        return sum(size for _, size in self.files)

    def to_json(self) -> dict:
        return {
            "format": REFERENCE_FORMAT,
            "repo": self.repo_id,
            "path": str(self.path),
            "model_format": self.model_format,
            "files": [{"path": p, "size": n} for p, n in self.files],
            "added_at": self.added_at,
        }

    @classmethod
    def from_json(cls, data: dict) -> Reference:
        return cls(
            repo_id=validate_repo_id(str(data["repo"])),
            path=Path(str(data["path"])),
            model_format=str(data.get("model_format") or "other"),
            files=tuple((str(f["path"]), int(f["size"])) for f in data.get("files", ())),
            added_at=float(data.get("added_at", 0.0)),
        )

    def state(self) -> InstallState:
        """REFERENCED while every recorded file is there with its size, MISSING_FILES otherwise."""
        for rel, size in self.files:
            target = self.path / rel if rel else self.path
            if file_size(target, -1) != size:
                return InstallState.MISSING_FILES
        return InstallState.REFERENCED

    def listed(self) -> InstalledModel:
        """The row the library lists for it (source "reference")."""
        return InstalledModel(
            self.repo_id,
            None,
            None,
            self.path,
            self.size,
            len(self.files),
            self.state(),
            SOURCE_REFERENCE,
            self.model_format,
        )


def references_dir(library_root: Path) -> Path:
    return Path(library_root) / REFERENCES_DIR


def reference_file(library_root: Path, repo_id: str) -> Path:
    return references_dir(library_root) / (repo_folder_name(validate_repo_id(repo_id)) + ".json")


def read_reference(library_root: Path, repo_id: str) -> Reference | None:
    """The record of `repo_id`; None when there is none or it cannot be read."""
    try:
        return Reference.from_json(read_json(reference_file(library_root, repo_id)))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_reference(library_root: Path, reference: Reference) -> Path:
    path = reference_file(library_root, reference.repo_id)
    write_json_atomic(path, reference.to_json())
    return path


def forget_reference(library_root: Path, repo_id: str) -> bool:
    """Remove the record only (never the files it points at); True if there was one."""
    try:
        reference_file(library_root, repo_id).unlink()
    except FileNotFoundError:
        return False
    return True


def all_references(library_root: Path) -> list[Reference]:
    """Every readable record, sorted by file name; unreadable ones are skipped."""
    found = []
    folder = references_dir(library_root)
    if folder.is_dir():
        for record in sorted(folder.glob("*.json")):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                found.append(Reference.from_json(read_json(record)))
    return found
