"""The "Partial downloads" section: partial files left in staging folders, and removing them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import format_bytes
from hfgui.core.library.leftovers import Leftover, remove_leftovers
from hfgui.core.words import counted
from hfgui.gui.library.library_model import LeftoversModel
from hfgui.gui.library.operations import OperationRunner, one_line
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.columns import fit_columns
from hfgui.gui.widgets.questions import Buttons


class LeftoversSection(QtWidgets.QGroupBox):
    """``disk_changed()`` after partial files were removed; ``rescan_needed()`` after a removal failed
    (some may be gone). Removal runs as the panel's one operation."""

    disk_changed = QtCore.Signal()
    rescan_needed = QtCore.Signal()

    def __init__(
        self,
        operations: OperationRunner,
        ask: Callable[[str, str, Buttons], QtWidgets.QMessageBox],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__("Partial downloads", parent)
        self._operations = operations
        self._ask = ask
        operations.busy_changed.connect(lambda _busy: self.update_actions())
        self.model = LeftoversModel(self)
        self.label = QtWidgets.QLabel("")
        self.label.setWordWrap(True)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        fit_columns(self.view, LeftoversModel.COL_FILE)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self.remove_selected_button = QtWidgets.QPushButton("Remove selected")
        self.remove_selected_button.setToolTip("Delete the selected partial files")
        self.remove_selected_button.clicked.connect(self.remove_selected)
        self.remove_orphans_button = QtWidgets.QPushButton("Remove all orphaned")
        self.remove_orphans_button.setToolTip(
            "Delete every partial file that no download or update would resume"
        )
        self.remove_orphans_button.clicked.connect(self.remove_orphaned)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.label, 1)
        buttons.addWidget(self.remove_selected_button)
        buttons.addWidget(self.remove_orphans_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view)

    def show_items(self, items: Sequence[Leftover]) -> None:
        self.model.set_items(items)
        orphaned = self.model.orphaned()
        if items:
            self.label.setText(
                f"{counted(len(items), 'partial file')}, {len(orphaned)} orphaned "
                f"({format_bytes(sum(i.size for i in orphaned))} that nothing will resume)."
            )
        else:
            self.label.setText("No partial downloads.")
        self.update_actions()

    def selected(self) -> list[Leftover]:
        return [index.data(roles.STATE_ROLE) for index in self.view.selectionModel().selectedRows()]

    def update_actions(self) -> None:
        idle = not self._operations.busy
        self.remove_selected_button.setEnabled(idle and bool(self.selected()))
        self.remove_orphans_button.setEnabled(idle and bool(self.model.orphaned()))

    def remove_selected(self) -> None:
        """Orphaned files go at once; files an unfinished download or update owns are asked about first,
        since that download then starts them over."""
        items = self.selected()
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
            self._ask(
                "Remove partial downloads", text, (("Remove", lambda: self._remove(items)), ("Cancel", None))
            )
        else:
            self._remove(items)

    def remove_orphaned(self) -> None:
        items = self.model.orphaned()
        if items:
            self._remove(items)

    def _remove(self, items: list[Leftover]) -> None:
        operations = self._operations
        operation = operations.begin("clean", "Removing partial downloads")
        if operation is None:
            return

        def done(freed: int) -> None:
            operations.say(
                f"Removed {counted(len(items), 'partial file')}: {format_bytes(freed)} freed.", ok=True
            )
            self.disk_changed.emit()

        def failed(exc: BaseException) -> None:
            operations.say(f"Could not remove the partial downloads: {one_line(exc)}", error=True)
            self.rescan_needed.emit()

        operations.run(operation, lambda: remove_leftovers(items), done, failed)
