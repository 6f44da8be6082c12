"""The prefix hasher: bytes written out of order are hashed in order, from memory when they are next."""

from __future__ import annotations

import hashlib
import os
import random

from hfgui.core.engine.prefix_hash import PrefixHasher
from hfgui.core.store.hashing import StreamHasher


def test_out_of_order_chunks_hash_like_the_whole_file(tmp_path):
    data = random.Random(3).randbytes(3_000_000)
    chunks = [(at, data[at : at + 100_000]) for at in range(0, len(data), 100_000)]
    random.Random(4).shuffle(chunks)
    fd = os.open(tmp_path / "part", os.O_RDWR | os.O_CREAT)
    try:
        os.ftruncate(fd, len(data))
        hasher = PrefixHasher(StreamHasher("sha256", len(data)), fd)
        written: set[int] = set()
        for at, chunk in chunks:
            os.pwrite(fd, chunk, at)
            written.add(at)
            hasher.offer(at, chunk)
            prefix = 0
            while prefix in written:
                prefix += 100_000
            hasher.catch_up(min(prefix, len(data)))
        hasher.catch_up(len(data), wait=True)
    finally:
        os.close(fd)
    assert hasher.hashed == len(data)
    assert hasher.hexdigest() == hashlib.sha256(data).hexdigest()
    assert 0 < hasher.read_back < len(data)  # some came from memory, the rest read back as it joined


def test_in_order_chunks_are_never_read_back(tmp_path):
    data = os.urandom(1_000_000)
    fd = os.open(tmp_path / "part", os.O_RDWR | os.O_CREAT)
    try:
        hasher = PrefixHasher(StreamHasher("git-sha1", len(data)), fd)
        for at in range(0, len(data), 65536):
            os.pwrite(fd, data[at : at + 65536], at)
            hasher.offer(at, data[at : at + 65536])
            hasher.catch_up(min(at + 65536, len(data)))
    finally:
        os.close(fd)
    assert hasher.read_back == 0
    assert hasher.hexdigest() == hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_hashed_offsets_are_reported_for_page_cache_upkeep(tmp_path):
    seen: list[int] = []
    fd = os.open(tmp_path / "part", os.O_RDWR | os.O_CREAT)
    try:
        os.pwrite(fd, b"x" * 10_000_000, 0)
        hasher = PrefixHasher(StreamHasher("sha256", 10_000_000), fd, on_hashed=seen.append)
        hasher.catch_up(10_000_000, wait=True)
    finally:
        os.close(fd)
    assert seen[-1] == 10_000_000 and seen == sorted(seen) and len(seen) >= 3
