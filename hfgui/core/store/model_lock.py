"""One download, update or delete of a model at a time, across hfgui windows and processes.

Two runs on the same model folder would each write a manifest listing only their own files (the
second hiding the first), and a delete would pull files from under a running download. An advisory
lock on a small file next to the model's partials keeps them apart; a second run fails at once with
one line instead of half-working. Where the OS has no advisory locks (Windows) runs are not kept apart
and the per-file hash checks remain the safety net.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from hfgui.core.errors import HfGuiError


class ModelBusyError(HfGuiError):
    def __init__(self, repo_id: str, hint: str) -> None:
        self.repo_id = repo_id
        super().__init__(
            f"{repo_id} is being downloaded or updated by another hfgui window or process.", hint
        )


@contextlib.contextmanager
def model_lock(lock_file: Path, repo_id: str, *, busy_hint: str) -> Iterator[None]:
    """Hold the model's lock for the block, or raise ModelBusyError without waiting.

    The lock file, and any folder made for it that ends up empty, goes again afterwards: a run that
    failed early leaves nothing behind (in a --dest folder or the Hugging Face cache least of all).
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    made = _missing_parents(lock_file)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelBusyError(repo_id, busy_hint) from None
        try:
            yield
        finally:
            _tidy(lock_file, made)
    finally:
        os.close(fd)


READ_ONLY_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


@contextlib.contextmanager
def model_lock_unless_read_only(lock_file: Path, repo_id: str, *, busy_hint: str) -> Iterator[bool]:
    """model_lock for a run that only reads (a check): True while held, or False without a lock where
    the folder cannot be written at all (a read-only library, which no download can change either)."""
    try:
        held = model_lock(lock_file, repo_id, busy_hint=busy_hint)
        held.__enter__()
    except OSError as exc:
        if exc.errno not in READ_ONLY_ERRNOS:
            raise
        yield False
        return
    try:
        yield True
    except BaseException as exc:
        if not held.__exit__(type(exc), exc, exc.__traceback__):
            raise
    else:
        held.__exit__(None, None, None)


def _missing_parents(path: Path) -> list[Path]:
    """The folders above `path` that do not exist yet, deepest first."""
    missing = []
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _tidy(lock_file: Path, made: list[Path]) -> None:
    # Unlinked while still locked: a later run makes a new file. (A run that opened this one just
    # before could lock it after us, beside that new one; a window of microseconds, accepted.)
    with contextlib.suppress(OSError):
        lock_file.unlink()
    for created in made:  # deepest first; rmdir refuses a folder the run put anything into
        try:
            created.rmdir()
        except OSError:
            break
