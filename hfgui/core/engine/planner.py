"""Turn "download this repo (these files)" into a plan: one commit, the selected files, what is already there.

One `model_info` call fixes the commit; one recursive tree listing pinned to that commit gives every
file's size and etag, so all files come from the same revision and no per-file HEAD is needed.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from hfgui.core.engine.file_task import FileTask
from hfgui.core.errors import HfGuiError, UnsafePathError
from hfgui.core.globs import matches
from hfgui.core.store import hfcache, partials
from hfgui.core.store.hashing import checked_etag, file_matches_etag
from hfgui.core.store.manifest import (
    METADATA_DIR,
    Manifest,
    ManifestFile,
    read_damaged,
    read_journal,
    read_manifest,
    read_previous_manifest,
)
from hfgui.core.store.pathsafe import case_collisions, folder_ignores_case, safe_join
from hfgui.core.types import TreeEntry
from hfgui.core.wire.repo_id import validate_repo_id
from hfgui.core.wire.urls import resolve_url

STAGING_DIR_NAME = ".hfgui-staging"
_GLOB_CHARS = frozenset("*?[")


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


# --- globbing ------------------------------------------------------------------------------------


def expand_directory_includes(include: Sequence[str], directories: Iterable[str]) -> tuple[str, ...]:
    """Let a plain folder name select the folder (`X.mlpackage` means `X.mlpackage/`).

    huggingface_hub would match nothing for such a pattern, so this only widens patterns that were empty.
    """
    dirs = {d.rstrip("/") for d in directories}
    out: list[str] = []
    for pattern in include:
        out.append(pattern)
        bare = pattern.rstrip("/")
        if not (_GLOB_CHARS & set(pattern)) and bare in dirs and not pattern.endswith("/"):
            out.append(bare + "/")
    return tuple(out)


def select_files(
    entries: Iterable[TreeEntry], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[TreeEntry]:
    entries = list(entries)
    include = expand_directory_includes(include, (e.path for e in entries if not e.is_file))
    return [e for e in entries if e.is_file and matches(e.path, include, exclude)]


# --- roots ---------------------------------------------------------------------------------------


def model_root(library_root: Path, repo_id: str) -> Path:
    """`<library>/<owner>/<name>`: the repo's own layout is kept below it."""
    owner, _, name = repo_id.partition("/")
    return Path(library_root) / owner / name


def staging_dir_for(library_root: Path | None, dest: Path | None) -> Path:
    if dest is not None:
        return Path(dest) / METADATA_DIR / "staging"
    return Path(library_root) / STAGING_DIR_NAME


def library_lock_file(library_root: Path, repo_id: str) -> Path:
    """The lock a library model's download, update and delete share (see model_lock)."""
    name = hfcache.repo_folder_name(validate_repo_id(repo_id).lower())
    return Path(library_root) / STAGING_DIR_NAME / f"{name}.lock"


def lock_file_for(request: DownloadRequest, library_root: Path | None) -> Path:
    """The lock file for the folder a request downloads into (see model_lock)."""
    if request.cache_dir is not None:
        folder = Path(request.cache_dir) / hfcache.repo_folder_name(request.repo_id)
        return folder / hfcache.STAGING_DIR_NAME / "download.lock"
    if request.dest is not None:
        return Path(request.dest) / METADATA_DIR / "download.lock"
    return library_lock_file(library_root, request.repo_id)


def check_entry_path(root: Path, path: str) -> Path:
    """Where a repo file goes, refusing hostile paths and names that collide with our metadata folder."""
    target = safe_join(root, path)
    # Case-folded: on a case-insensitive disk (macOS, Windows) ".HFGUI/" is the same folder.
    if path.split("/", 1)[0].casefold() == METADATA_DIR.casefold():
        raise UnsafePathError(path, f"it would overwrite hfgui's own '{METADATA_DIR}' folder")
    return target


def check_entry(root: Path, entry: TreeEntry) -> Path:
    """check_entry_path, plus an etag we can verify the file against (it also names its partial)."""
    checked_etag(entry.path, entry.etag)
    return check_entry_path(root, entry.path)


# --- planning ------------------------------------------------------------------------------------


