"""One file's partial in the staging folder: its bytes and sidecar, what was reported of them, its install."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hfgui.core.engine.file_task import FileTask
from hfgui.core.errors import HfGuiError, InsufficientSpaceError
from hfgui.core.store import partials
from hfgui.core.store.hashing import normalize_etag
from hfgui.core.store.partials import Sidecar

if TYPE_CHECKING:
    from hfgui.core.engine.bandwidth import BandwidthLimiter

# Smaller files get a resume sidecar only when they stop early: refetching at most this much after a
# crash is cheaper than writing bookkeeping for every small file of a many-file model.
RESUMABLE_MIN_SIZE = 1024 * 1024
WRITEBACK_WINDOW = 64 * 1024 * 1024  # see start_writeback
COPY_CHUNK = 8 * 1024 * 1024
NO_SPACE_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class PartialFile:
    """The partial of one download_file call. `reported` (the running sum of on_bytes) always equals the
    bytes the partial holds, so a resumed partial is reported once and a restart reports a negative value."""

    def __init__(
        self,
        task: FileTask,
        staging_dir: Path,
        cancel: threading.Event,
        on_bytes: Callable[[int], None] | None,
        limiter: BandwidthLimiter | None,
    ) -> None:
        self.task = task
        self.etag = normalize_etag(task.etag)
        self.staging_dir = staging_dir
        self.fd = -1
        self.reported = 0
        self._cancel = cancel  # ends a wait for the bandwidth cap
        self._on_bytes = on_bytes
        self._limiter = limiter
        key = task.partial_key
        self.part_path = partials.part_path(staging_dir, key)
        self.sidecar_path = partials.sidecar_path(staging_dir, key)
        self.fresh_sidecar = Sidecar(
            url=task.url,
            repo_id=task.repo_id,
            commit=task.commit,
            path=task.path,
            etag=self.etag,
            size=task.size,
        )

    def open(self) -> None:
        self.staging_dir.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.part_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)

    def lock(self) -> None:
        """One writer per partial: a second hfgui (window and CLI at once) must not interleave bytes."""
        lock_or_fail(self.fd, self.task.path)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def discard(self) -> None:
        """Close and delete the partial and its sidecar: nothing of it is worth resuming."""
        self.close()
        partials.remove_partial(self.staging_dir, self.task.partial_key)

    def on_disk(self) -> int:
        return os.fstat(self.fd).st_size

    # -- bytes ----------------------------------------------------------------------------------------

    def report(self, n: int) -> None:
        self.reported += n
        if n and self._on_bytes is not None:
            self._on_bytes(n)

    def write_at(self, offset: int, data: bytes | memoryview) -> None:
        """Write a chunk, then wait for the bandwidth cap (already written, so never raise there); a
        cancel ends the wait and the reading loop then stops."""
        try:
            partials.write_at(self.fd, data, offset)
        except OSError as exc:
            if exc.errno in NO_SPACE_ERRNOS:
                raise self.no_space(offset) from None
            raise
        if self._limiter is not None:
            self._limiter.acquire(len(data), self._cancel)

    def no_space(self, offset: int) -> InsufficientSpaceError:
        return InsufficientSpaceError(
            max(self.task.size - offset, 0), _disk_free(self.staging_dir), str(self.staging_dir)
        )

    def preallocate(self) -> None:
        """Reserve the whole file up front so a full disk shows before any byte is fetched."""
        fd, size = self.fd, self.task.size
        try:
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(fd, 0, size)
                return
        except OSError as exc:
            if exc.errno in NO_SPACE_ERRNOS:
                os.ftruncate(fd, 0)
                raise self.no_space(0) from None
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise
        os.ftruncate(fd, size)

    def restart_from_zero(self) -> None:
        os.ftruncate(self.fd, 0)
        self.report(-self.reported)  # exactly what was reported, whatever the partial held
        self.save_sidecar(self.fresh_sidecar)

    # -- sidecar --------------------------------------------------------------------------------------

    def load(self) -> Sidecar:
        """Resume what an earlier run left if it is the same file version; otherwise start clean."""
        on_disk = self.on_disk()
        previous = partials.read_sidecar(self.sidecar_path)
        task = self.task
        usable = (
            previous is not None
            and (previous.repo_id, previous.path, previous.etag, previous.size)
            == (task.repo_id, task.path, self.etag, task.size)
            and (on_disk <= task.size if previous.segments is None else on_disk == task.size)
        )
        if not usable:
            if on_disk:
                os.ftruncate(self.fd, 0)
            self.save_sidecar(self.fresh_sidecar)
            return self.fresh_sidecar
        assert previous is not None
        sidecar = replace(previous, url=task.url, commit=task.commit)
        self.report(on_disk if sidecar.segments is None else sum(s.done - s.start for s in sidecar.segments))
        return sidecar

    def save_sidecar(self, sidecar: Sidecar, *, force: bool = False) -> None:
        if not force and self.task.size < RESUMABLE_MIN_SIZE and sidecar.segments is None:
            return  # written only if the download stops early (keep_for_resume)
        try:
            partials.write_sidecar(self.sidecar_path, sidecar)
        except OSError as exc:
            if exc.errno in NO_SPACE_ERRNOS:
                raise self.no_space(0) from None
            raise

    def keep_for_resume(self) -> None:
        """A small file's sidecar is written only now, when it stops early with bytes worth keeping."""
        if self.task.size >= RESUMABLE_MIN_SIZE:
            return
        with contextlib.suppress(OSError, HfGuiError):
            if self.on_disk() > 0:
                self.save_sidecar(self.fresh_sidecar, force=True)

    # -- into place -----------------------------------------------------------------------------------

    def install(self, *, sync_dir: bool) -> None:
        """Rename the verified partial to its destination (a copy across filesystems) and drop its sidecar."""
        dest = self.task.dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(self.part_path, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            _copy_across_filesystems(self.part_path, dest)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.sidecar_path)
        if sync_dir:
            fsync_dir(dest.parent)


