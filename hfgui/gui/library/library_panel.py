"""The Library tab: every installed model (library, Hugging Face cache, imported), with Verify, Check for
updates, Update, Delete and Reveal, plus the partial downloads left behind and a disk summary.

Disk scans, hashing and network calls run on the panel's own TaskRunner; progress comes back through a
Mailbox (worker threads never emit Qt signals, see workers.py). The panel's signals fire on the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core import hfcache
from hfgui.core.errors import DownloadCancelledError, ModelNotInstalledError, format_bytes
from hfgui.core.hfcache import delete_cached_model
from hfgui.core.leftovers import Leftover, remove_leftovers
from hfgui.core.library import (
    SOURCE_HF_CACHE,
    SOURCE_LIBRARY,
    SOURCE_REFERENCE,
    InstalledModel,
    Library,
    Problem,
    check_cached,
)
from hfgui.core.library_care import UpdateInfo, UpdateResult, check_updates, update_model
from hfgui.core.settings import Settings
from hfgui.core.types import ModelProgress
from hfgui.core.words import counted
from hfgui.gui.dialogs import questions
from hfgui.gui.library.library_model import (
    LeftoversModel,
    LibraryRow,
    LibrarySnapshot,
    LibraryTableModel,
    scan_library_view,
)
from hfgui.gui.services import Services
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.columns import fit_columns
from hfgui.gui.widgets.formatting import permille
from hfgui.gui.window.free_space import FreeSpace
from hfgui.gui.window.reveal import reveal_folder
from hfgui.gui.workers import Mailbox, TaskRunner

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #1e7d32;"
MAX_PROBLEMS_SHOWN = 200


class _Cancelled(Exception):
    """Raised from a progress callback to stop a verification the user cancelled."""


@dataclass
class _Operation:
    """The one long task (verify, update, delete, check, clean) the panel runs at a time."""

    id: int
    kind: str
    title: str
    cancel: threading.Event = field(default_factory=threading.Event)
    cancelable: bool = False


class LibraryPanel(QtWidgets.QWidget):
    """Signals (GUI thread): ``changed()`` after the disk changed (delete, update, verify found damage,
    partials removed) so other views rescan; ``download_requested(str)`` with a repo id when the user
    asks to download damaged files again (the library resumes a model whose Verify failed).

    ``open_url`` reveals folders (default QDesktopServices.openUrl); ``queued_repos`` returns the repo
    ids the window has queued or paused, so their partial downloads are not offered as orphaned.
    """

    changed = QtCore.Signal()
    deleted = QtCore.Signal(str)  # repo id of a model deleted from the library folder
    download_requested = QtCore.Signal(object)
    busy_changed = QtCore.Signal(bool)

    def __init__(
        self,
        services: Services,
        parent: QtWidgets.QWidget | None = None,
        *,
        open_url: Callable[[QtCore.QUrl], object] | None = None,
        queued_repos: Callable[[], Collection[str]] | None = None,
        free_space: FreeSpace | None = None,
    ) -> None:
        super().__init__(parent)
        self.free_space = free_space or FreeSpace(self)  # shared with the window's status bar
        self.free_space.changed.connect(self._show_summary)
        self.services = services
        self.open_url = open_url or QtGui.QDesktopServices.openUrl
        self.queued_repos = queued_repos or (lambda: ())
        self.runner = TaskRunner(2, self)
        self.snapshot: LibrarySnapshot | None = None
        self.operation: _Operation | None = None
        self.pending_dialog: QtWidgets.QMessageBox | None = None
        self.last_problems: list[Problem] | None = None
        self._ids = itertools.count(1)
        self._scan_generation = 0
        self._scanning = False
        self._progress_box = Mailbox(self._progress_arrived, self)

        self.model = LibraryTableModel(self)
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(roles.SORT_ROLE)
        self.leftovers = LeftoversModel(self)
        self._build()
        services.on_settings_changed(self._settings_changed)
        self.update_actions()

    # --- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.summary_label = QtWidgets.QLabel("Reading the library…")
        self.summary_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

        def button(text: str, slot: Callable[[], None], tip: str) -> QtWidgets.QPushButton:
            made = QtWidgets.QPushButton(text)
            made.setToolTip(tip)
            made.clicked.connect(slot)
            return made

        self.refresh_button = button("Refresh", self.refresh, "Read the library and the cache again")
        self.check_updates_button = button(
            "Check for updates",
            self.check_for_updates,
            "Ask the Hub whether installed models have newer commits",
        )
        self.verify_button = button("Verify", self.verify_selected, "Re-hash the files against the manifest")
        self.update_button = button("Update", self.update_selected, "Download only the files that changed")
        self.delete_button = button("Delete…", self.delete_selected, "Remove the model from disk")
        self.reveal_button = button(
            "Reveal", self.reveal_selected, "Show the model's folder in the file manager"
        )
        actions = QtWidgets.QHBoxLayout()
        for made in (
            self.refresh_button,
            self.check_updates_button,
            self.verify_button,
            self.update_button,
            self.delete_button,
            self.reveal_button,
        ):
            actions.addWidget(made)
        actions.addStretch(1)

        self.view = QtWidgets.QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(LibraryTableModel.COL_NAME, QtCore.Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        fit_columns(self.view, LibraryTableModel.COL_NAME)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.view.doubleClicked.connect(lambda _index: self.reveal_selected())

        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_operation)
        self.cancel_button.setVisible(False)
        progress_row = QtWidgets.QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.status_label = QtWidgets.QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems_list = QtWidgets.QListWidget()
        self.problems_list.setVisible(False)
        self.problems_list.setMaximumHeight(120)
        self.redownload_button = QtWidgets.QPushButton("Download the damaged files again")
        self.redownload_button.setVisible(False)
        self.redownload_button.clicked.connect(self._request_redownload)
        self._redownload_repo: str | None = None

        # --- partial downloads ------------------------------------------------------------------
        partial_box = QtWidgets.QGroupBox("Partial downloads")
        self.leftovers_label = QtWidgets.QLabel("")
        self.leftovers_label.setWordWrap(True)
        self.leftovers_view = QtWidgets.QTableView()
        self.leftovers_view.setModel(self.leftovers)
        self.leftovers_view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.leftovers_view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.leftovers_view.verticalHeader().hide()
        self.leftovers_view.setWordWrap(False)
        fit_columns(self.leftovers_view, LeftoversModel.COL_FILE)
        self.leftovers_view.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.remove_selected_button = button(
            "Remove selected", self.remove_selected_leftovers, "Delete the selected partial files"
        )
        self.remove_orphans_button = button(
            "Remove all orphaned",
            self.remove_orphaned_leftovers,
            "Delete every partial file that no download or update would resume",
        )
        partial_buttons = QtWidgets.QHBoxLayout()
        partial_buttons.addWidget(self.leftovers_label, 1)
        partial_buttons.addWidget(self.remove_selected_button)
        partial_buttons.addWidget(self.remove_orphans_button)
        partial_layout = QtWidgets.QVBoxLayout(partial_box)
        partial_layout.addLayout(partial_buttons)
        partial_layout.addWidget(self.leftovers_view)

        top = QtWidgets.QWidget()
        top_layout = QtWidgets.QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(actions)
        top_layout.addWidget(self.view, 1)
        top_layout.addLayout(progress_row)
        top_layout.addWidget(self.status_label)
        top_layout.addWidget(self.problems_list)
        top_layout.addWidget(self.redownload_button, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(partial_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)

    # --- selection and state ---------------------------------------------------------------------

    def selected_row(self) -> LibraryRow | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(roles.STATE_ROLE) if rows else None

    def select(self, key: str) -> bool:
        """Select the row with this key ("library:owner/name", "hf-cache:…", "reference:…")."""
        source = self.model.index_of(key)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        self.view.selectionModel().select(
            index,
            QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QtCore.QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.setCurrentIndex(index)
        self.update_actions()
        return True

    def selected_leftovers(self) -> list[Leftover]:
        return [index.data(roles.STATE_ROLE) for index in self.leftovers_view.selectionModel().selectedRows()]

    @property
    def busy(self) -> bool:
        return self.operation is not None

    def update_actions(self) -> None:
        row = self.selected_row()
        idle = not self.busy
        info = self.model.update_info(row) if row is not None else None
        self.verify_button.setEnabled(idle and row is not None and row.verifiable)
        self.update_button.setEnabled(idle and info is not None and info.has_update)
        self.delete_button.setEnabled(idle and row is not None)
        self.reveal_button.setEnabled(row is not None)
        self.check_updates_button.setEnabled(idle and any(r.updatable for r in self.model.rows()))
        self.remove_selected_button.setEnabled(idle and bool(self.selected_leftovers()))
        self.remove_orphans_button.setEnabled(idle and bool(self.leftovers.orphaned()))

    def _settings_changed(self, old: Settings, new: Settings) -> None:
        if not shiboken6.isValid(self):  # the panel was closed; services outlive it
            return
        if old.library_dir != new.library_dir:
            self.model.set_updates([])
            self.refresh()

    # --- scanning --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rescan library, references, cache and partials on a worker; newer scans win."""
        self._scan_generation += 1
        generation = self._scan_generation
        root = self.services.library_root
        cache_dir = self.services.hf_cache_dir
        try:
            queued = frozenset(self.queued_repos())
        except Exception:  # a window callback must not stop the panel from listing the library
            log.exception("Could not ask which models are queued")
            queued = frozenset()
        self._scanning = True

        def apply(snapshot: LibrarySnapshot) -> None:
            if generation != self._scan_generation:
                return
            self._scanning = False
            self._show(snapshot)

        def failed(exc: BaseException) -> None:
            if generation != self._scan_generation:
                return
            self._scanning = False
            self.summary_label.setText(f"Could not read the library at {root}: {_one_line(exc)}")

        self.runner.submit(lambda: scan_library_view(root, cache_dir, queued=queued), apply, failed)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self.snapshot is None and not self._scanning:
            self.refresh()  # first time the tab is shown: list what is on disk

    @property
    def scanning(self) -> bool:
        return self._scanning

    def _show(self, snapshot: LibrarySnapshot) -> None:
        self.snapshot = snapshot
        self.model.set_rows(snapshot.rows)
        self.leftovers.set_items(snapshot.leftovers)
        self.free_space.report(snapshot.root, snapshot.free)
        self._show_summary()
        orphaned = self.leftovers.orphaned()
        if snapshot.leftovers:
            self.leftovers_label.setText(
                f"{counted(len(snapshot.leftovers), 'partial file')}, {len(orphaned)} orphaned "
                f"({format_bytes(sum(i.size for i in orphaned))} that nothing will resume)."
            )
        else:
            self.leftovers_label.setText("No partial downloads.")
        self.update_actions()

    def _show_summary(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        self.summary_label.setText(
            f"{counted(len(snapshot.rows), 'model')}  ·  {format_bytes(snapshot.total_size)} on disk  ·  "
            f"{self.free_space.text()} on the library disk ({snapshot.root})"
        )

    # --- running one operation -------------------------------------------------------------------

    def _begin(self, kind: str, title: str, *, cancelable: bool = False) -> _Operation | None:
        if self.operation is not None:
            self._say(f"Wait until “{self.operation.title}” finishes.", error=True)
            return None
        self.operation = _Operation(next(self._ids), kind, title, cancelable=cancelable)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.progress.setFormat(title)
        self.progress.setTextVisible(True)
        self.cancel_button.setVisible(cancelable)
        self.cancel_button.setEnabled(cancelable)
        self._say(f"{title}…")
        self.update_actions()
        self.busy_changed.emit(True)
        return self.operation

    def _end(self, operation: _Operation) -> None:
        if self.operation is not operation:
            return
        self.operation = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.update_actions()
        self.busy_changed.emit(False)

    def cancel_operation(self) -> None:
        if self.operation is not None and self.operation.cancelable:
            self.operation.cancel.set()
            self.cancel_button.setEnabled(False)
            self._say(f"Cancelling {self.operation.title.lower()}…")

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Cancel a running update/verify and wait for the workers (call it when the window closes)."""
        if self.operation is not None:
            self.operation.cancel.set()
        return self.runner.wait(msecs)

    def _say(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        self.status_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE if ok else "")
        self.status_label.setText(text)

    def _progress_arrived(self, item: tuple[int, object]) -> None:
        op_id, value = item
        operation = self.operation
        if operation is None or operation.id != op_id:
            return  # a late report from a finished task
        if isinstance(value, ModelProgress):
            self.progress.setValue(permille(value.bytes_done, value.bytes_total))
            self.progress.setFormat(
                f"{operation.title}: {format_bytes(value.bytes_done)} of {format_bytes(value.bytes_total)}"
                f" ({value.files_done}/{value.files_total} files)"
            )
        elif isinstance(value, tuple):  # verify: (files done, files total, path)
            done, total, path = value
            self.progress.setValue(permille(done, total))
            self.progress.setFormat(f"{operation.title}: {done}/{total} files")
            self.progress.setToolTip(path)

    def _disk_changed(self) -> None:
        self.changed.emit()
        self.refresh()

    # --- verify ----------------------------------------------------------------------------------

    def _show_problems(self, problems: list[Problem]) -> None:
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            self.problems_list.addItem(str(problem))
        if len(problems) > MAX_PROBLEMS_SHOWN:
            self.problems_list.addItem(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        self.problems_list.setVisible(True)

    def verify_selected(self) -> None:
        row = self.selected_row()
        if row is None or not row.verifiable:
            return
        operation = self._begin("verify", f"Verifying {row.repo_id}", cancelable=True)
        if operation is None:
            return
        self.problems_list.clear()
        self.problems_list.setVisible(False)
        self.redownload_button.setVisible(False)
        library = Library(self.services.library_root)
        total = max(1, row.model.file_count)
        box = self._progress_box
        counter = itertools.count()

        def on_file(path: str) -> None:
            if operation.cancel.is_set():
                raise _Cancelled
            box.post((operation.id, (next(counter), total, path)))

        in_cache = row.source == SOURCE_HF_CACHE

        def run() -> list[Problem]:
            try:
                if in_cache:
                    return _check_cache_snapshot(row.model, on_file)
                return library.check(row.repo_id, on_file=on_file)
            except _Cancelled:
                raise DownloadCancelledError("Verification") from None

        def done(problems: list[Problem]) -> None:
            self._end(operation)
            self.last_problems = problems
            if not problems:
                against = "their hashes" if in_cache else "the manifest"
                self._say(f"{row.repo_id}: OK — all {row.model.file_count} files match {against}.", ok=True)
                return
            if in_cache:  # the cache is huggingface_hub's too: report, change nothing
                self._say(
                    f"{row.repo_id}: {counted(len(problems), 'damaged file')} in the Hugging Face cache. "
                    "Delete the model from the cache and download it again.",
                    error=True,
                )
                self._show_problems(problems)
                return
            self._say(
                f"{row.repo_id}: {counted(len(problems), 'problem')} found. The intact files are kept; "
                "downloading the model again fetches only the damaged ones.",
                error=True,
            )
            self._show_problems(problems)
            self._redownload_repo = row.repo_id
            self.redownload_button.setVisible(True)
            self._disk_changed()  # the model now counts as incomplete

        def failed(exc: BaseException) -> None:
            self._end(operation)
            self.last_problems = None
            if isinstance(exc, DownloadCancelledError):
                self._say(f"Verification of {row.repo_id} was cancelled; nothing was changed.")
            else:
                self._say(f"Could not verify {row.repo_id}: {_one_line(exc)}", error=True)

        self.runner.submit(run, done, failed)

    def _request_redownload(self) -> None:
        if self._redownload_repo:
            self.download_requested.emit(self._redownload_repo)

    # --- updates ---------------------------------------------------------------------------------

    def check_for_updates(self) -> None:
        models = [row.model for row in self.model.rows() if row.updatable]
        if not models:
            self._say("No model downloaded from the Hub to check.")
            return
        operation = self._begin("check", "Checking for updates")
        if operation is None:
            return
        self.progress.setRange(0, 0)  # busy indicator: one request per model, no byte counts
        services = self.services
        root = services.library_root

        def run() -> list[UpdateInfo]:
            client = services.make_client()
            try:
                return check_updates(Library(root), client, models=models)
            finally:
                client.close()

        def done(found: list[UpdateInfo]) -> None:
            self.progress.setRange(0, 1000)
            self._end(operation)
            self.model.set_updates(found)
            newer = [info.repo_id for info in found if info.has_update]
            errors = [info for info in found if info.error]
            parts = []
            if newer:
                parts.append(f"Updates available for {', '.join(newer)}.")
            else:
                parts.append(_up_to_date(len(found) - len(errors)))
            if errors:
                parts.append(f"{len(errors)} could not be checked: {errors[0].error}")
            self._say(" ".join(parts), error=bool(errors), ok=not errors and not newer)
            self.update_actions()

        def failed(exc: BaseException) -> None:
            self.progress.setRange(0, 1000)
            self._end(operation)
            self._say(f"Could not check for updates: {_one_line(exc)}", error=True)

        self.runner.submit(run, done, failed)

    def update_selected(self) -> None:
        row = self.selected_row()
        info = self.model.update_info(row) if row is not None else None
        if row is None or info is None or not info.has_update:
            return
        operation = self._begin("update", f"Updating {row.repo_id}", cancelable=True)
        if operation is None:
            return
        services = self.services
        settings = services.settings
        root = services.library_root
        box = self._progress_box

        def run() -> UpdateResult:
            client = services.make_client()
            try:
                return update_model(
                    client,
                    root,
                    row.repo_id,
                    revision=info.revision,
                    workers=settings.parallel_files,
                    on_progress=lambda progress: box.post((operation.id, progress)),
                    cancel=operation.cancel,
                    segments=settings.segments_per_file,
                    stall_timeout=float(settings.stall_timeout_seconds),
                    limiter=services.limiter,
                )
            finally:
                client.close()

        def done(result: UpdateResult) -> None:
            self._end(operation)
            if not result.updated:
                self._say(f"{row.repo_id} is already up to date.", ok=True)
            else:
                removed = f", {len(result.removed)} removed" if result.removed else ""
                self._say(
                    f"Updated {row.repo_id} to {result.new_commit[:8]}: "
                    f"{counted(len(result.downloaded), 'file')} downloaded,"
                    f" {len(result.kept)} unchanged{removed}.",
                    ok=True,
                )
            self._disk_changed()

        def failed(exc: BaseException) -> None:
            self._end(operation)
            if isinstance(exc, DownloadCancelledError):
                self._say(
                    f"Update of {row.repo_id} was cancelled; the installed copy is unchanged. "
                    "Update again to resume."
                )
            else:
                self._say(
                    f"Update of {row.repo_id} failed; the installed copy is unchanged. {_one_line(exc)}",
                    error=True,
                )
            self.refresh()

        self.runner.submit(run, done, failed)

    # --- delete and reveal -----------------------------------------------------------------------

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None or self.busy:
            return
        model = row.model
        if row.source == SOURCE_REFERENCE:
            text = (
                f"Remove {model.repo_id} from the library?\n\nIt was imported in place: its files at "
                f"{model.root} stay where they are and nothing is deleted from disk."
            )
            action = "Remove from library"
        elif row.source == SOURCE_HF_CACHE:
            text = (
                f"Delete {model.repo_id} from the Hugging Face cache?\n\nThis frees about "
                f"{format_bytes(model.size)} in {self.services.hf_cache_dir} (all its revisions). "
                "Programs that share the cache, such as transformers, download it again when needed."
            )
            action = "Delete"
        else:
            text = (
                f"Delete {model.repo_id} from the library?\n\nThis frees about {format_bytes(model.size)} "
                f"({model.root}, with its partial downloads)."
            )
            action = "Delete"
        self.ask("Delete model", text, ((action, lambda: self._delete(row)), ("Cancel", None)))

    def _delete(self, row: LibraryRow) -> None:
        operation = self._begin("delete", f"Deleting {row.repo_id}")
        if operation is None:
            return
        root = self.services.library_root
        cache_dir = self.services.hf_cache_dir

        def run() -> int:
            if row.source == SOURCE_HF_CACHE:
                return delete_cached_model(row.repo_id, cache_dir)
            return Library(root).delete(row.repo_id)

        def done(freed: int) -> None:
            self._end(operation)
            if row.source == SOURCE_REFERENCE:
                self._say(
                    f"Removed {row.repo_id} from the library; its files stay at {row.model.root}.", ok=True
                )
            else:
                self._say(f"Deleted {row.repo_id}: {format_bytes(freed)} freed.", ok=True)
                if row.source == SOURCE_LIBRARY:
                    self.deleted.emit(row.repo_id)
            self._disk_changed()

        def failed(exc: BaseException) -> None:
            self._end(operation)
            self._say(f"Could not delete {row.repo_id}: {_one_line(exc)}", error=True)
            self._disk_changed()  # part of it may be gone

        self.runner.submit(run, done, failed)

    def reveal_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        folder = Path(row.model.root)
        if not folder.is_dir():
            folder = folder.parent  # a model imported as a single file, or not yet created
        problem = reveal_folder(self.open_url, folder)
        if problem is not None:
            self._say(problem)

    # --- partial downloads -------------------------------------------------------------------------

    def remove_selected_leftovers(self) -> None:
        items = self.selected_leftovers()
        if not items:
            return
        owned = [item for item in items if not item.orphaned]
        if owned:
            text = (
                f"Remove {counted(len(items), 'partial file')}"
                f" ({format_bytes(sum(i.size for i in items))})?\n\n"
                f"{len(owned)} of them belong to an unfinished download or update, which will have to "
                "start those files over."
            )
            self.ask(
                "Remove partial downloads", text, (("Remove", lambda: self._remove(items)), ("Cancel", None))
            )
        else:
            self._remove(items)

    def remove_orphaned_leftovers(self) -> None:
        items = self.leftovers.orphaned()
        if items:
            self._remove(items)

    def _remove(self, items: list[Leftover]) -> None:
        operation = self._begin("clean", "Removing partial downloads")
        if operation is None:
            return

        def done(freed: int) -> None:
            self._end(operation)
            self._say(f"Removed {counted(len(items), 'partial file')}: {format_bytes(freed)} freed.", ok=True)
            self._disk_changed()

        def failed(exc: BaseException) -> None:
            self._end(operation)
            self._say(f"Could not remove the partial downloads: {_one_line(exc)}", error=True)
            self.refresh()

        self.runner.submit(lambda: remove_leftovers(items), done, failed)

    # --- questions ---------------------------------------------------------------------------------

    def ask(
        self, title: str, text: str, buttons: tuple[tuple[str, Callable[[], None] | None], ...]
    ) -> QtWidgets.QMessageBox:
        """A non-blocking question (the last button, Cancel, is the default); see `pending_dialog`."""
        return questions.ask(self, title, text, buttons, default=-1)


def _up_to_date(count: int) -> str:
    return "The checked model is up to date." if count == 1 else f"All {count} checked models are up to date."


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_cache_snapshot(model: InstalledModel, on_file: Callable[[str], None]) -> list[Problem]:
    """Re-hash the listed snapshot (`model.root` is `<cache>/models--o--n/snapshots/<commit>`)."""
    cache_dir = model.root.parent.parent.parent
    cached = hfcache.cached_model(model.repo_id, cache_dir)
    revision = cached.revision(model.commit or "") if cached is not None else None
    if revision is None:
        raise ModelNotInstalledError(model.repo_id)
    problems, _unchecked = check_cached(revision, on_file)
    return problems