def _partial_bytes(staging_dir: Path, task: FileTask) -> int:
    key = task.partial_key
    part = partials.part_path(staging_dir, key)
    try:
        size = part.stat().st_size
    except OSError:
        return 0
    sidecar = partials.read_sidecar(partials.sidecar_path(staging_dir, key))
    if sidecar is not None and sidecar.segments is not None:
        return sum(s.done - s.start for s in sidecar.segments)
    return size


def _already_verified(target: Path, entry: ManifestFile, known: dict[str, ManifestFile]) -> bool:
    """Trust a manifest/journal record when the size still matches; hash only files we have no record of."""
    try:
        if not target.is_file() or target.stat().st_size != entry.size:
            return False
    except OSError:
        return False
    record = known.get(entry.path)
    if record is not None:
        if record.etag == entry.etag and record.size == entry.size:
            return True
        return False  # recorded as another version: it must be replaced
    return file_matches_etag(target, entry.etag, entry.size)


def _refuse_case_collisions(request: DownloadRequest, selected: Sequence[TreeEntry], root: Path) -> None:
    """Two entries that differ only in letter case would overwrite each other where names ignore case."""
    collisions = case_collisions(e.path for e in selected)
    if not collisions or not folder_ignores_case(root):
        return
    first, second = collisions[0]
    more = f" (and {len(collisions) - 1} more such pairs)" if len(collisions) > 1 else ""
    raise HfGuiError(
        f"'{first}' and '{second}' in {request.repo_id} differ only in letter case{more}, and {root} is on"
        " a disk that ignores case: one would overwrite the other. Nothing was downloaded.",
        "Leave one out with --exclude (or choose the files in the window), or use a case-sensitive folder.",
    )


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
        selected, include, exclude = _widen_to_installed(earlier, entries, selected, request)
    # Check every path before anything is written or requested.
    targets = {e.path: check_entry(root, e) for e in selected}
    _refuse_case_collisions(request, selected, root)

    known: dict[str, ManifestFile] = {}
    if manifest is not None:
        known.update({f.path: f for f in manifest.files})
    known.update(read_journal(root))
    for path in read_damaged(root):  # found corrupt by a check: re-hash instead of trusting the record
        known.pop(path, None)
    return _assemble(
        request,
        commit,
        entries,
        selected,
        endpoint=endpoint,
        root=root,
        staging=staging,
        dest_for=lambda entry: targets[entry.path],
        is_present=lambda item: _already_verified(targets[item.path], item, known),
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


def _widen_to_installed(
    manifest: Manifest, entries: list[TreeEntry], selected: list[TreeEntry], request: DownloadRequest
) -> tuple[list[TreeEntry], tuple[str, ...], tuple[str, ...]]:
    """The new selection plus what the folder's manifest already holds, and the globs that record both.

    With the same exclusions the globs of both are kept (an update still picks up new matching files);
    with different ones no pair of glob lists says exactly "either selection", so the files themselves
    are recorded.
    """
    if manifest.include is None:  # an older manifest: its files are the selection
        installed = {f.path for f in manifest.files}
        earlier = [e for e in entries if e.is_file and e.path in installed]
        old_include: tuple[str, ...] = tuple(sorted(glob.escape(p) for p in installed))
        old_exclude: tuple[str, ...] = ()
    else:
        earlier = select_files(entries, manifest.include, manifest.exclude)
        old_include, old_exclude = manifest.include, manifest.exclude
    chosen = {e.path for e in selected}
    widened = selected + [e for e in earlier if e.path not in chosen]
    if set(request.exclude) != set(old_exclude):
        return widened, tuple(sorted(glob.escape(e.path) for e in widened)), ()
    if not request.include or not old_include:  # one of them is the whole repository
        return widened, (), tuple(request.exclude)
    return widened, tuple(dict.fromkeys(old_include + request.include)), tuple(request.exclude)


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
    _refuse_case_collisions(request, selected, target.snapshot_dir)

    def is_present(item: ManifestFile) -> bool:
        return hfcache.file_installed(target, item.path, item.size, item.etag) or hfcache.blob_available(
            target, item.etag, item.size
        )

    return _assemble(
        request,
        commit,
        entries,
        selected,
        endpoint=endpoint,
        root=target.snapshot_dir,
        staging=target.staging_dir,
        dest_for=lambda entry: target.ready_path(entry.path, entry.etag),
        is_present=is_present,
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
        done = _partial_bytes(staging, task)
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
