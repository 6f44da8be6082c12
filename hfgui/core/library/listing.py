"""Listing what is installed: the library's model folders and unfinished downloads, models downloaded
with --dest, and the models in a Hugging Face cache."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from hfgui.core.engine.planner import model_root
from hfgui.core.library.model_state import (
    SOURCE_DEST,
    SOURCE_HF_CACHE,
    InstalledModel,
    InstallState,
    file_size,
)
from hfgui.core.store import destinations, hfcache, partials
from hfgui.core.store.manifest import METADATA_DIR, read_damaged, read_journal, read_manifest

log = logging.getLogger(__name__)


def library_models(library_root: Path, staging_dir: Path) -> list[InstalledModel]:
    """Every model folder in the library, plus downloads that so far exist only as partials."""
    library_root = Path(library_root)
    models: dict[str, InstalledModel] = {}
    if library_root.is_dir():
        for owner in sorted(library_root.iterdir()):
            if not owner.is_dir() or owner.name.startswith("."):
                continue
            for folder in sorted(owner.iterdir()):
                if (folder / METADATA_DIR).is_dir():
                    model = describe_folder(f"{owner.name}/{folder.name}", folder)
                    if model is not None:
                        models[model.repo_id] = model
    for repo_id, leftovers in partials_by_repo(staging_dir).items():
        size = sum(p.bytes_on_disk for p in leftovers)
        known = models.get(repo_id)
        if known is None:
            root = model_root(library_root, repo_id)
            models[repo_id] = InstalledModel(repo_id, None, None, root, size, 0, InstallState.INCOMPLETE)
        elif known.state is InstallState.INCOMPLETE:  # what it holds so far: files and partials
            models[repo_id] = replace(known, size=known.size + size)
    return [models[k] for k in sorted(models)]


def dest_models(library_root: Path) -> list[InstalledModel]:
    """Models downloaded with --dest into folders the library's index knows (source "dest")."""
    found = []
    for dest in destinations.known_destinations(library_root):
        model = describe_folder(dest.repo_id, dest.path)
        staged = partials.list_partials(dest.path / METADATA_DIR / "staging")
        if model is None and not staged:
            continue  # emptied or never started: nothing of it to show
        if model is None:
            model = InstalledModel(dest.repo_id, None, None, dest.path, 0, 0, InstallState.INCOMPLETE)
        if model.state is InstallState.INCOMPLETE:
            model = replace(model, size=model.size + sum(p.bytes_on_disk for p in staged))
        found.append(replace(model, source=SOURCE_DEST))
    return found


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


def partials_by_repo(staging_dir: Path) -> dict[str, list[partials.PartialFile]]:
    """The partial downloads in a staging folder, by the model they belong to."""
    grouped: dict[str, list[partials.PartialFile]] = {}
    for leftover in partials.list_partials(staging_dir):
        if leftover.repo_id:
            grouped.setdefault(leftover.repo_id, []).append(leftover)
    return grouped


def describe_folder(repo_id: str, folder: Path) -> InstalledModel | None:
    """The model in `folder` as its records describe it, or None for a folder without hfgui's records;
    one model's damaged or unreadable state never hides the others (it is listed as incomplete, the
    next download repairs it)."""
    if not (folder / METADATA_DIR).is_dir():
        return None
    try:
        return _describe(repo_id, folder)
    except (OSError, ValueError) as exc:
        log.warning("Could not read the records of %s in %s: %s", repo_id, folder, exc)
        return InstalledModel(repo_id, None, None, folder, 0, 0, InstallState.INCOMPLETE)


def _describe(repo_id: str, folder: Path) -> InstalledModel:
    manifest = read_manifest(folder)
    if manifest is None:
        journal = read_journal(folder)
        size = sum(file_size(folder / path) for path in journal)
        return InstalledModel(repo_id, None, None, folder, size, len(journal), InstallState.INCOMPLETE)
    intact = all(file_size(folder / f.path, -1) == f.size for f in manifest.files)
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
