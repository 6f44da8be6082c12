"""The journal thread: a small file's record is written only after its content was flushed, in order."""

from __future__ import annotations

import pytest

from hfgui.core.store import journal_writer
from hfgui.core.store.journal_writer import JournalWriter
from hfgui.core.store.manifest import ManifestFile, fetched_in_journal, read_journal

COMMIT = "c" * 40


def entry(path: str) -> ManifestFile:
    return ManifestFile(path, 3, "a" * 40)


def test_records_follow_the_flush_of_each_file(tmp_path, monkeypatch):
    synced: list[str] = []
    monkeypatch.setattr(journal_writer, "sync_file_data", lambda path: synced.append(path.name))
    files = []
    for name in ("a.json", "b.json", "big.bin"):
        (tmp_path / name).write_bytes(b"abc")
        files.append(tmp_path / name)
    writer = JournalWriter(tmp_path)
    writer.add(files[0], COMMIT, entry("a.json"), sync=True)
    writer.add(files[1], COMMIT, entry("b.json"), sync=True)
    writer.add(files[2], COMMIT, entry("big.bin"), sync=False)  # flushed by its worker already
    writer.close()
    assert synced == ["a.json", "b.json"]
    assert set(read_journal(tmp_path)) == {"a.json", "b.json", "big.bin"}
    assert fetched_in_journal(tmp_path) == {"a.json", "b.json", "big.bin"}


def test_a_file_that_cannot_be_flushed_gets_no_record_nor_do_later_ones(tmp_path):
    (tmp_path / "a.json").write_bytes(b"abc")
    writer = JournalWriter(tmp_path)
    writer.add(tmp_path / "a.json", COMMIT, entry("a.json"), sync=True)
    writer.close()
    writer = JournalWriter(tmp_path)
    writer.add(tmp_path / "gone.json", COMMIT, entry("gone.json"), sync=True)  # vanished meanwhile
    writer.add(tmp_path / "a.json", COMMIT, entry("later.json"), sync=True)
    with pytest.raises(OSError):
        writer.close()
    assert set(read_journal(tmp_path)) == {"a.json"}  # the planner re-checks the others by hash
