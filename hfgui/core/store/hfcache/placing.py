"""Putting files and links in place so readers never see half of one, and whether a disk takes symlinks."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path

_TRUE = frozenset({"1", "ON", "YES", "TRUE"})

_symlink_support: dict[str, bool] = {}  # real folder path -> whether a symlink could be made there
_symlink_lock = threading.Lock()


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


def link_relative(blob: Path, pointer: Path) -> None:
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


def move_into_place(src: Path, dst: Path) -> None:
    """Atomic rename; across filesystems, copy to a temporary sibling of `dst` and rename that."""
    try:
        os.replace(src, dst)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    copy_into_place(src, dst)
    src.unlink()


def copy_into_place(src: Path, dst: Path) -> None:
    """Copy to a temporary sibling of `dst`, then rename it over `dst`: readers never see half a file."""
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def match_folder_permissions(path: Path, folder: Path) -> None:
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
