"""Etag-shaped hashes: sha256 for LFS files, git blob sha1 for regular files."""

from __future__ import annotations

import hashlib

import pytest

from hfgui.core.store.hashing import StreamHasher, etag_kind, file_matches_etag, normalize_etag
from tests.hubemu import generated_content, git_blob_sha1

DATA = b"hello hub\n" * 1000


def test_git_blob_sha1_matches_git():
    hasher = StreamHasher.for_etag("0" * 40, len(DATA))
    for i in range(0, len(DATA), 777):
        hasher.update(DATA[i : i + 777])
    assert hasher.kind == "git-sha1"
    assert hasher.hexdigest() == git_blob_sha1(DATA)
    # The empty blob id every git user knows.
    assert StreamHasher("git-sha1", 0).hexdigest() == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_sha256_for_64_hex_etags():
    hasher = StreamHasher.for_etag("A" * 64, len(DATA))
    hasher.update(DATA)
    assert hasher.kind == "sha256" and hasher.hexdigest() == hashlib.sha256(DATA).hexdigest()


def test_matches_needs_full_size_and_normalises_etag():
    etag = git_blob_sha1(DATA)
    hasher = StreamHasher.for_etag(etag, len(DATA))
    hasher.update(DATA[:-1])
    assert not hasher.matches(etag)
    hasher.update(DATA[-1:])
    assert hasher.matches(f'W/"{etag.upper()}"')


@pytest.mark.parametrize("bad", ["", "abc", "g" * 40, "0" * 41, "0" * 63])
def test_unusable_etags_are_refused(bad):
    with pytest.raises(ValueError):
        etag_kind(bad)


def test_normalize_etag():
    assert normalize_etag(' W/"AbC" ') == "abc"
    assert normalize_etag('"abc"') == "abc"


def test_file_hashing_reads_big_files_in_chunks(tmp_path):
    content = generated_content(20 * 1024 * 1024 + 3, seed=2)
    path = tmp_path / "blob"
    with open(path, "wb") as out:
        for chunk in content.iter_range(0, content.size):
            out.write(chunk)
    assert file_matches_etag(path, content.sha256, content.size)
    assert file_matches_etag(path, content.git_sha1)
    assert not file_matches_etag(path, content.sha256, content.size + 1)
    hasher = StreamHasher.for_etag(content.sha256, content.size)
    assert hasher.update_from_file(path, 1000) == 1000 and hasher.bytes_hashed == 1000
