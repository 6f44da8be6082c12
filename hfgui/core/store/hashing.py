"""Content hashes that match Hub etags: sha256 for LFS files, git blob sha1 for regular files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from hfgui.core.errors import UnsafePathError
from hfgui.core.types import GIT_SHA1_HEX_LEN, SHA256_HEX_LEN

# Big reads keep hashing of multi-GiB files close to the speed of the hash itself.
READ_CHUNK = 8 * 1024 * 1024

_HEX = frozenset("0123456789abcdef")


def normalize_etag(etag: str) -> str:
    """Strip a weak-validator prefix and quotes, lower-case: `W/"AB12"` -> `ab12`."""
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"').lower()


def etag_kind(etag: str) -> str:
    """'sha256' for a 64-hex etag (LFS), 'git-sha1' for a 40-hex one (regular file); ValueError otherwise."""
    value = normalize_etag(etag)
    if not set(value) <= _HEX:
        raise ValueError(f"etag {etag!r} is not a hex digest")
    if len(value) == SHA256_HEX_LEN:
        return "sha256"
    if len(value) == GIT_SHA1_HEX_LEN:
        return "git-sha1"
    raise ValueError(f"etag {etag!r} is neither a sha256 (64 hex) nor a git sha1 (40 hex)")


def checked_etag(repo_path: str, etag: str) -> str:
    """The normalised etag of a listed file, or UnsafePathError when it is no digest we can verify.

    The value comes from the server and names blobs and partials, so nothing else may pass.
    """
    try:
        etag_kind(etag)
    except ValueError:
        raise UnsafePathError(
            repo_path, f"its hash '{etag[:80]}' is neither a sha256 nor a git sha1 hex digest"
        ) from None
    return normalize_etag(etag)


def pread(fd: int, size: int, offset: int) -> bytes:
    """os.pread where it exists (POSIX); seek + read elsewhere (callers do not share the fd meanwhile)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


class StreamHasher:
    """Incremental hash of a file's content in the form the Hub uses for that file's etag.

    A git blob sha1 hashes ``b"blob <size>\\0"`` before the content, so the final size must be known
    up front; the Hub's tree listing gives it.
    """

    def __init__(self, kind: str, size: int) -> None:
        if kind == "sha256":
            self._hash = hashlib.sha256()
        elif kind == "git-sha1":
            self._hash = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
        else:
            raise ValueError(f"unknown hash kind {kind!r}")
        self.kind = kind
        self.size = size
        self.bytes_hashed = 0

    @classmethod
    def for_etag(cls, etag: str, size: int) -> StreamHasher:
        return cls(etag_kind(etag), size)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._hash.update(data)
        self.bytes_hashed += len(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def matches(self, etag: str) -> bool:
        return self.bytes_hashed == self.size and self.hexdigest() == normalize_etag(etag)

    def update_from_file(self, path: Path | str, nbytes: int | None = None) -> int:
        """Feed the first `nbytes` of a file (all of it when None); returns how many bytes were read."""
        with open(path, "rb", buffering=0) as f:
            return self.update_from_fd(f.fileno(), 0, nbytes)

    def update_from_fd(self, fd: int, offset: int = 0, nbytes: int | None = None) -> int:
        """Feed `nbytes` (or up to EOF) read from `offset` without moving the fd; returns bytes read."""
        buf = bytearray(READ_CHUNK)  # reused: allocating a fresh bytes per read halves the throughput
        view = memoryview(buf)
        done = 0
        while nbytes is None or done < nbytes:
            want = READ_CHUNK if nbytes is None else min(READ_CHUNK, nbytes - done)
            if hasattr(os, "preadv"):
                n = os.preadv(fd, [view[:want]], offset + done)
                data = view[:n]
            else:
                data = pread(fd, want, offset + done)
                n = len(data)
            if not n:
                break
            self.update(data)
            done += n
        return done


def file_matches_etag(path: Path | str, etag: str, size: int | None = None) -> bool:
    """True when the file on disk has the content the etag names (and the size, when given)."""
    actual_size = os.path.getsize(path)
    if size is not None and actual_size != size:
        return False
    hasher = StreamHasher.for_etag(etag, actual_size)
    hasher.update_from_file(path)
    return hasher.matches(etag)
