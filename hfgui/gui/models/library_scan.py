"""Background reads of the library folder (and the Hugging Face cache, and imported references): which
catalog models are installed or half-downloaded, how much space they use, and how much is free.
Runs on a worker thread, returns plain values."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hfgui.core.engine.diskspace import free_bytes
from hfgui.core.library.catalog import path_matches
from hfgui.core.library.installed import (
    SOURCE_HF_CACHE,
    SOURCE_LIBRARY,
    SOURCE_REFERENCE,
    InstalledModel,
    InstallState,
    Library,
)
from hfgui.core.store import hfcache, partials
from hfgui.core.store.jsonio import read_json
from hfgui.core.store.manifest import read_journal, read_manifest
from hfgui.gui.models.rows import ModelEntry


@dataclass(frozen=True)
class LibraryState:
    root: Path
    installed: frozenset[str] = frozenset()  # model keys whose files are all installed and verified
    incomplete: frozenset[str] = frozenset()  # keys with partial downloads or an unfinished install
    sizes: dict[str, int] = field(default_factory=dict)  # repo id -> bytes on disk in the library
    used_bytes: int = 0
    free_bytes: int | None = None
    # Installed keys whose copy lives outside the library folder: key -> where ("hf-cache" or "reference").
    elsewhere: dict[str, InstalledModel] = field(default_factory=dict)
    damaged: frozenset[str] = frozenset()  # installed keys with files missing or found corrupt
    entry_sizes: dict[str, int] = field(default_factory=dict)  # installed key -> bytes of its files


def scan_library(
    root: Path, entries: Sequence[ModelEntry], cache_dir: Path | None = None, *, include_cache: bool = True
) -> LibraryState:
    """Which entries are installed: in the library, imported by reference, or in the Hugging Face cache."""
    library = Library(root)
    places: dict[str, list[InstalledModel]] = {}
    for model in library.all_models(cache_dir, include_cache=include_cache):
        places.setdefault(model.repo_id, []).append(model)  # library first, then reference, then cache
    installed: set[str] = set()
    incomplete: set[str] = set()
    damaged: set[str] = set()
    elsewhere: dict[str, InstalledModel] = {}
    entry_sizes: dict[str, int] = {}
    unfinished = _unfinished_paths(library, places)
    for entry in entries:
        found = places.get(entry.repo_id, [])
        for model in found:
            files = _files_of(library, model)
            if _holds_entry(model, entry, files):
                installed.add(entry.key)
                entry_sizes[entry.key] = sum(
                    size for path, size in files if path_matches(path, entry.include, entry.exclude)
                )
                if model.source != SOURCE_LIBRARY:
                    elsewhere[entry.key] = model
                break
        else:
            own = next((m for m in found if m.source == SOURCE_LIBRARY), None)
            selected = [
                p for p in unfinished.get(entry.repo_id, ()) if path_matches(p, entry.include, entry.exclude)
            ]
            if own is not None and own.state in _DAMAGED_STATES and _lists_entry(own, entry):
                damaged.add(entry.key)
            elif selected:  # a download of it has begun (partials or verified files): resumable
                incomplete.add(entry.key)
            # else: not downloaded, e.g. another quantisation of a repo that is installed
    try:
        free = free_bytes(root)
    except OSError:
        free = None
    sizes = {repo: models[0].size for repo, models in places.items() if models[0].source == SOURCE_LIBRARY}
    return LibraryState(
        root,
        frozenset(installed),
        frozenset(incomplete),
        sizes,
        sum(sizes.values()),
        free,
        elsewhere,
        frozenset(damaged),
        entry_sizes,
    )


_DAMAGED_STATES = (InstallState.MISSING_FILES, InstallState.DAMAGED)


def _unfinished_paths(library: Library, places: dict[str, list[InstalledModel]]) -> dict[str, set[str]]:
    """Per repository in the library: files an unfinished download has begun (partials) or verified
    but not yet installed (its journal) — what makes an entry of that repository a download to resume."""
    found: dict[str, set[str]] = {}
    for leftover in partials.list_partials(library.staging_dir):
        if leftover.repo_id and leftover.path:
            found.setdefault(leftover.repo_id, set()).add(leftover.path)
    for repo_id, models in places.items():
        for model in models:
            if model.source == SOURCE_LIBRARY and model.root.is_dir():
                manifest = read_manifest(model.root)
                listed = {f.path for f in manifest.files} if manifest else set()
                journal = set(read_journal(model.root)) - listed
                if journal:
                    found.setdefault(repo_id, set()).update(journal)
    return found


def _lists_entry(model: InstalledModel, entry: ModelEntry) -> bool:
    """The model's manifest lists files this entry selects (so its damage is this entry's too)."""
    manifest = read_manifest(model.root)
    return manifest is not None and any(
        path_matches(f.path, entry.include, entry.exclude) for f in manifest.files
    )


def _holds_entry(model: InstalledModel, entry: ModelEntry, files: list[tuple[str, int]]) -> bool:
    """Whether a place (see `_files_of`) holds this entry's files."""
    if model.source == SOURCE_HF_CACHE:
        listed = _cached_listing(model)
        if listed:  # a snapshot may hold a selection: it must hold every file this entry selects
            wanted = {p for p in listed if path_matches(p, entry.include, entry.exclude)}
            return bool(wanted) and wanted <= {path for path, _size in files}
    if model.state in (InstallState.INSTALLED, InstallState.REFERENCED):
        return any(path_matches(path, entry.include, entry.exclude) for path, _size in files)
    return False


