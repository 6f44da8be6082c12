"""The download picker widget shared by the Add model dialog and the Search tab: one row per item of a
repository, with a radio button or check box each, kept in step with the choice rules."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from PySide6 import QtCore, QtWidgets

from hfgui.core.library import memory
from hfgui.core.library.grouping import DownloadItem
from hfgui.gui.dialogs import choice_cells as cells
from hfgui.gui.dialogs.choice_cells import COL_CHOICE
from hfgui.gui.dialogs.choice_rules import Choice, ChoiceRow, choice_rows, default_choice, paths_of

THIS_COMPUTER = object()  # DownloadChoice(ram_bytes=...) default: read this computer's RAM


class DownloadChoice(QtWidgets.QTreeWidget):
    """The download items as rows (choice, size, memory fit, kind, files).

    One-of choices are radio buttons: one GGUF quantisation, or "Whole repository", which includes
    everything (the check boxes then show ticked and greyed). Items that combine freely (a vision
    projector, an ONNX variant, a bundle) are check boxes. Without quantisations, the radio "Only what
    is ticked below" stands against "Whole repository" (the rules: `choice_rules`).

    ``ram_bytes`` is the RAM the memory hint compares with (default: this computer's; None: unknown).
    Signal: changed() after the chosen set changes.
    """

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, ram_bytes: object = THIS_COMPUTER) -> None:
        super().__init__(parent)
        if ram_bytes is THIS_COMPUTER:
            ram_bytes = memory.total_ram()
        self.ram_bytes = ram_bytes if isinstance(ram_bytes, int) else None
        cells.set_up_columns(self, self.ram_bytes)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # the buttons take the focus, not the rows
        self.group = QtWidgets.QButtonGroup(self)  # the radio buttons: exactly one is on
        self.group.buttonToggled.connect(self._radio_toggled)
        self.itemClicked.connect(self._row_clicked)
        self._items: list[DownloadItem] = []
        self._installed: frozenset[str] = frozenset()
        self._choice = Choice([])
        self._buttons: list[QtWidgets.QAbstractButton] = []  # one per row of the choice
        self._syncing = False  # the buttons are being set from the choice, not by the person

    # --- content ---------------------------------------------------------------------------------

    def set_items(
        self,
        items: Sequence[DownloadItem],
        wanted_path: str | None = None,
        *,
        installed: Collection[str] = (),
    ) -> None:
        """Show ``items`` and choose a default (see `default_choice`; ``wanted_path`` is a file or folder
        the user pointed at). ``installed``: the repository paths already on this computer."""
        self._items = list(items)
        self._installed = frozenset(installed)
        self._build_rows()
        self.select_items(default_choice(self._items, wanted_path))

    def set_installed(self, paths: Collection[str]) -> None:
        """Mark again what is installed (e.g. once a worker has read the library)."""
        self._installed = frozenset(paths)
        for row, button in zip(self._choice.rows, self._buttons, strict=True):
            if row.item is not None:
                button.setText(cells.choice_text(row.item, self._installed))

    def clear_items(self) -> None:
        self._items = []
        self._build_rows()
        self.changed.emit()

    def items(self) -> list[DownloadItem]:
        return list(self._items)

    def rows(self) -> list[QtWidgets.QTreeWidgetItem]:
        return [self.topLevelItem(i) for i in range(self.topLevelItemCount())]

    def row_of(self, label: str) -> QtWidgets.QTreeWidgetItem:
        """The row of the item (or the radio) labelled ``label``."""
        return self.rows()[self._choice.index_of(label)]

    def button(self, label: str) -> QtWidgets.QAbstractButton:
        """The radio button or check box of the item (or the radio) labelled ``label``."""
        return self._buttons[self._choice.index_of(label)]

    def is_installed(self, item: DownloadItem) -> bool:
        return cells.is_installed(item, self._installed)

    def _build_rows(self) -> None:
        for button in self.group.buttons():
            self.group.removeButton(button)
        self.clear()  # deletes the row widgets too
        self._choice = Choice(choice_rows(self._items))
        self._buttons = [self._add_row(index, row) for index, row in enumerate(self._choice.rows)]

    def _add_row(self, index: int, choice: ChoiceRow) -> QtWidgets.QAbstractButton:
        row = QtWidgets.QTreeWidgetItem(self)
        button = QtWidgets.QRadioButton() if choice.one_of else QtWidgets.QCheckBox()
        item = choice.item
        button.setText(cells.choice_text(item, self._installed) if item is not None else choice.label)
        if item is not None:
            tip = cells.files_tip(item)
            button.setToolTip(tip)
            row.setToolTip(COL_CHOICE, tip)
            cells.fill_cells(row, item, self.ram_bytes)
        if choice.one_of:
            self.group.addButton(button, index)
        else:
            button.toggled.connect(lambda on, at=index: self._box_toggled(at, on))
        self.setItemWidget(row, COL_CHOICE, button)
        return button

    # --- the choice ------------------------------------------------------------------------------

    def chosen_items(self) -> list[DownloadItem]:
        return self._choice.items()

    def chosen_paths(self) -> list[str]:
        """Every file of the chosen items, each once, in item order."""
        return paths_of(self.chosen_items())

    def select_items(self, chosen: Iterable[DownloadItem]) -> None:
        """Choose exactly these items, as far as the rules allow (see `Choice.select`)."""
        self._choice.select(chosen)
        self._show_choice()
        self.changed.emit()

    def _row_clicked(self, row: QtWidgets.QTreeWidgetItem, _column: int) -> None:
        """A click anywhere on a row (beside the label, on its size) works its button, as in list pickers."""
        button = self._buttons[self.indexOfTopLevelItem(row)]
        if button.isEnabled() and not (isinstance(button, QtWidgets.QRadioButton) and button.isChecked()):
            button.click()

    def _radio_toggled(self, button: QtWidgets.QAbstractButton, checked: bool) -> None:
        if checked and not self._syncing:
            self._choice.picked = self.group.id(button)
            self._show_choice()
            self.changed.emit()

    def _box_toggled(self, row: int, on: bool) -> None:
        if not self._syncing:
            self._choice.ticked[row] = on
            self.changed.emit()

    def _show_choice(self) -> None:
        """The buttons as the choice says; the check boxes all ticked and greyed while the whole
        repository is chosen."""
        whole = self._choice.whole_chosen()
        self._syncing = True
        try:
            if self._choice.picked is not None:
                self._buttons[self._choice.picked].setChecked(True)
            for row, on in self._choice.ticked.items():
                box = self._buttons[row]
                box.setChecked(True if whole else on)
                box.setEnabled(not whole)
                tip = "Included in the whole repository" if whole else self.rows()[row].toolTip(COL_CHOICE)
                box.setToolTip(tip)
        finally:
            self._syncing = False
