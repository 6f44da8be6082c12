"""Keep installed models current: find newer commits, and update a model by fetching only what changed.

An update is all-or-nothing. Changed and new files are downloaded and verified in a staging folder
inside the model (`.hfgui/update/<commit>/`, resumable like any download) while the installed files
stay untouched. Only once every one of them verified are they moved into place, files removed
upstream deleted and the manifest rewritten; a record of that last step (`.hfgui/update/pending.json`)
lets an interrupted swap be finished on the next run, since everything it moves is already verified.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.engine.bandwidth import BandwidthLimiter
from hfgui.core.engine.diskspace import check_space
from hfgui.core.engine.model_download import ModelDownloader
from hfgui.core.engine.planner import (
    DownloadRequest,
    Plan,
    check_entry,
    library_lock_file,
    plan_from_entries,
    select_files,
)
from hfgui.core.engine.progress import ProgressCallback
from hfgui.core.engine.transfer import DEFAULT_STALL_TIMEOUT
from hfgui.core.errors import HfGuiError, ModelNotInstalledError
from hfgui.core.library.installed import Library
from hfgui.core.library.model_state import InstalledModel, InstallState
from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.store.manifest import (
    LOCAL_COMMIT,
    LOCAL_OWNER,
    METADATA_DIR,
    Manifest,
    ManifestFile,
    read_damaged,
    read_manifest,
    write_manifest,
)
from hfgui.core.store.model_lock import model_lock
from hfgui.core.store.pathsafe import safe_join
from hfgui.core.types import TreeEntry
from hfgui.core.wire.repo_id import validate_repo_id

UPDATE_DIR = "update"  # under <model>/.hfgui/
PENDING_NAME = "pending.json"
_COMMIT = re.compile(r"[0-9a-f]{40}")


# --- is there something newer? ---------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateInfo:
    repo_id: str
    revision: str
    installed_commit: str
    latest_commit: str | None  # None when the Hub could not be asked (see error)
    error: str | None = None  # one-line message (not found, gated, offline…)

    @property
    def has_update(self) -> bool:
        return self.latest_commit is not None and self.latest_commit != self.installed_commit

    def to_json(self) -> dict:
        return {
            "revision": self.revision,
            "installed": self.installed_commit,
            "latest": self.latest_commit,
            "available": self.has_update,
            "error": self.error,
        }


def updatable(model: InstalledModel) -> bool:
    """Installed from the Hub into the library (not an imported copy, not a partial)."""
    return (
        model.state in (InstallState.INSTALLED, InstallState.MISSING_FILES, InstallState.DAMAGED)
        and model.commit not in (None, LOCAL_COMMIT)  # an imported copy has nothing on the Hub to follow
        and not model.repo_id.startswith(LOCAL_OWNER + "/")
    )


def check_updates(
    library: Library, client, *, models: Iterable[InstalledModel] | None = None
) -> list[UpdateInfo]:
    """One model_info call per installed model: which ones have a newer commit on their revision."""
    found = []
    for model in library.installed() if models is None else models:
        if not updatable(model):
            continue
        revision = model.revision or "main"
        try:
            info = client.model_info(model.repo_id, revision)
        except HfGuiError as exc:
            found.append(UpdateInfo(model.repo_id, revision, model.commit or "", None, str(exc)))
            continue
        found.append(UpdateInfo(model.repo_id, revision, model.commit or "", info.sha))
    return found


# --- planning an update ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdatePlan:
    repo_id: str
    revision: str
    root: Path  # the installed model folder
    old: Manifest
    new_commit: str
    files: tuple[ManifestFile, ...]  # what the new manifest will list
    keep: tuple[str, ...]  # unchanged files (same path, size and etag): left as they are
    fetch: Plan | None  # changed and new files, downloaded into the staging folder; None if none
    remove: tuple[str, ...]  # installed files no longer part of the model

    @property
    def up_to_date(self) -> bool:
        return self.new_commit == self.old.commit and not self.remove and self.fetch is None

    @property
    def staging_root(self) -> Path:
        return update_dir(self.root, self.new_commit)

    @property
    def bytes_needed(self) -> int:
        return self.fetch.bytes_needed if self.fetch is not None else 0


@dataclass(frozen=True)
class UpdateResult:
    repo_id: str
    old_commit: str
    new_commit: str
    updated: bool  # False: it was already current
    downloaded: tuple[str, ...]
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    manifest: Manifest


def update_dir(root: Path, commit: str) -> Path:
    return Path(root) / METADATA_DIR / UPDATE_DIR / commit


def _pending_file(root: Path) -> Path:
    return Path(root) / METADATA_DIR / UPDATE_DIR / PENDING_NAME


def plan_update(client, library_root: Path, repo_id: str, revision: str | None = None) -> UpdatePlan:
    """Two Hub requests (model info, tree at its commit); compare with the installed manifest."""
    library = Library(library_root)
    root = library.model_root(validate_repo_id(repo_id))
    finish_pending_update(root)
    old = read_manifest(root)
    if old is None:
        raise ModelNotInstalledError(repo_id)
    if old.commit == LOCAL_COMMIT:
        raise HfGuiError(
            f"{repo_id} was imported from {old.origin or 'a local copy'}, not downloaded from the Hub,"
            " so there is nothing to update it from.",
            f"For the Hub's copy instead: hfgui delete {repo_id}, then hfgui download {repo_id}",
        )
    revision = revision or old.revision or "main"
    info = client.model_info(repo_id, revision)
    entries = list(client.iter_tree(repo_id, info.sha, recursive=True))
    return plan_update_from_entries(old, root, revision, info.sha, entries, endpoint=client.endpoint)


def plan_update_from_entries(
    old: Manifest,
    root: Path,
    revision: str,
    commit: str,
    entries: list[TreeEntry],
    *,
    endpoint: str,
) -> UpdatePlan:
    """The network-free part: the new selection, split into kept, fetched and removed files."""
    include = old.include if old.include is not None else ()  # older manifests: the whole repo
    selected = select_files(entries, include, old.exclude)
    if not selected:
        raise HfGuiError(
            f"{old.repo_id} at {revision} no longer has any file the installed copy was made of.",
            f"List its files with: hfgui files {old.repo_id}",
        )
    for entry in selected:  # refuse a hostile listing before anything is written
        check_entry(root, entry)
    installed = {f.path: f for f in old.files}
    damaged = read_damaged(root)
    files, keep, changed = [], [], []
    for entry in sorted(selected, key=lambda e: e.path):
        item = ManifestFile(entry.path, entry.size, entry.etag)
        files.append(item)
        before = installed.get(entry.path)
        if before == item and _size(root / entry.path) == item.size and entry.path not in damaged:
            keep.append(entry.path)
        else:
            changed.append(entry)
    wanted = {f.path for f in files}
    remove = tuple(sorted(p for p in installed if p not in wanted))
    fetch = None
    if changed:
        request = DownloadRequest(old.repo_id, revision, dest=update_dir(root, commit))
        fetch = plan_from_entries(request, commit, changed, endpoint=endpoint, library_root=None)
    return UpdatePlan(
        repo_id=old.repo_id,
        revision=revision,
        root=Path(root),
        old=old,
        new_commit=commit,
        files=tuple(files),
        keep=tuple(keep),
        fetch=fetch,
        remove=remove,
    )


# --- running it ------------------------------------------------------------------------------------


def update_model(
    client,
    library_root: Path,
    repo_id: str,
    *,
    revision: str | None = None,
    workers: int = 0,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    on_plan: Callable[[UpdatePlan], None] | None = None,
    segments: int = 0,
    stall_timeout: float = DEFAULT_STALL_TIMEOUT,
    limiter: BandwidthLimiter | None = None,
) -> UpdateResult:
    """Bring an installed model to the newest commit of its revision, fetching only what changed.

    On any failure (or cancel) the installed model is exactly as before; run it again to resume.
    """
    busy_hint = "Wait for that download or update to finish, or stop it, then run this again."
    with model_lock(library_lock_file(library_root, repo_id), repo_id, busy_hint=busy_hint):
        plan = plan_update(client, library_root, repo_id, revision)
        if on_plan is not None:
            on_plan(plan)
        old = plan.old
        if plan.up_to_date:
            return UpdateResult(plan.repo_id, old.commit, old.commit, False, (), plan.keep, (), old)
        if plan.fetch is not None:
            check_space(plan.fetch)
            ModelDownloader(
                client,
                plan.fetch,
                workers=workers,
                on_progress=on_progress,
                cancel=cancel,
                segments=segments,
                stall_timeout=stall_timeout,
                limiter=limiter,
            ).run()
        manifest = Manifest(
            old.repo_id,
            plan.revision,
            plan.new_commit,
            plan.files,
            time.time(),
            include=old.include if old.include is not None else (),
            exclude=old.exclude,
        )
        moved = tuple(t.path for t in plan.fetch.files) if plan.fetch is not None else ()
        _write_pending(plan.root, plan.new_commit, manifest, moved, plan.remove)
        finish_pending_update(plan.root)
        return UpdateResult(
            plan.repo_id, old.commit, plan.new_commit, True, moved, plan.keep, plan.remove, manifest
        )


def _write_pending(
    root: Path, commit: str, manifest: Manifest, moved: tuple[str, ...], removed: tuple[str, ...]
) -> None:
    data = {"commit": commit, "manifest": manifest.to_json(), "move": list(moved), "remove": list(removed)}
    write_json_atomic(_pending_file(root), data)


def finish_pending_update(root: Path) -> bool:
    """Complete a swap that was interrupted after every new file had verified; True if one was done.

    Idempotent: files already moved are simply not found in the staging folder any more.
    """
    pending = _pending_file(root)
    try:
        data = read_json(pending)
        commit = str(data["commit"])
        manifest = Manifest.from_json(data["manifest"])
        moved = [str(p) for p in data["move"]]
        removed = [str(p) for p in data["remove"]]
        if not _COMMIT.fullmatch(commit):
            raise ValueError("bad commit")
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        # Unreadable: the installed manifest is still the old one, so forgetting the swap is safe.
        with contextlib.suppress(OSError):
            pending.unlink()
        return False
    staged = update_dir(root, commit)
    for path in moved:
        source = safe_join(staged, path)
        target = safe_join(root, path)
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    for path in removed:
        target = safe_join(root, path)
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        _prune_empty_parents(target.parent, Path(root))
    write_manifest(Path(root), manifest)
    shutil.rmtree(staged, ignore_errors=True)
    pending.unlink(missing_ok=True)
    # Staging folders of older, abandoned updates (to another commit) are of no use any more.
    shutil.rmtree(pending.parent, ignore_errors=True)
    return True


def _prune_empty_parents(folder: Path, root: Path) -> None:
    """Remove folders emptied by deleting upstream-removed files, up to (not including) the model root."""
    root = root.resolve()
    current = folder.resolve()
    while current != root and root in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent


def _size(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else -1
    except OSError:
        return -1


def staged_update_dirs(root: Path) -> list[Path]:
    """Update staging folders left in a model (one per target commit)."""
    base = Path(root) / METADATA_DIR / UPDATE_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir())