def _cached_listing(model: InstalledModel) -> list[str]:
    """The commit's full file list that hfgui keeps next to a cached snapshot (hfcache's trees/ folder)."""
    if model.commit is None:
        return []
    try:
        data = read_json(model.root.parent.parent / "trees" / f"{model.commit}.json")
    except (OSError, ValueError):
        return []
    files = data.get("files") if isinstance(data, dict) else None
    return list(files) if isinstance(files, dict) else []


def _files_of(library: Library, model: InstalledModel) -> list[tuple[str, int]]:
    """The repository paths a place holds (what the catalog entry's globs are matched against), each
    with its size."""
    if model.source == SOURCE_LIBRARY:
        manifest = read_manifest(model.root)
        return [(f.path, f.size) for f in manifest.files] if manifest else []
    if model.source == SOURCE_REFERENCE:
        ref = library.reference(model.repo_id)
        if ref is None:
            return []
        return [(p or ref.path.name, size) for p, size in ref.files]
    files = []
    for folder, _dirs, names in os.walk(model.root):
        base = Path(folder).relative_to(model.root)
        for name in names:
            try:
                size = os.stat(os.path.join(folder, name)).st_size  # a snapshot's links lead to blobs
            except OSError:
                size = 0
            files.append(((base / name).as_posix(), size))
    return files


INSTALLED_FILE_STATES = {
    SOURCE_LIBRARY: "Verified",  # hashed against the Hub's listing when downloaded
    SOURCE_REFERENCE: "Imported",
    SOURCE_HF_CACHE: "In the Hugging Face cache",
}


def installed_files(
    root: Path, entry: ModelEntry, where: InstalledModel | None = None
) -> tuple[list[tuple[str, int]], str]:
    """The files of an installed entry (path, size) and what to say of each: from the library's
    manifest, or from ``where`` (its place in the Hugging Face cache or an import)."""
    library = Library(root)
    if where is None:
        where = next((m for m in library.all_models(include_cache=False) if m.repo_id == entry.repo_id), None)
        if where is None:
            return [], INSTALLED_FILE_STATES[SOURCE_LIBRARY]
    files = [f for f in _files_of(library, where) if path_matches(f[0], entry.include, entry.exclude)]
    return sorted(files), INSTALLED_FILE_STATES.get(where.source, "Installed")


def discard_partials(
    root: Path, entry: ModelEntry, cache_dir: Path | None = None, partial_keys: Sequence[str] = ()
) -> int:
    """Delete what ``entry``'s unfinished download left (Cancel): its partial files, and the files it
    already verified into the library's model folder (never an installed manifest's); returns the
    bytes freed.

    ``cache_dir``: also the partials a download into that Hugging Face cache left in the repo's folder
    there (files it finished are cache blobs like any other, shared with huggingface_hub, and stay).
    ``partial_keys``: the download's own partials by name (small files may have no sidecar yet); a key
    names one file of one commit, so it is looked for in both places.
    """
    freed = Library(root).discard_unfinished(entry.repo_id, entry.include, entry.exclude, partial_keys)
    if cache_dir is not None:
        staging = Path(cache_dir) / hfcache.repo_folder_name(entry.repo_id) / hfcache.STAGING_DIR_NAME
        freed += sum(partials.remove_partial(staging, key) for key in partial_keys)
        mine = partials.of_selection(staging, entry.repo_id, entry.include, entry.exclude)
        freed += partials.remove_partials(staging, mine)
    return freed


def delete_model(root: Path, repo_id: str) -> int:
    return Library(root).delete(repo_id)
