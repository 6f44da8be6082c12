"""The local model library: what is installed, re-verifying it, and deleting models with their partials."""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hfgui.core.engine.planner import STAGING_DIR_NAME, library_lock_file, model_root
from hfgui.core.errors import HfGuiError, ModelNotInstalledError, UnsafePathError
from hfgui.core.globs import matches
from hfgui.core.store import destinations, hfcache, partials, trash
from hfgui.core.store.hashing import checked_etag, file_matches_etag
from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.store.manifest import (
    METADATA_DIR,
    Manifest,
    fetched_in_journal,
    read_damaged,
    read_journal,
    read_manifest,
    read_previous_manifest,
    record_damaged,
    rewrite_journal,
)
from hfgui.core.store.model_lock import READ_ONLY_ERRNOS, model_lock, model_lock_unless_read_only
from hfgui.core.store.pathsafe import safe_join
from hfgui.core.wire.repo_id import validate_repo_id

log = logging.getLogger(__name__)
REFERENCES_DIR = ".hfgui-references"  # one JSON record per model imported by reference
REFERENCE_FORMAT = 1

# Where a listed model lives (InstalledModel.source).
SOURCE_LIBRARY = "library"
SOURCE_HF_CACHE = "hf-cache"
SOURCE_REFERENCE = "reference"
SOURCE_DEST = "dest"  # downloaded with --dest into a folder outside the library (see destinations.py)


class InstallState(enum.Enum):
    INSTALLED = "installed"
    INCOMPLETE = "incomplete"  # a download started and has not finished (resume it)
    MISSING_FILES = "missing-files"  # installed once, files since removed or resized
    DAMAGED = "damaged"  # installed, but a check found files whose content no longer matches
    REFERENCED = "referenced"  # imported by reference: the files stay where the user keeps them


