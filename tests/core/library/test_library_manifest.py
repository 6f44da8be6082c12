"""Manifest and journal files."""

from __future__ import annotations

import json

from hfgui.core.store.manifest import (
    Manifest,
    ManifestFile,
    append_journal,
    clear_journal,
    journal_path,
    manifest_path,
    read_journal,
    read_manifest,
    write_manifest,
)


def test_manifest_round_trip_and_layout(tmp_path):
    files = (ManifestFile("a/b.bin", 10, "f" * 64), ManifestFile("c.json", 3, "a" * 40))
    write_manifest(tmp_path, Manifest("o/m", "main", "c" * 40, files, 1_700_000_000.0))
    data = json.loads((tmp_path / ".hfgui" / "manifest.json").read_text())
    assert data["repo"] == "o/m" and data["revision"] == "main" and data["commit"] == "c" * 40
    assert data["total"] == 13
    assert data["files"][0] == {"path": "a/b.bin", "size": 10, "etag": "f" * 64}
    back = read_manifest(tmp_path)
    assert back is not None and back.files == files and back.total_bytes == 13
    assert [p.name for p in manifest_path(tmp_path).parent.iterdir()] == ["manifest.json"]  # no temp left


def test_broken_manifest_reads_as_absent(tmp_path):
    manifest_path(tmp_path).parent.mkdir()
    manifest_path(tmp_path).write_text("{not json")
    assert read_manifest(tmp_path) is None


def test_journal_tolerates_a_torn_last_line(tmp_path):
    append_journal(tmp_path, "c" * 40, ManifestFile("a", 1, "e" * 40))
    append_journal(tmp_path, "c" * 40, ManifestFile("b", 2, "d" * 40))
    with open(journal_path(tmp_path), "a") as fh:
        fh.write('{"path": "c", "si')
    assert set(read_journal(tmp_path)) == {"a", "b"}
    clear_journal(tmp_path)
    assert read_journal(tmp_path) == {}