def lock_or_fail(fd: int, path: str) -> None:
    """An exclusive advisory lock on the partial, or a clear error when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; the hash check still catches a mix-up
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise HfGuiError(
            f"'{path}' is already being downloaded by another hfgui window or process.",
            "Wait for that download to finish, or stop it, then try again.",
        ) from None


def _copy_across_filesystems(source: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.hfgui-tmp")
    try:
        with open(source, "rb") as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out, COPY_CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.unlink(source)


def start_writeback(fd: int, start: int) -> None:
    """Hand the window just completed to the disk, and drop the one before it from the page cache.

    Linux starts writeback of dirty pages on DONTNEED but can only drop clean ones, so each window is
    advised twice: once to start its writeback, and one window later, when it is on disk, to drop it.
    The final fdatasync then has little left to wait for, and a multi-GiB download neither pushes
    everything else out of the page cache nor makes the kernel find fresh pages for every window
    (it reuses the ones just dropped). The hash never reads these pages back.
    """
    if start < 0 or not hasattr(os, "posix_fadvise"):
        return
    with contextlib.suppress(OSError):
        os.posix_fadvise(fd, start, WRITEBACK_WINDOW, os.POSIX_FADV_DONTNEED)
        if start >= WRITEBACK_WINDOW:
            os.posix_fadvise(fd, start - WRITEBACK_WINDOW, WRITEBACK_WINDOW, os.POSIX_FADV_DONTNEED)


def writeback_behind(fd: int) -> Callable[[int], None]:
    """For the prefix hasher: each WRITEBACK_WINDOW it has hashed goes to the disk (see start_writeback);
    bytes ahead of it stay cached until it reads them back."""
    passed = [0]

    def on_hashed(upto: int) -> None:
        while upto - passed[0] >= WRITEBACK_WINDOW:
            start_writeback(fd, passed[0])
            passed[0] += WRITEBACK_WINDOW

    return on_hashed


def fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless to skip where directories cannot be opened."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _disk_free(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0
