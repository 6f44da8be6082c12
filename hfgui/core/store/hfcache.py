"""The shared Hugging Face cache (`$HF_HUB_CACHE`): install files as huggingface_hub lays them out; read it.

Layout (huggingface_hub 2.4, hub-protocol §6.1), per repository folder `models--owner--name/`:
`blobs/<etag>` holds the bytes, `snapshots/<commit>/<path>` is a relative symlink to the blob (or the file
itself where symlinks are unavailable), `refs/<revision>` holds the 40-hex commit without a newline, and
`trees/<commit>.json` is the full listing of the commit, which huggingface_hub reads to tell a complete
snapshot from a partial one. hfgui adds `.hfgui-staging/` (partial downloads) which huggingface_hub ignores.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.errors import UnsafePathError
from hfgui.core.store.hashing import checked_etag, file_matches_etag, normalize_etag
from hfgui.core.store.jsonio import write_json_atomic
from hfgui.core.store.pathsafe import check_repo_path, safe_join
from hfgui.core.types import TreeEntry
from hfgui.core.wire.repo_id import validate_repo_id

REPO_PREFIX = "models--"
SEPARATOR = "--"
STAGING_DIR_NAME = ".hfgui-staging"  # inside the repo folder: same filesystem as blobs/, gone with the repo
TREE_FORMAT_VERSION = 1
CACHEDIR_TAG = "CACHEDIR.TAG"
CACHEDIR_TAG_CONTENT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by huggingface_hub.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
_TRUE = frozenset({"1", "ON", "YES", "TRUE"})
_COMMIT = re.compile(r"[0-9a-f]{40}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_symlink_support: dict[str, bool] = {}
_symlink_lock = threading.Lock()


# --- where the cache is -------------------------------------------------------------------------


def hub_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The cache huggingface_hub uses: $HF_HUB_CACHE, legacy $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub.

    $HF_HOME defaults to $XDG_CACHE_HOME/huggingface, then ~/.cache/huggingface.
    """
    env = os.environ if env is None else env

    def expand(value: str) -> Path:
        return Path(os.path.expandvars(os.path.expanduser(value)))

    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(name):
            return expand(env[name])
    if env.get("HF_HOME"):
        return expand(env["HF_HOME"]) / "hub"
    xdg = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return expand(xdg) / "huggingface" / "hub"


def repo_folder_name(repo_id: str) -> str:
    """`owner/name` -> `models--owner--name` (hfgui's repo ids never contain `--`, so this is reversible)."""
    return REPO_PREFIX + repo_id.replace("/", SEPARATOR)


def repo_id_from_folder(name: str) -> str | None:
    if not name.startswith(REPO_PREFIX) or len(name) == len(REPO_PREFIX):
        return None
    return name[len(REPO_PREFIX) :].replace(SEPARATOR, "/")


