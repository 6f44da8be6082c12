"""Where a model's download goes: its folder in the library, its staging folder, and the lock it holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hfgui.core.store import hfcache
from hfgui.core.store.manifest import METADATA_DIR
from hfgui.core.wire.repo_id import validate_repo_id

if TYPE_CHECKING:
    from hfgui.core.engine.planner import DownloadRequest

STAGING_DIR_NAME = ".hfgui-staging"


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
