"""Making written data durable: a file's content on disk before it is renamed into place or recorded,
so a crash never leaves a renamed but empty file."""

from __future__ import annotations

import os
from pathlib import Path


def sync_file_data(path: Path) -> None:
    """Make a file's content durable after the fact (download_file(sync_data=False) left it to us)."""
    flags = os.O_RDWR if os.name == "nt" else os.O_RDONLY  # Windows flushes only writable handles
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        sync_data(fd)
    finally:
        os.close(fd)


def sync_data(fd: int) -> None:
    """Content on disk before the rename, so a crash never leaves a renamed but empty file."""
    if hasattr(os, "fdatasync"):
        os.fdatasync(fd)  # data and size only: cheaper than fsync's full metadata flush
    else:
        os.fsync(fd)
