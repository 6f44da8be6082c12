"""What a run records of a model in library mode, without a network: the journal as files land, the
manifest once all are in, and a manifest the new files replace withdrawn before the first byte."""

from __future__ import annotations

from hfgui.core.engine.model_records import DEFERRED_SYNC_BELOW, ModelRecords
from hfgui.core.engine.planner import DownloadRequest, plan_from_entries
from hfgui.core.store.manifest import Manifest, ManifestFile, read_journal, read_manifest, write_manifest
from hfgui.core.types import TreeEntry

OLD, NEW = "a" * 40, "b" * 40
BIG = DEFERRED_SYNC_BELOW


def plan_for(library, *entries: TreeEntry):
    request = DownloadRequest("acme/tiny")
    return plan_from_entries(request, NEW, entries, endpoint="http://127.0.0.1:1", library_root=library)


def land(task) -> None:
    """As if the transfer had verified and installed the file."""
    task.dest.parent.mkdir(parents=True, exist_ok=True)
    task.dest.write_bytes(b"x" * task.size)


def test_files_go_to_the_journal_and_the_manifest_only_at_the_end(tmp_path):
    plan = plan_for(tmp_path, TreeEntry("sub/a.bin", "file", 3, oid="c" * 40))
    records = ModelRecords(plan)
    tasks, reused = records.reuse_cached()
    assert reused == set() and [t.path for t in tasks] == ["sub/a.bin"]
    records.prepare()
    [task] = tasks
    assert records.defers_sync(task)  # a small file is flushed by the journal thread
    land(task)
    records.add(task, deferred=True)
    assert records.close() is None
    assert set(read_journal(plan.root)) == {"sub/a.bin"} and read_manifest(plan.root) is None
    records.check_complete()  # library mode: nothing to check
    manifest = records.finish()
    assert read_manifest(plan.root) == manifest and read_journal(plan.root) == {}


def test_a_big_file_is_flushed_by_its_worker(tmp_path):
    plan = plan_for(tmp_path, TreeEntry("big.bin", "file", BIG, oid="d" * 64))
    records = ModelRecords(plan)
    records.reuse_cached()
    records.prepare()
    [task] = plan.tasks
    assert not records.defers_sync(task)
    assert records.close() is None


def test_a_manifest_the_new_files_replace_is_withdrawn_before_the_first_byte(tmp_path):
    kept, changed = ManifestFile("keep.txt", 1, "e" * 40), ManifestFile("a.bin", 3, "f" * 40)
    root = tmp_path / "acme" / "tiny"
    root.mkdir(parents=True)
    (root / "keep.txt").write_bytes(b"k")
    write_manifest(root, Manifest("acme/tiny", "main", OLD, (kept, changed), 0.0))
    plan = plan_for(tmp_path, TreeEntry("a.bin", "file", 3, oid="c" * 40))
    records = ModelRecords(plan)
    records.reuse_cached()
    records.prepare()
    assert records.close() is None
    assert read_manifest(root) is None  # no longer counted as installed while files change
    assert set(read_journal(root)) == {"keep.txt"}  # the rest is still known to be verified
