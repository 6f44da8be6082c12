"""The Library tab: every installed model (library, Hugging Face cache, imported) with Verify, Check for
updates, Update, Delete and Reveal, plus the partial downloads left behind and a disk summary.

The panel lays out its parts and keeps the listing current: `care_actions` (the buttons over the table
and the verify, updates and delete actions behind them), `leftovers_section` (partial downloads) and
`operations` (the one long task at a time, its progress, Cancel and status line). Disk scans, hashing and
network calls run on the panel's TaskRunner; progress comes back through a Mailbox (worker threads never
emit Qt signals, see workers.py). The panel's signals fire on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core.settings import Settings
from hfgui.gui.library.care_actions import CareActions
from hfgui.gui.library.installed_table import InstalledTable
from hfgui.gui.library.leftovers_section import LeftoversSection
from hfgui.gui.library.library_model import LibrarySnapshot, LibraryTableModel
from hfgui.gui.library.operations import OperationRunner
from hfgui.gui.library.rescans import Rescans
from hfgui.gui.library.summary_line import SummaryLine
from hfgui.gui.services import Services
from hfgui.gui.widgets import questions
from hfgui.gui.widgets.free_space import FreeSpace
from hfgui.gui.workers import TaskRunner


class LibraryPanel(QtWidgets.QWidget):
    """Signals (GUI thread): ``changed()`` after the disk changed (delete, update, verify found damage,
    partials removed) so other views rescan; ``deleted(str)`` with the repo id of a model deleted from
    the library folder; ``download_requested(str)`` with a repo id when the user asks to download damaged
    files again (the library resumes a model whose Verify failed); ``busy_changed(bool)``.

    ``open_url`` reveals folders (default QDesktopServices.openUrl); ``queued_repos`` returns the repo
    ids the window has queued or paused, so their partial downloads are not offered as orphaned.
    """

    changed = QtCore.Signal()
    deleted = QtCore.Signal(str)
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
        self.services = services
        self.runner = TaskRunner(2, self)
        self.snapshot: LibrarySnapshot | None = None
        self.pending_dialog: QtWidgets.QMessageBox | None = None
        self.rescans = Rescans(services, self.runner, queued_repos or (lambda: ()), self)
        self.model = LibraryTableModel(self)
        self.view = InstalledTable(self.model)
        self.operations = OperationRunner(self.runner)
        self.care = CareActions(
            services,
            self.operations,
            self.view,
            ask=self.ask,
            open_url=open_url or QtGui.QDesktopServices.openUrl,
        )
        self.leftovers_section = LeftoversSection(self.operations, self.ask)
        self._build()
        self._connect_parts()
        services.on_settings_changed(self._settings_changed)
        self.update_actions()

    def _connect_parts(self) -> None:
        self.rescans.scanned.connect(self._show)
        self.rescans.failed.connect(self.summary_label.setText)
        self.operations.busy_changed.connect(self.busy_changed)  # after the parts updated their buttons
        for part in (self.care, self.leftovers_section):
            part.disk_changed.connect(self._disk_changed)
            part.rescan_needed.connect(self.refresh)
        self.care.deleted.connect(self.deleted)
        self.care.download_requested.connect(self.download_requested)

    def _build(self) -> None:
        self.summary_label = SummaryLine(self.free_space)
        self.refresh_button = QtWidgets.QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the library and the cache again")
        self.refresh_button.clicked.connect(self.refresh)
        actions = QtWidgets.QHBoxLayout()
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.care, 1)

        top = QtWidgets.QWidget()
        top_layout = QtWidgets.QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(actions)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.operations)
        top_layout.addWidget(self.care.verifier)  # its report goes under the status line
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.leftovers_section)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)

        # The buttons and status line under the names the window and its tests know them by.
        self.check_updates_button = self.care.check_updates_button
        self.verify_button = self.care.verify_button
        self.update_button = self.care.update_button
        self.delete_button = self.care.delete_button
        self.reveal_button = self.care.reveal_button
        self.status_label = self.operations.status_label

    # --- selection and state ---------------------------------------------------------------------

    def select(self, key: str) -> bool:
        """Select the row with this key ("library:owner/name", "hf-cache:…", "reference:…")."""
        found = self.view.select(key)
        self.update_actions()
        return found

    @property
    def busy(self) -> bool:
        return self.operations.busy

    def update_actions(self) -> None:
        self.care.update_actions()
        self.leftovers_section.update_actions()

    def _settings_changed(self, old: Settings, new: Settings) -> None:
        if not shiboken6.isValid(self):  # the panel was closed; services outlive it
            return
        if old.library_dir != new.library_dir:
            self.model.set_updates([])
            self.refresh()

    def ask(self, title: str, text: str, buttons: questions.Buttons) -> QtWidgets.QMessageBox:
        """A non-blocking question (the last button, Cancel, is the default); see `pending_dialog`."""
        return questions.ask(self, title, text, buttons, default=-1)

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Cancel a running update/verify and wait for the workers (call it when the window closes)."""
        self.operations.stop()
        return self.runner.wait(msecs)

    # --- the listing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rescan library, references, cache and partials on a worker; newer scans win."""
        self.rescans.start()

    @property
    def scanning(self) -> bool:
        return self.rescans.running

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self.snapshot is None and not self.scanning:
            self.refresh()  # first time the tab is shown: list what is on disk

    def _show(self, snapshot: LibrarySnapshot) -> None:
        self.snapshot = snapshot
        self.model.set_rows(snapshot.rows)
        self.leftovers_section.show_items(snapshot.leftovers)
        self.summary_label.show_snapshot(snapshot)
        self.update_actions()

    def _disk_changed(self) -> None:
        self.changed.emit()
        self.refresh()
