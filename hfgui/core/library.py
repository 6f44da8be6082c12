"""The local model library: what is installed, re-verifying it, and deleting models with their partials."""

from __future__ import annotations

import enum
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hfgui.core import partials
from hfgui.core.errors import ModelNotInstalledError
from hfgui.core.hashing import file_matches_etag
from hfgui.core.manifest import (
    METADATA_DIR,
    Manifest,
    append_journal,
    clear_journal,
    read_journal,
    read_manifest,
    remove_manifest,
)
from hfgui.core.planner import STAGING_DIR_NAME, model_root
from hfgui.core.repo_id import validate_repo_id


class InstallState(enum.Enum):
    INSTALLED = "installed"
    INCOMPLETE = "incomplete"  # a download started and has not finished (resume it)
    MISSING_FILES = "missing-files"  # installed once, files since removed or resized


@dataclass(frozen=True)
class InstalledModel:
    repo_id: str
    commit: str | None
    revision: str | None
    root: Path
    size: int  # bytes: the manifest total when installed, bytes on disk otherwise
    file_count: int
    state: InstallState


@dataclass(frozen=True)
class Problem:
    path: str
    kind: str  # "missing", "size" or "hash"
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


class Library:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def staging_dir(self) -> Path:
        return self.root / STAGING_DIR_NAME

    def model_root(self, repo_id: str) -> Path:
        return model_root(self.root, validate_repo_id(repo_id))

    def manifest(self, repo_id: str) -> Manifest | None:
        return read_manifest(self.model_root(repo_id))

    # --- listing ---------------------------------------------------------------------------------

    def installed(self) -> list[InstalledModel]:
        """Every model folder in the library, plus downloads that so far exist only as partials."""
        models: dict[str, InstalledModel] = {}
        if self.root.is_dir():
            for owner in sorted(self.root.iterdir()):
                if not owner.is_dir() or owner.name.startswith("."):
                    continue
                for folder in sorted(owner.iterdir()):
                    if (folder / METADATA_DIR).is_dir():
                        model = self._describe(f"{owner.name}/{folder.name}", folder)
                        models[model.repo_id] = model
        for repo_id, leftovers in self._partials_by_repo().items():
            if repo_id not in models:
                size = sum(p.bytes_on_disk for p in leftovers)
                root = model_root(self.root, repo_id)
                models[repo_id] = InstalledModel(repo_id, None, None, root, size, 0, InstallState.INCOMPLETE)
        return [models[k] for k in sorted(models)]

    def _describe(self, repo_id: str, folder: Path) -> InstalledModel:
        manifest = read_manifest(folder)
        if manifest is None:
            journal = read_journal(folder)
            size = sum(_size_or_zero(folder / path) for path in journal)
            return InstalledModel(repo_id, None, None, folder, size, len(journal), InstallState.INCOMPLETE)
        intact = all(_size_or_zero(folder / f.path, -1) == f.size for f in manifest.files)
        return InstalledModel(
            manifest.repo_id,
            manifest.commit,
            manifest.revision,
            folder,
            manifest.total_bytes,
            len(manifest.files),
            InstallState.INSTALLED if intact else InstallState.MISSING_FILES,
        )

    def _partials_by_repo(self) -> dict[str, list[partials.PartialFile]]:
        grouped: dict[str, list[partials.PartialFile]] = {}
        for leftover in partials.list_partials(self.staging_dir):
            if leftover.repo_id:
                grouped.setdefault(leftover.repo_id, []).append(leftover)
        return grouped

    # --- verification ----------------------------------------------------------------------------

    def check(self, repo_id: str, on_file: Callable[[str], None] | None = None) -> list[Problem]:
        """Re-hash every installed file against the manifest; an empty list means all is well.

        A model with problems stops counting as installed: its manifest is replaced by a journal of the
        intact files, so the next download fetches only the damaged ones.
        """
        root = self.model_root(repo_id)
        manifest = read_manifest(root)
        if manifest is None:
            raise ModelNotInstalledError(repo_id)
        problems: list[Problem] = []
        for entry in manifest.files:
            if on_file is not None:
                on_file(entry.path)
            target = root / entry.path
            actual = _size_or_zero(target, -1)
            if actual < 0 or not target.is_file():
                problems.append(Problem(entry.path, "missing", "missing"))
            elif actual != entry.size:
                problems.append(Problem(entry.path, "size", f"has {actual} bytes, expected {entry.size}"))
            elif not file_matches_etag(target, entry.etag, entry.size):
                problems.append(Problem(entry.path, "hash", "content does not match its hash (corrupted)"))
        if problems:
            self._mark_incomplete(root, manifest, {p.path for p in problems})
        return problems

    @staticmethod
    def _mark_incomplete(root: Path, manifest: Manifest, damaged: set[str]) -> None:
        clear_journal(root)
        for entry in manifest.files:
            if entry.path not in damaged:
                append_journal(root, manifest.commit, entry)
        remove_manifest(root)

    # --- removal ---------------------------------------------------------------------------------

    def delete(self, repo_id: str) -> int:
        """Remove the model folder and its partial downloads; returns the bytes freed."""
        root = self.model_root(repo_id)
        leftovers = self._partials_by_repo().get(repo_id, [])
        if not root.exists() and not leftovers:
            raise ModelNotInstalledError(repo_id)
        freed = 0
        if root.exists():
            freed += _tree_size(root)
            shutil.rmtree(root)
        freed += partials.remove_partials(self.staging_dir, leftovers)
        try:
            root.parent.rmdir()  # the owner folder, when this was its last model
        except OSError:
            pass
        return freed


def _size_or_zero(path: Path, missing: int = 0) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return missing


def _tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total