def symlinks_disabled(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("HF_HUB_DISABLE_SYMLINKS", "").upper() in _TRUE


def symlinks_supported(directory: Path, env: Mapping[str, str] | None = None) -> bool:
    """Whether relative symlinks can be made in `directory` (False on Windows without developer mode).

    Probed once per folder, like huggingface_hub, since the answer depends on the disk; the
    HF_HUB_DISABLE_SYMLINKS switch is honoured on every call.
    """
    if symlinks_disabled(env):
        return False
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(directory)
    with _symlink_lock:
        if key not in _symlink_support:
            _symlink_support[key] = _probe_symlinks(directory)
        return _symlink_support[key]


def _probe_symlinks(directory: Path) -> bool:
    probe = Path(tempfile.mkdtemp(prefix=".hfgui-symlink-probe-", dir=directory))
    try:
        (probe / "src").touch()
        os.symlink("src", probe / "dst")
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(probe, ignore_errors=True)


# The blob name comes straight from the server: anything but a hex digest could name a path.
_check_etag = checked_etag


def _check_commit(commit: str) -> str:
    if not _COMMIT.fullmatch(commit or ""):
        raise UnsafePathError(commit, "the commit is not a 40-character hex sha")
    return commit


# --- one repository at one commit ---------------------------------------------------------------


@dataclass(frozen=True)
class CacheTarget:
    """Where one commit of one repository goes in a Hugging Face cache."""

    repo_id: str
    commit: str  # 40-hex
    revision: str = "main"  # the name the user asked for; refs/<revision> records it
    cache_dir: Path | None = None  # None: hub_cache_dir()

    def __post_init__(self) -> None:
        validate_repo_id(self.repo_id)
        _check_commit(self.commit)
        if self.cache_dir is None:
            object.__setattr__(self, "cache_dir", hub_cache_dir())
        else:
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))

    @property
    def repo_folder(self) -> Path:
        return self.cache_dir / repo_folder_name(self.repo_id)

    @property
    def blobs_dir(self) -> Path:
        return self.repo_folder / "blobs"

    @property
    def snapshot_dir(self) -> Path:
        return self.repo_folder / "snapshots" / self.commit

    @property
    def staging_dir(self) -> Path:
        """Partials for this repo: beside blobs/ (so installing is a rename), invisible to huggingface_hub."""
        return self.repo_folder / STAGING_DIR_NAME

    @property
    def tree_file(self) -> Path:
        return self.repo_folder / "trees" / f"{self.commit}.json"

    def blob_path(self, etag: str) -> Path:
        return self.blobs_dir / _check_etag(etag, etag)

    def snapshot_path(self, repo_path: str) -> Path:
        """`snapshots/<commit>/<repo_path>`; UnsafePathError for hostile paths (checked, nothing created)."""
        parts = check_repo_path(repo_path)
        if len(parts) > 1:
            # Check the folder part only: the entry itself may already be a symlink into blobs/.
            safe_join(self.snapshot_dir, "/".join(parts[:-1]))
        return self.snapshot_dir.joinpath(*parts)

    def ready_path(self, repo_path: str, etag: str) -> Path:
        """Where the downloader leaves a verified file before `install_file` takes it (same filesystem)."""
        key = hashlib.sha256(f"{repo_path}\0{normalize_etag(etag)}".encode()).hexdigest()[:40]
        return self.staging_dir / "ready" / key

    def ref_path(self) -> Path | None:
        """`refs/<revision>`, or None when the revision is the commit itself (nothing to record)."""
        if self.revision == self.commit:
            return None
        check_repo_path(self.revision)  # "refs/pr/1" is fine, ".." is not
        return self.repo_folder / "refs" / Path(*self.revision.split("/"))


def prepare(target: CacheTarget) -> None:
    """Create the repo's folders (and the cache's CACHEDIR.TAG) before downloading into it.

    `snapshots/` is created up front so that huggingface_hub's scan never sees a half-made repo folder.
    """
    for folder in (target.blobs_dir, target.repo_folder / "snapshots", target.staging_dir):
        folder.mkdir(parents=True, exist_ok=True)
    tag = target.cache_dir / CACHEDIR_TAG
    if not tag.exists():
        with contextlib.suppress(OSError):
            tag.write_text(CACHEDIR_TAG_CONTENT, encoding="utf-8")


def install_file(
    target: CacheTarget,
    repo_path: str,
    etag: str,
    verified_file: Path,
    *,
    symlinks: bool | None = None,
) -> Path:
    """Move a verified file into the cache and point `snapshots/<commit>/<repo_path>` at it; return that path.

    With symlinks: the file becomes `blobs/<etag>` (atomic rename) unless that blob already exists, in which
    case the copy is dropped and the blob is shared; the snapshot entry is a relative symlink. Without
    symlinks (Windows without developer mode, HF_HUB_DISABLE_SYMLINKS): the file itself is moved into the
    snapshot, as huggingface_hub does. Running it again with the same arguments changes nothing.
    """
    etag = _check_etag(repo_path, etag)
    pointer = target.snapshot_path(repo_path)
    verified_file = Path(verified_file)
    blob = target.blobs_dir / etag
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if symlinks is None:
        symlinks = symlinks_supported(target.repo_folder)
    if not symlinks:
        if not verified_file.exists() and pointer.is_file() and not pointer.is_symlink():
            return pointer  # installed by an earlier call
        _move_into_place(verified_file, pointer)
        return pointer
    target.blobs_dir.mkdir(parents=True, exist_ok=True)
    if verified_file != blob:
        try:
            size = verified_file.stat().st_size
        except FileNotFoundError:
            if not blob.is_file():
                raise
            size = None  # installed by an earlier call: only the link may be missing
        if size is not None and _blob_matches(blob, size):
            verified_file.unlink()  # the same content is already stored: keep one copy
        elif size is not None:
            _match_folder_permissions(verified_file, target.blobs_dir)
            _move_into_place(verified_file, blob)
    _link(blob, pointer)
    return pointer


