"""What a download run records of the model: each verified file as it lands (the resume journal, or a blob
in the Hugging Face cache) and, once every file is in, the model as installed (manifest, or tree and ref)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from hfgui.core.engine.file_task import FileTask
from hfgui.core.engine.partial_file import RESUMABLE_MIN_SIZE, fsync_dir
from hfgui.core.engine.planner import Plan
from hfgui.core.errors import HfGuiError
from hfgui.core.store import hfcache, partials
from hfgui.core.store.journal_writer import JournalWriter
from hfgui.core.store.manifest import (
    Manifest,
    ManifestFile,
    clear_journal,
    demote_to_journal,
    read_manifest,
    write_manifest,
)
from hfgui.core.words import counted

# Files smaller than this are flushed to disk by the journal thread (journal_writer.py), not the worker.
DEFERRED_SYNC_BELOW = RESUMABLE_MIN_SIZE


class ModelRecords:
    """The records of one run, in library mode (`plan.root` with its manifest and journal) or cache mode
    (`plan.cache_target`: nothing of hfgui's own lands in `snapshots/`)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._tasks: tuple[FileTask, ...] = plan.tasks
        self._journal: JournalWriter | None = None  # library mode: records verified files

    def reuse_cached(self) -> tuple[tuple[FileTask, ...], set[str]]:
        """The tasks still to fetch, and the paths the cache already holds (cache mode; none otherwise).

        Links blobs found in the cache and installs files an interrupted run left verified.
        """
        target = self.plan.cache_target
        if target is None:
            return self._tasks, set()
        hfcache.prepare(target)
        reused = set(hfcache.reuse_cached(target, self._sizes_and_etags()))
        self._tasks = tuple(t for t in self._tasks if t.path not in reused)
        return self._tasks, reused

    def prepare(self) -> None:
        """Before the first file: withdraw a manifest the new files replace, drop partials of older
        versions, and open the journal."""
        plan, tasks = self.plan, self._tasks
        if plan.cache_target is None and tasks:
            _withdraw_outdated_manifest(plan.root, tasks)
        # The plan knows each file's current version: partials of older ones will never resume.
        partials.drop_superseded(plan.staging_dir, plan.repo_id, {f.path: f.etag for f in plan.files})
        if tasks:
            plan.staging_dir.mkdir(parents=True, exist_ok=True)
            if plan.cache_target is None:
                self._journal = JournalWriter(plan.root)

    def defers_sync(self, task: FileTask) -> bool:
        """A small file's flush waits for the journal thread instead of holding a worker's slot."""
        return self._journal is not None and task.size < DEFERRED_SYNC_BELOW

    def add(self, task: FileTask, *, deferred: bool) -> None:
        """Record a verified file (its content flushed by the journal thread when `deferred`)."""
        if self.plan.cache_target is not None:
            hfcache.install_file(self.plan.cache_target, task.path, task.etag, task.dest)
        else:
            assert self._journal is not None
            entry = ManifestFile(task.path, task.size, task.etag)
            self._journal.add(task.dest, task.commit, entry, sync=deferred)

    def close(self) -> HfGuiError | None:
        """Every verified file recorded (and its content flushed) before the run ends, however it ends;
        the error when that failed."""
        if self._journal is None:
            return None
        try:
            self._journal.close()
        except OSError as exc:
            return HfGuiError(
                f"Could not record the downloaded files of {self.plan.repo_id}: {exc.strerror or exc}.",
                "Check the download folder (space, permissions), then run it again.",
            )
        return None

    def check_complete(self) -> None:
        """Cache mode: a blob counted as present must not have vanished meanwhile (another tool cleaned
        the cache); HfGuiError when one did."""
        target = self.plan.cache_target
        if target is None:
            return
        missing = hfcache.missing_files(target, self._sizes_and_etags())
        if missing:
            raise HfGuiError(
                f"{counted(len(missing), 'file')} of {self.plan.repo_id} disappeared from the cache during"
                f" the download (first: {missing[0]}).",
                "Run the same download again to fetch them.",
            )

    def finish(self) -> Manifest:
        """Record the model as installed: the manifest (library), or the commit's listing and the ref
        (cache, where the returned Manifest describes the snapshot without being saved)."""
        plan = self.plan
        manifest = Manifest(
            plan.repo_id,
            plan.revision,
            plan.commit,
            plan.files,
            time.time(),
            include=plan.include,
            exclude=plan.exclude,
        )
        if plan.cache_target is not None:
            hfcache.write_tree(plan.cache_target, plan.tree_entries)
            hfcache.write_ref(plan.cache_target)
            return manifest
        # The renames (and any folders made for them) must be on disk before the manifest says so.
        for folder in sorted(_folders_up_to(plan.root, (t.dest for t in self._tasks)), reverse=True):
            fsync_dir(folder)
        write_manifest(plan.root, manifest)
        clear_journal(plan.root)
        return manifest

    def _sizes_and_etags(self) -> dict[str, tuple[int, str]]:
        return {f.path: (f.size, f.etag) for f in self.plan.files}


def _withdraw_outdated_manifest(root: Path, tasks: Iterable[FileTask]) -> None:
    """A download that replaces files an existing manifest lists (a newer commit) first withdraws it.

    Otherwise an interrupted run would leave new files under the old record, listed as installed.
    """
    manifest = read_manifest(root)
    if manifest is None:
        return
    replaced = {t.path for t in tasks} & {f.path for f in manifest.files}
    if replaced:
        demote_to_journal(root, manifest, replaced)


def _folders_up_to(root: Path, files: Iterable[Path]) -> set[Path]:
    """Every folder between root and the given files, root included."""
    folders: set[Path] = {root}
    for file in files:
        folder = file.parent
        while folder not in folders and folder != folder.parent and root in folder.parents:
            folders.add(folder)
            folder = folder.parent
    return folders