@dataclass(frozen=True)
class InstalledModel:
    repo_id: str
    commit: str | None
    revision: str | None
    root: Path
    size: int  # bytes: the manifest total when installed, bytes on disk otherwise
    file_count: int
    state: InstallState
    source: str = SOURCE_LIBRARY  # "library", "hf-cache" (huggingface_hub's cache), "reference" or "dest"
    model_format: str | None = None  # known for imported models (gguf, mlpackage, onnx, mlx, safetensors)


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
            if _size_or_zero(target, -1) != size:
                return InstallState.MISSING_FILES
        return InstallState.REFERENCED


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

    # --- references (models imported in place) ---------------------------------------------------

    @property
    def references_dir(self) -> Path:
        return self.root / REFERENCES_DIR

    def reference_file(self, repo_id: str) -> Path:
        return self.references_dir / (hfcache.repo_folder_name(validate_repo_id(repo_id)) + ".json")

    def reference(self, repo_id: str) -> Reference | None:
        try:
            return Reference.from_json(read_json(self.reference_file(repo_id)))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def add_reference(self, reference: Reference) -> Path:
        path = self.reference_file(reference.repo_id)
        write_json_atomic(path, reference.to_json())
        return path

    def forget_reference(self, repo_id: str) -> bool:
        """Remove the record only (never the files it points at); True if there was one."""
        try:
            self.reference_file(repo_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def references(self) -> list[Reference]:
        found = []
        if self.references_dir.is_dir():
            for record in sorted(self.references_dir.glob("*.json")):
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    found.append(Reference.from_json(read_json(record)))
        return found

    # --- everything the user has -----------------------------------------------------------------

    def all_models(
        self, cache_dir: Path | None = None, *, include_cache: bool = True, include_dest: bool = False
    ) -> list[InstalledModel]:
        """The library's models, models imported by reference and (unless `include_cache` is False)
        the models in the Hugging Face cache at `cache_dir` (default: huggingface_hub's own cache);
        with `include_dest`, models downloaded with --dest into folders the index knows (source "dest":
        opt-in, since deleting such a row must remove its folder, not the library's copy of that id).

        Sorted by id; a model present in several places is listed once per place.
        """
        models = list(self.installed())
        for ref in self.references():
            models.append(
                InstalledModel(
                    ref.repo_id,
                    None,
                    None,
                    ref.path,
                    ref.size,
                    len(ref.files),
                    ref.state(),
                    SOURCE_REFERENCE,
                    ref.model_format,
                )
            )
        if include_dest:
            models.extend(self.dest_models())
        if include_cache:
            models.extend(cached_models(cache_dir))
        order = {SOURCE_LIBRARY: 0, SOURCE_REFERENCE: 1, SOURCE_DEST: 2, SOURCE_HF_CACHE: 3}
        return sorted(models, key=lambda m: (m.repo_id, order.get(m.source, 3)))

    def destinations(self) -> list[Path]:
        """The `--dest` folders downloads went into that still exist (the library's index)."""
        return [d.path for d in destinations.known_destinations(self.root)]

    def dest_models(self) -> list[InstalledModel]:
        """Models downloaded with --dest into folders the index knows (source "dest")."""
        found = []
        for dest in destinations.known_destinations(self.root):
            model = self._describe_safely(dest.repo_id, dest.path)
            staged = partials.list_partials(dest.path / METADATA_DIR / "staging")
            if model is None and not staged:
                continue  # emptied or never started: nothing of it to show
            if model is None:
                model = InstalledModel(dest.repo_id, None, None, dest.path, 0, 0, InstallState.INCOMPLETE)
            if model.state is InstallState.INCOMPLETE:
                model = replace(model, size=model.size + sum(p.bytes_on_disk for p in staged))
            found.append(replace(model, source=SOURCE_DEST))
        return found

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
                        model = self._describe_safely(f"{owner.name}/{folder.name}", folder)
                        if model is not None:
                            models[model.repo_id] = model
        for repo_id, leftovers in self._partials_by_repo().items():
            size = sum(p.bytes_on_disk for p in leftovers)
            known = models.get(repo_id)
            if known is None:
                root = model_root(self.root, repo_id)
                models[repo_id] = InstalledModel(repo_id, None, None, root, size, 0, InstallState.INCOMPLETE)
            elif known.state is InstallState.INCOMPLETE:  # what it holds so far: files and partials
                models[repo_id] = replace(known, size=known.size + size)
        return [models[k] for k in sorted(models)]

    def _describe_safely(self, repo_id: str, folder: Path) -> InstalledModel | None:
        """_describe, or None for a folder without hfgui's records; one model's damaged or unreadable
        state never hides the others (it is listed as incomplete, the next download repairs it)."""
        if not (folder / METADATA_DIR).is_dir():
            return None
        try:
            return self._describe(repo_id, folder)
        except (OSError, ValueError) as exc:
            log.warning("Could not read the records of %s in %s: %s", repo_id, folder, exc)
            return InstalledModel(repo_id, None, None, folder, 0, 0, InstallState.INCOMPLETE)

    def _describe(self, repo_id: str, folder: Path) -> InstalledModel:
        manifest = read_manifest(folder)
        if manifest is None:
            journal = read_journal(folder)
            size = sum(_size_or_zero(folder / path) for path in journal)
            return InstalledModel(repo_id, None, None, folder, size, len(journal), InstallState.INCOMPLETE)
        intact = all(_size_or_zero(folder / f.path, -1) == f.size for f in manifest.files)
        if not intact:
            state = InstallState.MISSING_FILES
        elif read_damaged(folder):
            state = InstallState.DAMAGED
        else:
            state = InstallState.INSTALLED
        return InstalledModel(
            manifest.repo_id,
            manifest.commit,
            manifest.revision,
            folder,
            manifest.total_bytes,
            len(manifest.files),
            state,
            model_format=manifest.model_format,
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

        Problems are recorded (the model shows as damaged) so the next download fetches only those files.
        """
        root = self.model_root(repo_id)
        manifest = read_manifest(root)
        if manifest is None:
            reference = self.reference(repo_id)
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
        lock = library_lock_file(self.root, repo_id)
        with model_lock_unless_read_only(lock, repo_id, busy_hint=hint) as writable:
            return check_folder(root, read_manifest(root) or manifest, on_file, record=writable)

    # --- removal ---------------------------------------------------------------------------------

    def discard_unfinished(
        self,
        repo_id: str,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        partial_keys: Sequence[str] = (),
    ) -> int:
        """Cancel's clean-up, under the model's lock: delete an unfinished download's partials (of this
        selection, plus `partial_keys`: small files may have no sidecar yet) and the files it already
        verified into the model folder (its journal), never an installed copy's; returns the bytes
        freed. A folder left with nothing of hfgui's goes too, so the model is simply not there."""
        root = self.model_root(repo_id)
        hint = "Stop that download first, then cancel again."
        with model_lock(library_lock_file(self.root, repo_id), repo_id, busy_hint=hint):
            freed = sum(partials.remove_partial(self.staging_dir, key) for key in partial_keys)
            mine = partials.of_selection(self.staging_dir, repo_id, include, exclude)
            freed += partials.remove_partials(self.staging_dir, mine)
            manifest = read_manifest(root)
            installed = {f.path for f in manifest.files} if manifest is not None else set()
            previous = read_previous_manifest(root)  # withdrawn while a re-download replaces files
            installed |= {f.path for f in previous.files} if previous is not None else set()
            journal = read_journal(root)
            fetched = fetched_in_journal(root)
            # Only files this download added: an installed copy's files stay, also where a new version
            # already replaced one (a cancelled repair or re-download leaves the rest of the model).
            doomed = {p for p in fetched if p not in installed and matches(p, include, exclude)}
            for path in sorted(doomed):
                target = safe_join(root, path)
                freed += _size_or_zero(target)
                target.unlink(missing_ok=True)
                _prune_empty(target.parent, root)
            kept = [e for p, e in journal.items() if p not in doomed]
            rewrite_journal(root, kept, fetched - doomed)
            if manifest is None and not kept and not _holds_files(root):
                shutil.rmtree(root, ignore_errors=True)
                with contextlib.suppress(OSError):
                    root.parent.rmdir()  # the owner folder, when this was its last model
            return freed

    def delete(self, repo_id: str) -> int:
        """Remove the model folder and its partial downloads; returns the bytes freed.

        A model imported by reference only loses its record (0 bytes freed): the user's files are
        never touched.
        """
        root = self.model_root(repo_id)
        if self.forget_reference(repo_id):
            return 0
        hint = "Stop that download first (or let it finish), then delete the model."
        with model_lock(library_lock_file(self.root, repo_id), repo_id, busy_hint=hint):
            return self._delete_unlocked(repo_id, root)

    def _delete_unlocked(self, repo_id: str, root: Path) -> int:
        leftovers = self._partials_by_repo().get(repo_id, [])
        present = os.path.lexists(root)
        if not present and not leftovers:
            raise ModelNotInstalledError(repo_id)
        freed = 0
        if present:
            self._refuse_unsafe_delete(repo_id, root)
            freed += _tree_size(root)
            # Renamed out of the library first (links inside are removed, never followed): a kill
            # half-way leaves a leftover that `partials` shows, never model files nothing lists.
            trash.remove_model_folder(self.root, repo_id, root)
        freed += partials.remove_partials(self.staging_dir, leftovers)
        try:
            root.parent.rmdir()  # the owner folder, when this was its last model
        except OSError:
            pass
        return freed

    def _refuse_unsafe_delete(self, repo_id: str, root: Path) -> None:
        """Only a real folder inside the library that holds no referenced model's files may go."""
        if root.is_symlink():
            raise HfGuiError(
                f"{root} is a link (to {os.readlink(root)}), not a folder hfgui made; nothing was deleted.",
                "Remove the link yourself if it is no longer needed.",
            )
        real = Path(os.path.realpath(root))
        library = Path(os.path.realpath(self.root))
        if library not in real.parents:
            raise HfGuiError(
                f"The folder of {repo_id} leads outside the library (to {real}); nothing was deleted.",
                f"Check the links in {self.root}; remove that folder yourself if you are sure.",
            )
        for ref in self.references():
            held = Path(os.path.realpath(ref.path))
            if held == real or real in held.parents or held in real.parents:
                raise HfGuiError(
                    f"{root} holds files of {ref.repo_id}, which was imported by reference;"
                    " nothing was deleted.",
                    f"Remove that reference first with: hfgui delete {ref.repo_id}",
                )


def cached_models(cache_dir: Path | None = None) -> list[InstalledModel]:
    """Models in a Hugging Face cache (default: huggingface_hub's), as the library lists them ("hf-cache").

    Each shows its latest revision (what `main` points to); size is the repo's bytes on disk.
    """
    listed = []
    for model in hfcache.cached_models(cache_dir):
        latest = model.latest
        # A snapshot holding some of a repository's files is a selection (one GGUF file, say), not an
        # unfinished download; that is what partial downloads waiting in the repo's folder mean.
        state = InstallState.INCOMPLETE if model.unfinished else InstallState.INSTALLED
        listed.append(
            InstalledModel(
                model.repo_id,
                latest.commit,
                ",".join(latest.refs) or None,
                latest.path,
                model.size_on_disk,
                len(latest.files),
                state,
                SOURCE_HF_CACHE,
            )
        )
    return listed


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
        actual = _size_or_zero(target, -1)
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


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove `folder` and its parents up to (not including) `root` while they are empty."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _holds_files(root: Path) -> bool:
    """Any file in the model folder outside hfgui's own metadata folder."""
    for _folder, dirnames, filenames in os.walk(root):
        if filenames:
            return True
        dirnames[:] = [d for d in dirnames if d != METADATA_DIR]
    return False


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
