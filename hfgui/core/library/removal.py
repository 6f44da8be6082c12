"""Removing from the library: deleting a model (its folder renamed out first, a reference only forgotten)
and clearing what a cancelled download left (its partials and the files it had verified so far)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hfgui.core.engine.planner import library_lock_file
from hfgui.core.errors import HfGuiError, ModelNotInstalledError
from hfgui.core.globs import matches
from hfgui.core.library.listing import partials_by_repo
from hfgui.core.library.model_state import file_size
from hfgui.core.store import partials, trash
from hfgui.core.store.manifest import (
    METADATA_DIR,
    fetched_in_journal,
    read_journal,
    read_manifest,
    read_previous_manifest,
    rewrite_journal,
)
from hfgui.core.store.model_lock import model_lock
from hfgui.core.store.pathsafe import safe_join

if TYPE_CHECKING:
    from hfgui.core.library.installed import Library


def discard_unfinished(
    library: Library,
    repo_id: str,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    partial_keys: Sequence[str] = (),
) -> int:
    """Cancel's clean-up, under the model's lock: delete an unfinished download's partials (of this
    selection, plus `partial_keys`: small files may have no sidecar yet) and the files it already
    verified into the model folder (its journal), never an installed copy's; returns the bytes
    freed. A folder left with nothing of hfgui's goes too, so the model is simply not there."""
    root = library.model_root(repo_id)
    staging = library.staging_dir
    hint = "Stop that download first, then cancel again."
    with model_lock(library_lock_file(library.root, repo_id), repo_id, busy_hint=hint):
        freed = sum(partials.remove_partial(staging, key) for key in partial_keys)
        mine = partials.of_selection(staging, repo_id, include, exclude)
        freed += partials.remove_partials(staging, mine)
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
            freed += file_size(target)
            target.unlink(missing_ok=True)
            _prune_empty(target.parent, root)
        kept = [e for p, e in journal.items() if p not in doomed]
        rewrite_journal(root, kept, fetched - doomed)
        if manifest is None and not kept and not _holds_files(root):
            shutil.rmtree(root, ignore_errors=True)
            with contextlib.suppress(OSError):
                root.parent.rmdir()  # the owner folder, when this was its last model
        return freed


def delete_model(library: Library, repo_id: str) -> int:
    """Remove the model folder and its partial downloads; returns the bytes freed.

    A model imported by reference only loses its record (0 bytes freed): the user's files are
    never touched.
    """
    root = library.model_root(repo_id)
    if library.forget_reference(repo_id):
        return 0
    hint = "Stop that download first (or let it finish), then delete the model."
    with model_lock(library_lock_file(library.root, repo_id), repo_id, busy_hint=hint):
        return _delete_unlocked(library, repo_id, root)


def _delete_unlocked(library: Library, repo_id: str, root: Path) -> int:
    leftovers = partials_by_repo(library.staging_dir).get(repo_id, [])
    present = os.path.lexists(root)
    if not present and not leftovers:
        raise ModelNotInstalledError(repo_id)
    freed = 0
    if present:
        _refuse_unsafe_delete(library, repo_id, root)
        freed += _tree_size(root)
        # Renamed out of the library first (links inside are removed, never followed): a kill
        # half-way leaves a leftover that `partials` shows, never model files nothing lists.
        trash.remove_model_folder(library.root, repo_id, root)
    freed += partials.remove_partials(library.staging_dir, leftovers)
    try:
        root.parent.rmdir()  # the owner folder, when this was its last model
    except OSError:
        pass
    return freed


def _refuse_unsafe_delete(library: Library, repo_id: str, root: Path) -> None:
    """Only a real folder inside the library that holds no referenced model's files may go."""
    if root.is_symlink():
        raise HfGuiError(
            f"{root} is a link (to {os.readlink(root)}), not a folder hfgui made; nothing was deleted.",
            "Remove the link yourself if it is no longer needed.",
        )
    real = Path(os.path.realpath(root))
    inside = Path(os.path.realpath(library.root))
    if inside not in real.parents:
        raise HfGuiError(
            f"The folder of {repo_id} leads outside the library (to {real}); nothing was deleted.",
            f"Check the links in {library.root}; remove that folder yourself if you are sure.",
        )
    for ref in library.references():
        held = Path(os.path.realpath(ref.path))
        if held == real or real in held.parents or held in real.parents:
            raise HfGuiError(
                f"{root} holds files of {ref.repo_id}, which was imported by reference; nothing was deleted.",
                f"Remove that reference first with: hfgui delete {ref.repo_id}",
            )


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


def _tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total
