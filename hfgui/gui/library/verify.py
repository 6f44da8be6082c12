"""Verify: re-hash an installed model on a worker, list what is damaged and offer to download it again."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import DownloadCancelledError, ModelNotInstalledError
from hfgui.core.library.installed import SOURCE_HF_CACHE, InstalledModel, Library, Problem, check_cached
from hfgui.core.store import hfcache
from hfgui.core.words import counted
from hfgui.gui.library.library_model import LibraryRow
from hfgui.gui.library.operations import OperationRunner, one_line
from hfgui.gui.services import Services

MAX_PROBLEMS_SHOWN = 200


class _Cancelled(Exception):
    """Raised from a progress callback to stop a verification the user cancelled."""


class Verifier(QtWidgets.QWidget):
    """Shows the problems the last verification found (hidden when there are none) and, for a library
    model, a button that emits ``download_requested(repo id)``: the download fetches only damaged files.
    ``disk_changed()`` after damage was found, since the model now counts as incomplete."""

    disk_changed = QtCore.Signal()
    download_requested = QtCore.Signal(object)

    def __init__(
        self, services: Services, operations: OperationRunner, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._operations = operations
        self.last_problems: list[Problem] | None = None
        self._redownload_repo: str | None = None

        self.problems_list = QtWidgets.QListWidget()
        self.problems_list.setMaximumHeight(120)
        self.redownload_button = QtWidgets.QPushButton("Download the damaged files again")
        self.redownload_button.clicked.connect(self._request_redownload)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.problems_list)
        layout.addWidget(self.redownload_button, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        self._clear()

    def verify(self, row: LibraryRow) -> None:
        """Re-hash a library model against its manifest, or a cache snapshot against its blobs' names."""
        operations = self._operations
        operation = operations.begin("verify", f"Verifying {row.repo_id}", cancelable=True)
        if operation is None:
            return
        self._clear()
        library = Library(self._services.library_root)
        total = max(1, row.model.file_count)
        counter = itertools.count()

        def on_file(path: str) -> None:
            if operation.cancel.is_set():
                raise _Cancelled
            operations.report(operation, (next(counter), total, path))

        in_cache = row.source == SOURCE_HF_CACHE

        def run() -> list[Problem]:
            try:
                if in_cache:
                    return check_cache_snapshot(row.model, on_file)
                return library.check(row.repo_id, on_file=on_file)
            except _Cancelled:
                raise DownloadCancelledError("Verification") from None

        def done(problems: list[Problem]) -> None:
            self.last_problems = problems
            if not problems:
                against = "their hashes" if in_cache else "the manifest"
                operations.say(
                    f"{row.repo_id}: OK — all {row.model.file_count} files match {against}.", ok=True
                )
                return
            if in_cache:  # the cache is huggingface_hub's too: report, change nothing
                operations.say(
                    f"{row.repo_id}: {counted(len(problems), 'damaged file')} in the Hugging Face cache. "
                    "Delete the model from the cache and download it again.",
                    error=True,
                )
                self._show_problems(problems)
                return
            operations.say(
                f"{row.repo_id}: {counted(len(problems), 'problem')} found. The intact files are kept; "
                "downloading the model again fetches only the damaged ones.",
                error=True,
            )
            self._show_problems(problems, redownload=row.repo_id)
            self.disk_changed.emit()

        def failed(exc: BaseException) -> None:
            self.last_problems = None
            if isinstance(exc, DownloadCancelledError):
                operations.say(f"Verification of {row.repo_id} was cancelled; nothing was changed.")
            else:
                operations.say(f"Could not verify {row.repo_id}: {one_line(exc)}", error=True)

        operations.run(operation, run, done, failed)

    def _clear(self) -> None:
        self.problems_list.clear()
        self.problems_list.setVisible(False)
        self.redownload_button.setVisible(False)
        self.setVisible(False)  # an empty report takes no room under the status line

    def _show_problems(self, problems: list[Problem], *, redownload: str | None = None) -> None:
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            self.problems_list.addItem(str(problem))
        if len(problems) > MAX_PROBLEMS_SHOWN:
            self.problems_list.addItem(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more")
        self.problems_list.setVisible(True)
        self._redownload_repo = redownload
        self.redownload_button.setVisible(redownload is not None)
        self.setVisible(True)

    def _request_redownload(self) -> None:
        if self._redownload_repo:
            self.download_requested.emit(self._redownload_repo)


def check_cache_snapshot(model: InstalledModel, on_file: Callable[[str], None]) -> list[Problem]:
    """Re-hash the listed snapshot (`model.root` is `<cache>/models--o--n/snapshots/<commit>`)."""
    cache_dir = model.root.parent.parent.parent
    cached = hfcache.cached_model(model.repo_id, cache_dir)
    revision = cached.revision(model.commit or "") if cached is not None else None
    if revision is None:
        raise ModelNotInstalledError(model.repo_id)
    problems, _unchecked = check_cached(revision, on_file)
    return problems
