"""Content hashes that match Hub etags: sha256 for LFS files, git blob sha1 for regular files."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
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

    def close(self) -> None:
        """Nothing to release (BackgroundHasher has a thread to end)."""

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


# Files at least this big are hashed on a helper thread: hashlib releases the GIL, so hashing one chunk
# overlaps with receiving and writing the next, and a download runs at the speed of the slower of the two
# instead of their sum.
BACKGROUND_MIN_SIZE = 8 * 1024 * 1024
_QUEUE_DEPTH = 8  # chunks in flight; bounds the memory this costs to a few MiB


class BackgroundHasher:
    """A StreamHasher fed through a bounded queue by its own thread.

    hexdigest() waits for the queue to drain and ends the thread; close() ends it early when the hash
    is abandoned (a restart from zero, a cancel). No update is accepted after either.
    """

    def __init__(self, inner: StreamHasher) -> None:
        self._inner = inner
        self._queue: queue.Queue[bytes | None] = queue.Queue(_QUEUE_DEPTH)
        self._thread = threading.Thread(target=self._run, name="hfgui-hash", daemon=True)
        self._closed = False
        self._thread.start()

    @classmethod
    def for_etag(cls, etag: str, size: int) -> StreamHasher | BackgroundHasher:
        inner = StreamHasher.for_etag(etag, size)
        return cls(inner) if size >= BACKGROUND_MIN_SIZE else inner

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._inner.update(chunk)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._closed:
            raise RuntimeError("update() after hexdigest() or close()")
        # A reused buffer would change under the hashing thread: only immutable bytes cross over.
        self._queue.put(data if isinstance(data, bytes) else bytes(data))

    def update_from_fd(self, fd: int, offset: int = 0, nbytes: int | None = None) -> int:
        done = 0
        while nbytes is None or done < nbytes:
            want = READ_CHUNK if nbytes is None else min(READ_CHUNK, nbytes - done)
            data = pread(fd, want, offset + done)
            if not data:
                break
            self.update(data)
            done += len(data)
        return done

    def hexdigest(self) -> str:
        self.close()
        return self._inner.hexdigest()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
