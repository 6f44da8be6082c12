"""The care buttons over the installed models, enabled for the selected one, and the actions behind them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from hfgui.gui.library.delete import Deleter
from hfgui.gui.library.installed_table import InstalledTable
from hfgui.gui.library.operations import OperationRunner
from hfgui.gui.library.updates import Updater
from hfgui.gui.library.verify import Verifier
from hfgui.gui.services import Services
from hfgui.gui.widgets.questions import Buttons
from hfgui.gui.widgets.reveal import reveal_folder


class CareActions(QtWidgets.QWidget):
    """Owns the actions: `verifier` (whose report the panel lays out under the status line), `updater`
    and `deleter`; their outcomes leave as ``disk_changed()``, ``rescan_needed()``, ``deleted(repo id)``
    and ``download_requested(repo id)``."""

    disk_changed = QtCore.Signal()
    rescan_needed = QtCore.Signal()
    deleted = QtCore.Signal(str)
    download_requested = QtCore.Signal(object)

    def __init__(
        self,
        services: Services,
        operations: OperationRunner,
        table: InstalledTable,
        *,
        ask: Callable[[str, str, Buttons], QtWidgets.QMessageBox],
        open_url: Callable[[QtCore.QUrl], object],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._operations = operations
        self._table = table
        self._rows = table.library_model
        self._open_url = open_url
        self.verifier = Verifier(services, operations)
        self.updater = Updater(services, operations, self._rows, self)
        self.deleter = Deleter(services, operations, ask, self)
        for part in (self.verifier, self.updater, self.deleter):
            part.disk_changed.connect(self.disk_changed)
        self.updater.rescan_needed.connect(self.rescan_needed)
        self.updater.checked.connect(self.update_actions)  # Update is enabled by what the check found
        self.deleter.deleted.connect(self.deleted)
        self.verifier.download_requested.connect(self.download_requested)
        operations.busy_changed.connect(lambda _busy: self.update_actions())
        table.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        table.doubleClicked.connect(lambda _index: self.reveal_selected())

        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        def button(text: str, slot: Callable[[], None], tip: str) -> QtWidgets.QPushButton:
            made = QtWidgets.QPushButton(text)
            made.setToolTip(tip)
            made.clicked.connect(slot)
            layout.addWidget(made)
            return made

        self.check_updates_button = button(
            "Check for updates", self.updater.check, "Ask the Hub whether installed models have newer commits"
        )
        self.verify_button = button("Verify", self.verify_selected, "Re-hash the files against the manifest")
        self.update_button = button("Update", self.update_selected, "Download only the files that changed")
        self.delete_button = button("Delete…", self.delete_selected, "Remove the model from disk")
        self.reveal_button = button(
            "Reveal", self.reveal_selected, "Show the model's folder in the file manager"
        )
        layout.addStretch(1)

    def update_actions(self) -> None:
        row = self._table.selected_row()
        idle = not self._operations.busy
        info = self._rows.update_info(row) if row is not None else None
        self.verify_button.setEnabled(idle and row is not None and row.verifiable)
        self.update_button.setEnabled(idle and info is not None and info.has_update)
        self.delete_button.setEnabled(idle and row is not None)
        self.reveal_button.setEnabled(row is not None)
        self.check_updates_button.setEnabled(idle and any(r.updatable for r in self._rows.rows()))

    def verify_selected(self) -> None:
        row = self._table.selected_row()
        if row is not None and row.verifiable:
            self.verifier.verify(row)

    def update_selected(self) -> None:
        row = self._table.selected_row()
        if row is not None:
            self.updater.update(row)

    def delete_selected(self) -> None:
        row = self._table.selected_row()
        if row is not None and not self._operations.busy:
            self.deleter.confirm(row)

    def reveal_selected(self) -> None:
        row = self._table.selected_row()
        if row is None:
            return
        folder = Path(row.model.root)
        if not folder.is_dir():
            folder = folder.parent  # a model imported as a single file, or not yet created
        problem = reveal_folder(self._open_url, folder)
        if problem is not None:
            self._operations.say(problem)