def link_existing_blob(
    target: CacheTarget,
    repo_path: str,
    etag: str,
    size: int,
    *,
    verify: bool = False,
    symlinks: bool | None = None,
) -> Path | None:
    """Use a blob already in the cache (another revision or tool fetched it) for `repo_path`: no download.

    Returns the snapshot path, or None when no usable blob is there. The blob's name is its etag and
    huggingface_hub checks only sizes, so `verify=True` re-hashes it before trusting it.
    """
    etag = _check_etag(repo_path, etag)
    pointer = target.snapshot_path(repo_path)
    blob = target.blobs_dir / etag
    if not _blob_matches(blob, size) or (verify and not file_matches_etag(blob, etag, size)):
        return None
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if symlinks is None:
        symlinks = symlinks_supported(target.repo_folder)
    if symlinks:
        _link(blob, pointer)
    else:
        _copy_into_place(blob, pointer)  # a blob may be shared by other snapshots: copy it, never move it
    return pointer


def blob_available(target: CacheTarget, etag: str, size: int) -> bool:
    """`blobs/<etag>` is there with that size, so the file can be linked instead of downloaded."""
    return _blob_matches(target.blobs_dir / _check_etag(etag, etag), size)


def reuse_cached(
    target: CacheTarget, expected: Mapping[str, tuple[int, str]], *, verify_blobs: bool = False
) -> list[str]:
    """Put in place each file of `expected` ({path: (size, etag)}) that needs no download; return those paths.

    A file counts when the snapshot already has it, when a verified file was left ready by an interrupted
    run (it is installed now), or when its blob is in the cache from another revision or tool (linked now).
    """
    present = []
    for path, (size, etag) in sorted(expected.items()):
        if file_installed(target, path, size, etag):
            present.append(path)
            continue
        ready = target.ready_path(path, etag)
        if _blob_matches(ready, size):
            install_file(target, path, etag, ready)
            present.append(path)
        elif link_existing_blob(target, path, etag, size, verify=verify_blobs) is not None:
            present.append(path)
    return present


def file_installed(target: CacheTarget, repo_path: str, size: int, etag: str) -> bool:
    """The snapshot has `repo_path` with that size (and, when it is a link, linked to `blobs/<etag>`)."""
    etag = _check_etag(repo_path, etag)
    pointer = target.snapshot_path(repo_path)
    try:
        if pointer.is_symlink() and Path(os.readlink(pointer)).name != etag:
            return False  # a link to another version of the file
        return pointer.is_file() and pointer.stat().st_size == size
    except OSError:
        return False


def missing_files(target: CacheTarget, expected: Mapping[str, tuple[int, str]]) -> list[str]:
    """Paths of `expected` ({path: (size, etag)}) that the snapshot lacks or holds in another version."""
    return sorted(p for p, (size, etag) in expected.items() if not file_installed(target, p, size, etag))


def snapshot_complete(target: CacheTarget, expected: Mapping[str, tuple[int, str]]) -> bool:
    return not missing_files(target, expected)


