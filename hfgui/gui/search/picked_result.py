"""The search result picked in the Search tab: its files listed on a worker, the download choice among
them, and Add to library / Download."""

from __future__ import annotations

from collections.abc import Collection

from PySide6 import QtCore, QtWidgets

from hfgui.core.library.catalog import CatalogEntry
from hfgui.core.library.grouping import DownloadItem, group_files
from hfgui.core.types import ModelSummary, TreeEntry
from hfgui.gui.dialogs.choice_entry import store_choice
from hfgui.gui.dialogs.choice_rules import offer_text
from hfgui.gui.dialogs.download_choice import DownloadChoice
from hfgui.gui.dialogs.repo_files import InstalledFiles, list_repository
from hfgui.gui.search.status_line import failure_text, one_line, set_status
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner

NOTHING_PICKED = "Select a model to see what it offers."


class PickedResult(QtWidgets.QWidget):
    """``PickedResult(services, installed_files, parent=None)``; `show_model(summary)` shows a result.

    Signals as `SearchPanel`'s: ``add_requested(entry)``, ``download_requested(entry)`` with the entry
    already saved in the user's model list (or the catalog's own that selects the same files).
    """

    add_requested = QtCore.Signal(object)
    download_requested = QtCore.Signal(object)

    def __init__(
        self, services: Services, installed_files: InstalledFiles, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.installed_files = installed_files
        # Own pool: listing a result's files must not wait behind a slow search page.
        self.runner = TaskRunner(2, self)
        self.selected: ModelSummary | None = None
        self.tree: tuple[TreeEntry, ...] = ()  # the selected result's files, once listed
        self.last_error: BaseException | None = None
        self._generation = 0  # only the newest listing is shown

        self.model_title = QtWidgets.QLabel("")
        self.model_title.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.model_title.font()
        font.setBold(True)
        self.model_title.setFont(font)
        self.choice = DownloadChoice()
        self.choice.changed.connect(self._update_buttons)
        self.files_status = QtWidgets.QLabel(NOTHING_PICKED)
        self.files_status.setWordWrap(True)
        self.add_button = QtWidgets.QPushButton("Add to library")
        self.add_button.setToolTip("Keep this choice in your models list to download later")
        self.add_button.clicked.connect(lambda: self._store(self.add_requested))
        self.download_button = QtWidgets.QPushButton("Download")
        self.download_button.setToolTip("Add this choice to your models and start downloading it")
        self.download_button.clicked.connect(lambda: self._store(self.download_requested))

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.model_title)
        layout.addWidget(self.files_status)
        layout.addWidget(self.choice, 1)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.download_button)
        layout.addLayout(buttons)
        self._update_buttons()

    def show_model(self, summary: ModelSummary | None) -> None:
        """Show ``summary``'s title and list its files on a worker; None shows nothing."""
        self._generation += 1
        generation = self._generation
        self.selected = summary
        self.tree = ()
        self.choice.clear_items()
        if summary is None:
            self.model_title.setText("")
            set_status(self.files_status, NOTHING_PICKED)
            return
        self.model_title.setText(summary.repo_id)
        set_status(self.files_status, f"Listing the files of {summary.repo_id}…")
        services, installed_files = self.services, self.installed_files
        self.runner.submit(
            lambda: list_repository(services, summary.repo_id, installed_files),
            lambda result: self._files_listed(generation, summary, *result),
            lambda exc: self._files_failed(generation, exc),
        )

    def _files_listed(
        self, generation: int, summary: ModelSummary, tree: tuple[TreeEntry, ...], installed: Collection[str]
    ) -> None:
        if generation != self._generation:
            return
        self.tree = tree
        items = group_files(tree, library_name=summary.library_name, tags=summary.tags)
        self.choice.set_items(items, installed=installed)
        if not items:
            set_status(self.files_status, f"{summary.repo_id} has no files yet.")
            return
        set_status(self.files_status, offer_text(len(tree), items, summary.gated))

    def _files_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.last_error = exc
            set_status(self.files_status, failure_text(exc), error=True)

    def chosen_items(self) -> list[DownloadItem]:
        return self.choice.chosen_items()

    def _update_buttons(self) -> None:
        ready = self.selected is not None and bool(self.choice.chosen_items())
        self.add_button.setEnabled(ready)
        self.download_button.setEnabled(ready)

    def _store(self, signal: QtCore.SignalInstance) -> None:
        """Save the choice in the user's model list on a worker, then pass its entry on with ``signal``."""
        if self.selected is None or not self.choice.chosen_items():
            return
        summary, chosen = self.selected, self.choice.chosen_items()
        paths, builtin = self.services.paths, self.services.builtin_catalog_file

        def stored(entry: CatalogEntry) -> None:
            self._update_buttons()
            set_status(self.files_status, f"{entry.name} is in your models list.")
            signal.emit(entry)

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            self.last_error = exc
            set_status(self.files_status, one_line(exc), error=True)

        self.add_button.setEnabled(False)
        self.download_button.setEnabled(False)
        self.runner.submit(
            lambda: store_choice(paths, summary.repo_id, chosen, tags=summary.tags, builtin_file=builtin),
            stored,
            failed,
        )

    def wait_idle(self, msecs: int = -1) -> bool:
        return self.runner.wait(msecs)
