"""Deleting a model folder so that a kill half-way never leaves files no command shows.

The folder is first renamed out of the library into `<library>/.hfgui-deleting/` (one atomic step on the
same file system), then removed. A delete killed after the rename leaves a folder there that `partials`
and the Library tab list as a leftover and remove; one killed before it left the model untouched. Where
the rename cannot be done (the model folder is a mount point), hfgui's own `.hfgui` folder goes last, so
the model stays listed until its last file is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.store.manifest import METADATA_DIR

TRASH_DIR = ".hfgui-deleting"
_SEPARATOR = "--"


@dataclass(frozen=True)
class TrashedFolder:
    """What a delete that did not finish left behind."""

    path: Path
    repo_id: str | None  # from the folder's name; None when it was renamed by hand


def trash_dir(library_root: Path) -> Path:
    return Path(library_root) / TRASH_DIR


def remove_model_folder(library_root: Path, repo_id: str, root: Path) -> None:
    """Remove `root` (a real folder inside the library) without ever leaving unlisted model files."""
    doomed = _move_out(library_root, repo_id, root)
    if doomed is None:
        _remove_metadata_last(root)
    else:
        shutil.rmtree(doomed)
        with contextlib.suppress(OSError):
            doomed.parent.rmdir()  # the trash itself, when no other delete is under way


def _move_out(library_root: Path, repo_id: str, root: Path) -> Path | None:
    owner, _, name = repo_id.partition("/")
    target = trash_dir(library_root) / f"{owner}{_SEPARATOR}{name}{_SEPARATOR}{uuid.uuid4().hex[:8]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(root, target)
    except OSError as exc:
        if exc.errno in (errno.EXDEV, errno.EBUSY, errno.EPERM, errno.EACCES):
            return None
        raise
    return target


def _remove_metadata_last(root: Path) -> None:
    for entry in sorted(os.scandir(root), key=lambda e: e.name == METADATA_DIR):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    os.rmdir(root)


def trashed_folders(library_root: Path) -> list[TrashedFolder]:
    """Folders a killed delete left in the library's trash, by name."""
    folder = trash_dir(library_root)
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        parts = entry.name.split(_SEPARATOR)
        repo_id = f"{parts[0]}/{_SEPARATOR.join(parts[1:-1])}" if len(parts) >= 3 else None
        found.append(TrashedFolder(entry, repo_id))
    return found


def remove_trashed(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # the trash itself, once empty