def write_ref(target: CacheTarget) -> bool:
    """Record `refs/<revision>` = commit (atomic; untouched when already right). Returns True if written.

    Call it once the snapshot is installed: huggingface_hub treats a ref to a missing snapshot as corruption,
    so the snapshot folder is created here if need be.
    """
    ref = target.ref_path()
    if ref is None:
        return False
    with contextlib.suppress(OSError):
        if ref.read_text(encoding="utf-8") == target.commit:
            return False  # unchanged: do not touch a cache that may be read-only or shared
    target.snapshot_dir.mkdir(parents=True, exist_ok=True)
    ref.parent.mkdir(parents=True, exist_ok=True)
    tmp = ref.with_name(f"{ref.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(target.commit, encoding="utf-8")  # no newline: huggingface_hub reads it verbatim
        os.replace(tmp, ref)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return True


def write_tree(target: CacheTarget, entries: Iterable[TreeEntry]) -> bool:
    """Write `trees/<commit>.json` from the commit's FULL recursive listing (not a filtered selection).

    huggingface_hub 2.4 trusts this file: `snapshot_download` skips its own listing when it exists and,
    offline, reports a snapshot as incomplete when a listed file is missing. A partial listing would make
    it skip files, so pass every entry of the tree. A commit never changes: an existing valid file is kept.
    Returns True if written; False if kept or if the listing holds a path that is not safe to record.
    """
    if _read_tree(target.tree_file) is not None:
        return False
    files: dict[str, dict] = {}
    for entry in entries:
        if not entry.is_file:
            continue
        try:
            check_repo_path(entry.path)
        except UnsafePathError:
            return False
        info: dict = {"size": entry.size, "blob_id": entry.oid}
        if entry.lfs_sha256 is not None:
            info["lfs_sha256"] = entry.lfs_sha256
            info["lfs_size"] = entry.lfs_size if entry.lfs_size is not None else entry.size
        # huggingface_hub discards the whole listing if one xet hash is malformed: leave bad ones out.
        if entry.xet_hash and _HEX64.fullmatch(entry.xet_hash):
            info["xet_hash"] = entry.xet_hash
        files[entry.path] = info
    data = {"format_version": TREE_FORMAT_VERSION, "files": {p: files[p] for p in sorted(files)}}
    # Not fsynced: a listing lost in a power cut is written again by the next download of the commit.
    write_json_atomic(target.tree_file, data, durable=False)
    return True


def cached_listing(revision: CachedRevision) -> dict[str, dict] | None:
    """The commit's listing in `trees/<commit>.json` (path -> size and hashes), if the cache has one."""
    return _read_tree(revision.path.parent.parent / "trees" / f"{revision.commit}.json")


def _read_tree(path: Path) -> dict[str, dict] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format_version") != TREE_FORMAT_VERSION or not isinstance(data.get("files"), dict):
            return None
        return data["files"]
    except (OSError, ValueError, AttributeError):
        return None


# --- moving bytes -------------------------------------------------------------------------------


def _blob_matches(blob: Path, size: int) -> bool:
    try:
        return blob.is_file() and blob.stat().st_size == size
    except OSError:
        return False


def _link(blob: Path, pointer: Path) -> None:
    """Make `pointer` a relative symlink to `blob`, replacing whatever is there in one step."""
    relative = os.path.relpath(blob, pointer.parent)
    with contextlib.suppress(OSError):
        if os.readlink(pointer) == relative:
            return
    tmp = pointer.with_name(f".{pointer.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(relative, tmp)
    try:
        os.replace(tmp, pointer)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _move_into_place(src: Path, dst: Path) -> None:
    """Atomic rename; across filesystems, copy to a temporary sibling of `dst` and rename that."""
    try:
        os.replace(src, dst)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    _copy_into_place(src, dst)
    src.unlink()


def _copy_into_place(src: Path, dst: Path) -> None:
    """Copy to a temporary sibling of `dst`, then rename it over `dst`: readers never see half a file."""
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _match_folder_permissions(path: Path, folder: Path) -> None:
    """Give a new blob the mode a fresh file in the cache gets (umask), so shared caches stay shared."""
    probe = folder / f".hfgui-mode-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        os.close(fd)
        os.chmod(path, probe.stat().st_mode & 0o777)
    except OSError:
        pass  # permissions are a nicety; the file itself is fine
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


# --- reading the cache --------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedFile:
    path: str  # repo path, "/"-separated
    size: int
    linked: bool  # a symlink into blobs/ (False: a real file, the no-symlink fallback)


@dataclass(frozen=True)
class CachedRevision:
    commit: str
    refs: tuple[str, ...]  # e.g. ("main",)
    path: Path  # snapshots/<commit>
    files: tuple[CachedFile, ...]
    size: int  # bytes of the distinct blobs this snapshot uses
    complete: bool | None  # against trees/<commit>.json; None when no listing is cached
    last_modified: float


@dataclass(frozen=True)
class CachedModel:
    """A model present in a Hugging Face cache (shown as "hf-cache" next to the library's own models)."""

    repo_id: str
    path: Path  # the models--owner--name folder
    revisions: tuple[CachedRevision, ...]  # newest first
    size_on_disk: int  # distinct blobs across revisions
    file_count: int  # distinct blobs across revisions (what `hf cache ls` counts)
    unfinished: bool = False  # partial downloads wait in it (huggingface_hub's or hfgui's)

    @property
    def latest(self) -> CachedRevision:
        """The revision `main` points to, else the most recently modified one."""
        return self.revision("main") or self.revisions[0]

    def revision(self, name: str) -> CachedRevision | None:
        for rev in self.revisions:
            if name == rev.commit or name in rev.refs:
                return rev
        return None


def cached_models(cache_dir: Path | None = None) -> list[CachedModel]:
    """Every model with at least one snapshot in the cache, sorted by id; unreadable folders are skipped."""
    root = hub_cache_dir() if cache_dir is None else Path(cache_dir)
    if not root.is_dir():
        return []
    models = []
    for folder in sorted(root.iterdir()):
        repo_id = repo_id_from_folder(folder.name)
        if repo_id is None or not folder.is_dir():
            continue
        try:
            model = _scan_repo(repo_id, folder)
        except OSError:
            continue  # a folder vanishing or unreadable mid-scan must not hide the others
        if model is not None:
            models.append(model)
    return models


def cached_model(repo_id: str, cache_dir: Path | None = None) -> CachedModel | None:
    root = hub_cache_dir() if cache_dir is None else Path(cache_dir)
    folder = root / repo_folder_name(repo_id)
    if not folder.is_dir():
        return None
    try:
        return _scan_repo(repo_id, folder)
    except OSError:
        return None


def delete_cached_model(repo_id: str, cache_dir: Path | None = None) -> int:
    """Remove a model's folder (all revisions, its partials) and its lock folder; returns the bytes freed."""
    root = hub_cache_dir() if cache_dir is None else Path(cache_dir)
    folder = root / repo_folder_name(validate_repo_id(repo_id))
    if not folder.is_dir():
        return 0
    freed = 0
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            with contextlib.suppress(OSError):
                freed += os.lstat(os.path.join(dirpath, name)).st_size
    shutil.rmtree(folder)
    shutil.rmtree(root / ".locks" / folder.name, ignore_errors=True)
    return freed


def find_snapshot(repo_id: str, revision: str = "main", cache_dir: Path | None = None) -> Path | None:
    """`snapshots/<commit>` for a commit sha or a ref recorded in `refs/`, if that folder exists."""
    folder = (hub_cache_dir() if cache_dir is None else Path(cache_dir)) / repo_folder_name(repo_id)
    commit = revision if _COMMIT.fullmatch(revision) else _read_ref(folder, revision)
    if commit is None:
        return None
    snapshot = folder / "snapshots" / commit
    return snapshot if snapshot.is_dir() else None


def _read_ref(repo_folder: Path, revision: str) -> str | None:
    try:
        parts = check_repo_path(revision)
        commit = (repo_folder / "refs").joinpath(*parts).read_text(encoding="utf-8").strip()
    except (UnsafePathError, OSError, UnicodeDecodeError):
        return None
    return commit if _COMMIT.fullmatch(commit) else None


def _scan_repo(repo_id: str, folder: Path) -> CachedModel | None:
    snapshots = folder / "snapshots"
    if not snapshots.is_dir():
        return None
    refs_by_commit: dict[str, list[str]] = {}
    refs_dir = folder / "refs"
    if refs_dir.is_dir():
        for ref in refs_dir.rglob("*"):
            if ref.is_file() and ref.name not in _IGNORED_NAMES and not ref.name.endswith(".tmp"):
                name = ref.relative_to(refs_dir).as_posix()
                commit = _read_ref(folder, name)
                if commit:
                    refs_by_commit.setdefault(commit, []).append(name)
    all_blobs: dict[str, int] = {}
    revisions = []
    for snap in snapshots.iterdir():
        if not snap.is_dir() or snap.name in _IGNORED_NAMES:
            continue
        files, blobs = _scan_snapshot(snap)
        all_blobs.update(blobs)
        tree = _read_tree(folder / "trees" / f"{snap.name}.json")
        present = {f.path: f.size for f in files}
        complete = None
        if tree is not None:
            complete = all(present.get(p) == info.get("size") for p, info in tree.items())
        modified = max((os.stat(b).st_mtime for b in blobs), default=snap.stat().st_mtime)
        revisions.append(
            CachedRevision(
                commit=snap.name,
                refs=tuple(sorted(refs_by_commit.get(snap.name, ()))),
                path=snap,
                files=tuple(sorted(files, key=lambda f: f.path)),
                size=sum(blobs.values()),
                complete=complete,
                last_modified=modified,
            )
        )
    if not revisions:
        return None
    revisions.sort(key=lambda r: r.last_modified, reverse=True)
    unfinished = any((folder / "blobs").glob("*.incomplete")) or any(
        (folder / STAGING_DIR_NAME).glob("*.part")
    )
    return CachedModel(repo_id, folder, tuple(revisions), sum(all_blobs.values()), len(all_blobs), unfinished)


def _scan_snapshot(snap: Path) -> tuple[list[CachedFile], dict[str, int]]:
    """Files of one snapshot (broken links skipped) and the distinct blobs behind them with their sizes."""
    files: list[CachedFile] = []
    blobs: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(snap):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            if name in _IGNORED_NAMES:
                continue
            entry = os.path.join(dirpath, name)
            linked = os.path.islink(entry)
            # One hop, like huggingface_hub: the blob file, even if it links on to a shared store.
            blob = os.path.abspath(os.path.join(dirpath, os.readlink(entry))) if linked else entry
            try:
                size = os.stat(blob).st_size
            except OSError:
                continue  # broken link: the blob is gone, the file is not really there
            blobs[blob] = size
            files.append(CachedFile(Path(entry).relative_to(snap).as_posix(), size, linked))
    return files, blobs
