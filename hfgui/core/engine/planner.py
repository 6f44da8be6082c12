"""Turn "download this repo (these files)" into a plan: one commit, the selected files, what is already there.

One `model_info` call fixes the commit; one recursive tree listing pinned to that commit gives every
file's size and etag, so all files come from the same revision and no per-file HEAD is needed. Which
files are taken is selection.py, their paths are checked by path_checks.py, what the destination
already holds is already_present.py, and where it all goes is model_paths.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from hfgui.core.engine.already_present import already_verified, bytes_in_partial, in_cache, recorded_files
from hfgui.core.engine.file_task import FileTask
from hfgui.core.engine.model_paths import STAGING_DIR_NAME as STAGING_DIR_NAME
from hfgui.core.engine.model_paths import library_lock_file as library_lock_file
from hfgui.core.engine.model_paths import lock_file_for as lock_file_for
from hfgui.core.engine.model_paths import model_root, staging_dir_for
from hfgui.core.engine.path_checks import check_entry, refuse_case_collisions
from hfgui.core.engine.path_checks import check_entry_path as check_entry_path
from hfgui.core.engine.selection import expand_directory_includes as expand_directory_includes
from hfgui.core.engine.selection import select_files, widen_to_installed
from hfgui.core.errors import HfGuiError
from hfgui.core.globs import matches as matches
from hfgui.core.store import hfcache
from hfgui.core.store.manifest import Manifest, ManifestFile, read_manifest, read_previous_manifest
from hfgui.core.types import TreeEntry
from hfgui.core.wire.repo_id import validate_repo_id
from hfgui.core.wire.urls import resolve_url


@dataclass(frozen=True)
class DownloadRequest:
    repo_id: str
    revision: str = "main"
    include: tuple[str, ...] = ()  # globs (hub-protocol §6.3); empty = every file
    exclude: tuple[str, ...] = ()
    dest: Path | None = None  # None: <library>/<owner>/<name>
    workers: int = 0  # files in flight: 0 = adaptive (concurrency.py), N = at most N
    cache_dir: Path | None = None  # set: store into this Hugging Face cache (hfcache) instead of the library


@dataclass(frozen=True)
class Plan:
    repo_id: str
    revision: str
    commit: str
    root: Path  # the model folder
    staging_dir: Path  # partials; same filesystem as root
    files: tuple[ManifestFile, ...]  # every selected file, what the manifest will list
    tasks: tuple[FileTask, ...]  # the files still to download
    present: tuple[str, ...] = ()  # paths already on disk and verified
    partial_bytes: dict[str, int] = field(default_factory=dict)  # path -> bytes already in a partial
    tree_entries: tuple[TreeEntry, ...] = ()  # the commit's full, unfiltered listing (cache mode writes it)
    cache_target: hfcache.CacheTarget | None = None  # set in cache mode: root is its snapshot folder
    include: tuple[str, ...] = ()  # the selection, recorded in the manifest so an update re-applies it
    exclude: tuple[str, ...] = ()
    renamed_from: str | None = None  # the id asked for, when the Hub redirected it to `repo_id` (renamed)

    @property
    def bytes_total(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def bytes_present(self) -> int:
        """Bytes that need no transfer: verified files plus resumable partials."""
        sizes = {f.path: f.size for f in self.files}
        return sum(sizes[p] for p in self.present) + sum(self.partial_bytes.values())

    @property
    def bytes_needed(self) -> int:
        return max(0, self.bytes_total - self.bytes_present)


def _no_match_error(request: DownloadRequest) -> HfGuiError:
    where = f"{request.repo_id} at {request.revision}"
    excluded = " ".join(request.exclude)
    if not request.include:
        what = f"every file in {where} is excluded by {excluded}" if excluded else f"{where} has no files"
    else:
        what = f"no file in {where} matches {' '.join(request.include)}"
        what += f" (excluding {excluded})" if excluded else ""
    return HfGuiError(
        f"Nothing to download: {what}.", f"List the repository's files with: hfgui files {request.repo_id}"
    )


def plan_from_entries(
    request: DownloadRequest,
    commit: str,
    entries: Iterable[TreeEntry],
    *,
    endpoint: str,
    library_root: Path | None,
) -> Plan:
    """The pure part of planning (no network): select, check paths, find what is present."""
    entries = list(entries)
    if request.cache_dir is not None:
        return _plan_into_cache(request, commit, entries, endpoint=endpoint)
    root = Path(request.dest) if request.dest is not None else model_root(library_root, request.repo_id)
    staging = staging_dir_for(library_root, request.dest)
    selected = select_files(entries, request.include, request.exclude)
    if not selected:
        raise _no_match_error(request)
    manifest = read_manifest(root)
    earlier = manifest if manifest is not None else read_previous_manifest(root)
    include, exclude = request.include, request.exclude
    if earlier is not None and earlier.origin is None:
        _refuse_other_repo(earlier, request, root)
        # Files of an earlier download into this folder stay part of the model (brought to this
        # commit if they changed): a second quantisation adds to the first instead of orphaning it.
        # An unfinished run that withdrew the manifest left it as the previous one: the same holds.
        selected, include, exclude = widen_to_installed(earlier, entries, selected, include, exclude)
    # Check every path before anything is written or requested.
    targets = {e.path: check_entry(root, e) for e in selected}
    refuse_case_collisions(request.repo_id, selected, root)
    known = recorded_files(root, manifest)
    return _assemble(
        request,
        commit,
        entries,
        selected,
        endpoint=endpoint,
        root=root,
        staging=staging,
        dest_for=lambda entry: targets[entry.path],
        is_present=lambda item: already_verified(targets[item.path], item, known),
        selection=(include, exclude),
    )


def _refuse_other_repo(manifest: Manifest, request: DownloadRequest, root: Path) -> None:
    if manifest.repo_id.lower() == request.repo_id.lower():
        return
    raise HfGuiError(
        f"{root} already holds {manifest.repo_id}, downloaded by hfgui; putting {request.repo_id} there"
        " too would make hfgui lose track of it. Nothing was downloaded.",
        f"Give it a folder of its own, e.g. --dest {root / request.repo_id.split('/')[-1]}",
    )


def _plan_into_cache(
    request: DownloadRequest, commit: str, entries: list[TreeEntry], *, endpoint: str
) -> Plan:
    """Cache mode: a Hugging Face cache's snapshot folder is the root.

    A verified file waits in the repo's staging folder until hfcache installs it as a blob.
    """
    target = hfcache.CacheTarget(request.repo_id, commit, request.revision, request.cache_dir)
    selected = select_files(entries, request.include, request.exclude)
    if not selected:
        raise _no_match_error(request)
    for entry in selected:  # every path (and etag, which names the blob) checked before any write
        target.snapshot_path(entry.path)
        target.ready_path(entry.path, entry.etag)
        target.blob_path(entry.etag)
    refuse_case_collisions(request.repo_id, selected, target.snapshot_dir)

    return _assemble(
        request,
        commit,
        entries,
        selected,
        endpoint=endpoint,
        root=target.snapshot_dir,
        staging=target.staging_dir,
        dest_for=lambda entry: target.ready_path(entry.path, entry.etag),
        is_present=lambda item: in_cache(target, item),
        cache_target=target,
    )


def _assemble(
    request: DownloadRequest,
    commit: str,
    entries: list[TreeEntry],
    selected: list[TreeEntry],
    *,
    endpoint: str,
    root: Path,
    staging: Path,
    dest_for: Callable[[TreeEntry], Path],
    is_present: Callable[[ManifestFile], bool],
    cache_target: hfcache.CacheTarget | None = None,
    selection: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
) -> Plan:
    """Split the (checked) selection into files already present and tasks, noting resumable partials."""
    files: list[ManifestFile] = []
    tasks: list[FileTask] = []
    present: list[str] = []
    partial_bytes: dict[str, int] = {}
    for entry in sorted(selected, key=lambda e: e.path):
        item = ManifestFile(entry.path, entry.size, entry.etag)
        files.append(item)
        if is_present(item):
            present.append(entry.path)
            continue
        task = FileTask(
            repo_id=request.repo_id,
            commit=commit,
            path=entry.path,
            size=entry.size,
            etag=entry.etag,
            url=resolve_url(endpoint, request.repo_id, entry.path, commit),
            dest=dest_for(entry),
        )
        tasks.append(task)
        done = bytes_in_partial(staging, task)
        if done:
            partial_bytes[entry.path] = min(done, entry.size)
    return Plan(
        repo_id=request.repo_id,
        revision=request.revision,
        commit=commit,
        root=root,
        staging_dir=staging,
        files=tuple(files),
        tasks=tuple(tasks),
        present=tuple(present),
        partial_bytes=partial_bytes,
        tree_entries=tuple(entries),
        cache_target=cache_target,
        include=tuple(selection[0] if selection else request.include),
        exclude=tuple(selection[1] if selection else request.exclude),
    )


def plan_download(client, request: DownloadRequest, library_root: Path | None) -> Plan:
    """Model info (for the commit), then the tree pinned to that commit; gated repos add one access probe.

    A renamed repository (the Hub redirects the old id) is planned under its new id: files, folder and
    manifest follow the name the Hub gives it, and `Plan.renamed_from` keeps the id that was asked for.
    """
    info = client.model_info(request.repo_id, request.revision)
    asked = request.repo_id
    if info.repo_id != asked and "/" in info.repo_id:
        request = replace(request, repo_id=validate_repo_id(info.repo_id))
    entries = list(client.iter_tree(request.repo_id, info.sha, recursive=True))
    plan = plan_from_entries(request, info.sha, entries, endpoint=client.endpoint, library_root=library_root)
    if (info.gated or info.disabled) and plan.tasks:
        # Gated and disabled repos show their listing to anyone. Probing one file (a HEAD) turns "no
        # access" into one clear error before any worker starts, instead of the same error per file.
        client.file_metadata(request.repo_id, plan.tasks[0].path, plan.commit)
    if request.repo_id.lower() != asked.lower():  # a new name, not only other letter case
        plan = replace(plan, renamed_from=asked)
    return plan
