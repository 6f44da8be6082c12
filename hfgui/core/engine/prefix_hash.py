"""Hash a file that is written out of order, in order, while its contiguous prefix grows.

Segmented downloads write several ranges at once; the hash (sha256 or git blob sha1) must see the bytes
from the first to the last. Instead of one more pass over the whole file at the end, whichever connection
thread finds the hasher free feeds it: a chunk that lands exactly where the hash stands is hashed from
memory, and bytes that landed ahead of it are read back (from the page cache, where they still are) as
soon as the prefix reaches them. The hash is therefore done a moment after the last byte arrives.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from hfgui.core.store.hashing import StreamHasher, pread

READ_BACK = 4 * 1024 * 1024  # bytes read back per step; a connection thread is held this long at most


class PrefixHasher:
    def __init__(
        self, hasher: StreamHasher, fd: int, *, on_hashed: Callable[[int], None] | None = None
    ) -> None:
        self._hasher = hasher
        self._fd = fd
        self._lock = threading.Lock()
        self._buffer: memoryview | None = None  # made on the first read-back
        self._on_hashed = on_hashed  # told how far the hash stands after each step (page cache upkeep)
        self.hashed = 0  # bytes [0, hashed) are in the hash
        self.read_back = 0  # of those, bytes that were read back from the file (for tests and logs)

    def offer(self, offset: int, data: bytes | memoryview) -> None:
        """A chunk just written at `offset`: hash it from memory if it is next and the hasher is free."""
        if offset != self.hashed or not self._lock.acquire(blocking=False):
            return
        try:
            if offset == self.hashed:
                self._feed(data)
        finally:
            self._lock.release()

    def catch_up(self, prefix: int, *, wait: bool = False, limit: int = READ_BACK) -> None:
        """Hash bytes [hashed, prefix) from the file, at most `limit` of them (all when `wait`).

        Without `wait`, a thread that finds another one hashing goes back to its connection.
        """
        if self.hashed >= prefix or not self._lock.acquire(blocking=wait):
            return
        try:
            stop = prefix if wait else min(prefix, self.hashed + limit)
            while self.hashed < stop:
                view = self._read(self.hashed, min(READ_BACK, stop - self.hashed))
                self.read_back += len(view)
                self._feed(view)
        finally:
            self._lock.release()

    def hexdigest(self) -> str:
        with self._lock:
            return self._hasher.hexdigest()

    def _feed(self, data: bytes | memoryview) -> None:
        self._hasher.update(data)
        self.hashed += len(data)
        if self._on_hashed is not None:
            self._on_hashed(self.hashed)

    def _read(self, offset: int, size: int) -> memoryview:
        if self._buffer is None:
            self._buffer = memoryview(bytearray(READ_BACK))
        if hasattr(os, "preadv"):
            got = os.preadv(self._fd, [self._buffer[:size]], offset)
            if got <= 0:
                raise OSError(f"the partial file ended at {offset} while hashing it")
            return self._buffer[:got]
        data = pread(self._fd, size, offset)
        if not data:
            raise OSError(f"the partial file ended at {offset} while hashing it")
        return memoryview(data)
