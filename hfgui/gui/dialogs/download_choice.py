"""Choose what to download from a repository: its `group_files` items (a GGUF quant, a split set, a
bundle, the whole repository) with sizes, what is installed and whether each fits this computer's RAM;
shared by the Add model dialog and the Search panel."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import PurePosixPath

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core import memory
from hfgui.core.catalog import CatalogEntry
from hfgui.core.errors import format_bytes
from hfgui.core.grouping import DownloadItem
from hfgui.core.installed_files import installed_paths
from hfgui.core.memory import Fit
from hfgui.gui.models.entries import guess_kind, new_entry_id
from hfgui.gui.services import Services

log = logging.getLogger(__name__)
# repo id -> the repository paths already on this computer; called on a worker thread.
InstalledFiles = Callable[[str], Collection[str]]

ITEM_ROLE = int(QtCore.Qt.ItemDataRole.UserRole) + 1
KIND_LABELS = {
    "gguf-quant": "GGUF",
    "mlpackage": ".mlpackage",
    "mlmodelc": "Core ML compiled",
    "mlx": "MLX",
    "safetensors": "safetensors",
    "shards": "split weights",
    "onnx": "ONNX",
    "file": "file",
    "repo": "everything",
}
COL_CHOICE, COL_SIZE, COL_FIT, COL_KIND, COL_FILES = range(5)
HEADERS = ("Download", "Size", "Memory", "Kind", "Files")
UNKNOWN = "—"
RECOMMENDED_MARK = "★ recommended"
INSTALLED_MARK = "✓ installed"
# The one-of choice that takes no quantisation (only when something else is worth having alone).
NO_QUANT_LABEL = "No GGUF file: only what is ticked below"
ONLY_TICKED_LABEL = "Only what is ticked below"
FIT_COLORS = {Fit.FITS: "#1e7d32", Fit.TIGHT: "#b26a00", Fit.TOO_BIG: "#c62828"}
# Items that are a model's weights on their own; a projector, a loose file or the whole repository are not.
_FIT_KINDS = frozenset({"gguf-quant", "mlx", "safetensors", "shards", "onnx", "mlpackage", "mlmodelc"})
_BUNDLE_KINDS = ("mlpackage", "mlmodelc")
_RIGHT = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
THIS_COMPUTER = object()  # DownloadChoice(ram_bytes=...) default: read this computer's RAM


class DownloadChoice(QtWidgets.QTreeWidget):
    """The download items as rows (choice, size, memory fit, kind, files).

    One-of choices are radio buttons: one GGUF quantisation, or "Whole repository", which includes
    everything (the check boxes then show ticked and greyed). Items that combine freely (a vision
    projector, an ONNX variant, a bundle) are check boxes. Without quantisations, the radio "Only what
    is ticked below" stands against "Whole repository".

    ``ram_bytes`` is the RAM the memory hint compares with (default: this computer's; None: unknown).
    Signal: changed() after the chosen set changes.
    """

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, ram_bytes: object = THIS_COMPUTER) -> None:
        super().__init__(parent)
        if ram_bytes is THIS_COMPUTER:
            ram_bytes = memory.total_ram()
        self.ram_bytes = ram_bytes if isinstance(ram_bytes, int) else None
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(list(HEADERS))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # the buttons take the focus, not the rows
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_CHOICE, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (COL_SIZE, COL_FIT, COL_KIND, COL_FILES):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.headerItem().setToolTip(COL_FIT, self._memory_header_tip())
        self.group = QtWidgets.QButtonGroup(self)  # the radio buttons: exactly one is on
        self.group.buttonToggled.connect(self._radio_toggled)
        self.itemClicked.connect(self._row_clicked)
        self._items: list[DownloadItem] = []
        self._installed: frozenset[str] = frozenset()
        self._buttons: list[QtWidgets.QAbstractButton] = []  # one per row
        self._ticked: dict[int, bool] = {}  # check box row -> what the person ticked
        self._whole_row: int | None = None
        self._syncing = False

    # --- content ---------------------------------------------------------------------------------

    def set_items(
        self,
        items: Sequence[DownloadItem],
        wanted_path: str | None = None,
        *,
        installed: Collection[str] = (),
    ) -> None:
        """Show ``items`` and choose a default: the item holding ``wanted_path`` (a file or folder the
        user pointed at), else the recommended quantisation, else the first item. ``installed``: the
        repository paths already on this computer (see `hfgui.core.installed_files`)."""
        self._items = list(items)
        self._installed = frozenset(installed)
        self._build_rows()
        self.select_items(default_choice(self._items, wanted_path))

    def set_installed(self, paths: Collection[str]) -> None:
        """Mark again what is installed (e.g. once a worker has read the library)."""
        self._installed = frozenset(paths)
        for row, item in enumerate(self._row_items()):
            if item is not None:
                self._buttons[row].setText(self._choice_text(item))

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
        return self.rows()[self._row_index(label)]

    def button(self, label: str) -> QtWidgets.QAbstractButton:
        """The radio button or check box of the item (or the radio) labelled ``label``."""
        return self._buttons[self._row_index(label)]

    def is_installed(self, item: DownloadItem) -> bool:
        return bool(item.paths) and set(item.paths) <= self._installed

    def fit_of(self, item: DownloadItem) -> Fit | None:
        """The memory hint of an item; None where it does not apply or the RAM is unknown."""
        return memory.fit(item.total_bytes, self.ram_bytes) if item.kind in _FIT_KINDS else None

    def _row_items(self) -> list[DownloadItem | None]:
        return [row.data(COL_CHOICE, ITEM_ROLE) for row in self.rows()]

    def _row_index(self, label: str) -> int:
        for index, row in enumerate(self.rows()):
            item = row.data(COL_CHOICE, ITEM_ROLE)
            if (item.label if item is not None else self._buttons[index].text()) == label:
                return index
        raise KeyError(label)

    def _build_rows(self) -> None:
        for button in self.group.buttons():
            self.group.removeButton(button)
        self.clear()  # deletes the row widgets too
        self._buttons, self._ticked, self._whole_row = [], {}, None
        quants = [i for i in self._items if i.kind == "gguf-quant"]
        extras = [i for i in self._items if i.kind not in ("gguf-quant", "repo")]
        wholes = [i for i in self._items if i.kind == "repo"]
        # Choosing no quantisation makes sense when another item is worth having alone.
        none_label = None
        if extras and not quants:
            none_label = ONLY_TICKED_LABEL
        elif extras and any(not _is_projector(i) for i in extras):
            none_label = NO_QUANT_LABEL
        for item in quants:
            self._add_row(item, radio=True)
        if none_label is not None:
            self._add_row(None, radio=True, label=none_label)
        for item in extras:
            self._add_row(item, radio=False)
        for item in wholes:
            self._whole_row = self.topLevelItemCount()
            self._add_row(item, radio=True)

    def _add_row(self, item: DownloadItem | None, *, radio: bool, label: str = "") -> None:
        index = self.topLevelItemCount()
        row = QtWidgets.QTreeWidgetItem(self)
        row.setData(COL_CHOICE, ITEM_ROLE, item)
        button: QtWidgets.QAbstractButton = QtWidgets.QRadioButton() if radio else QtWidgets.QCheckBox()
        button.setText(self._choice_text(item) if item is not None else label)
        if item is not None:
            tip = "\n".join(item.paths[:30]) + ("\n…" if len(item.paths) > 30 else "")
            button.setToolTip(tip)
            row.setToolTip(COL_CHOICE, tip)
            self._fill_cells(row, item)
        if radio:
            self.group.addButton(button, index)
        else:
            self._ticked[index] = False
            button.toggled.connect(lambda on, at=index: self._box_toggled(at, on))
        self._buttons.append(button)
        self.setItemWidget(row, COL_CHOICE, button)

    def _choice_text(self, item: DownloadItem) -> str:
        marks = [RECOMMENDED_MARK] if item.recommended else []
        if self.is_installed(item):
            marks.append(INSTALLED_MARK)
        return "  ".join([item.label, *marks])

    def _fill_cells(self, row: QtWidgets.QTreeWidgetItem, item: DownloadItem) -> None:
        row.setText(COL_SIZE, size_cell(item.total_bytes))
        row.setText(COL_KIND, KIND_LABELS.get(item.kind, item.kind))
        row.setText(COL_FILES, str(item.file_count))
        for column in (COL_SIZE, COL_FILES):
            row.setTextAlignment(column, _RIGHT)
        if item.kind not in _FIT_KINDS:
            return
        verdict = self.fit_of(item)
        need = format_bytes(memory.memory_needed(item.total_bytes))
        if verdict is None:
            row.setText(COL_FIT, UNKNOWN)
            row.setToolTip(COL_FIT, f"Needs about {need} of memory; this computer's RAM could not be read.")
            return
        row.setText(COL_FIT, verdict.value)
        row.setForeground(COL_FIT, QtGui.QBrush(QtGui.QColor(FIT_COLORS[verdict])))
        row.setToolTip(
            COL_FIT,
            f"Needs about {need} of memory (the weights plus room for the context);"
            f" this computer has {format_bytes(self.ram_bytes or 0)}.",
        )

    def _memory_header_tip(self) -> str:
        if not self.ram_bytes:
            return "Whether it fits in this computer's memory (unknown here)."
        return (
            f"Whether it fits in this computer's {format_bytes(self.ram_bytes)} of RAM: fits (up to 75 %),"
            " tight (up to all of it: close other programs), too big."
        )

    # --- the choice ------------------------------------------------------------------------------

    def chosen_items(self) -> list[DownloadItem]:
        radio = self.group.checkedId()
        if radio < 0:
            return []
        items = self._row_items()
        ticked = [items[row] for row, on in self._ticked.items() if on]
        chosen = [items[radio]] if radio == self._whole_row else [items[radio], *ticked]
        return [item for item in chosen if item is not None]

    def chosen_paths(self) -> list[str]:
        """Every file of the chosen items, each once, in item order."""
        return list(dict.fromkeys(p for item in self.chosen_items() for p in item.paths))

    def select_items(self, chosen: Iterable[DownloadItem]) -> None:
        """Choose exactly these items, as far as the rules allow (one quantisation; the whole
        repository alone); keeps the current one-of choice when ``chosen`` names none."""
        wanted = set(chosen)
        items = self._row_items()
        radios = [row for row, item in enumerate(items) if row not in self._ticked]
        picked = next((r for r in radios if items[r] is not None and items[r] in wanted), None)
        if picked is None:
            picked = self._fallback_radio(radios, items)
        self._syncing = True
        try:
            if picked is not None:
                self.group.button(picked).setChecked(True)
            for row in self._ticked:
                self._ticked[row] = items[row] in wanted
            self._show_ticks()
        finally:
            self._syncing = False
        self.changed.emit()

    def _fallback_radio(self, radios: list[int], items: list[DownloadItem | None]) -> int | None:
        """The radio when the chosen items name none: "only what is ticked", else the current one, else
        the recommended quantisation, else the first."""
        if any(items[row] is None for row in radios):
            return next(row for row in radios if items[row] is None)
        if self.group.checkedId() >= 0:
            return self.group.checkedId()
        recommended = [row for row in radios if getattr(items[row], "recommended", False)]
        return (recommended or radios or [None])[0]

    def select_label(self, label: str) -> None:
        """Choose exactly the item with this label (tests and keyboard users)."""
        self.select_items(i for i in self._items if i.label == label)

    def _row_clicked(self, row: QtWidgets.QTreeWidgetItem, _column: int) -> None:
        """A click anywhere on a row (beside the label, on its size) works its button, as in list pickers."""
        button = self._buttons[self.indexOfTopLevelItem(row)]
        if button.isEnabled() and not (isinstance(button, QtWidgets.QRadioButton) and button.isChecked()):
            button.click()

    def _radio_toggled(self, _button: QtWidgets.QAbstractButton, checked: bool) -> None:
        if checked and not self._syncing:
            self._show_ticks()
            self.changed.emit()

    def _box_toggled(self, row: int, on: bool) -> None:
        if self._syncing:
            return
        self._ticked[row] = on
        self.changed.emit()

    def _show_ticks(self) -> None:
        """The check boxes as ticked, or all ticked and greyed while the whole repository is chosen."""
        whole = self._whole_row is not None and self.group.checkedId() == self._whole_row
        syncing, self._syncing = self._syncing, True
        try:
            for row, on in self._ticked.items():
                box = self._buttons[row]
                box.setChecked(True if whole else on)
                box.setEnabled(not whole)
                box.setToolTip(
                    "Included in the whole repository" if whole else self.rows()[row].toolTip(COL_CHOICE)
                )
        finally:
            self._syncing = syncing


def size_cell(n: int | None) -> str:
    """A size as the picker shows it: "—" (not "…", which reads as "still loading") when unknown."""
    return UNKNOWN if n is None or n < 0 else format_bytes(n)


def _is_projector(item: DownloadItem) -> bool:
    """A vision projector (mmproj-*.gguf): only useful next to a quantisation."""
    return item.kind == "file" and PurePosixPath(item.paths[0]).name.lower().startswith("mmproj")


def installed_reader(services: Services) -> InstalledFiles:
    """What a picker marks as installed by default: the library's files and the Hugging Face cache's."""

    def read(repo_id: str) -> Collection[str]:
        try:
            return installed_paths(services.library_root, repo_id, services.hf_cache_dir)
        except OSError as exc:  # the marks are a courtesy: an unreadable library must not fail the listing
            log.warning("Could not read which files of %s are installed: %s", repo_id, exc)
            return frozenset()

    return read


def choice_hint(items: Sequence[DownloadItem]) -> str:
    """What to do with the picker, for the status line above it."""
    if sum(1 for i in items if i.kind == "gguf-quant") > 1:
        return "Pick one quantisation."
    if any(i.kind not in ("gguf-quant", "repo") for i in items):
        return "Tick what you want to download, or choose the whole repository."
    return "Choose what to download."


def default_choice(items: Sequence[DownloadItem], wanted_path: str | None = None) -> list[DownloadItem]:
    """What to check first; see `DownloadChoice.set_items`."""
    parts = [i for i in items if i.kind != "repo"]
    if wanted_path:
        folder = wanted_path.rstrip("/") + "/"
        holding = [i for i in parts if any(p == wanted_path or p.startswith(folder) for p in i.paths)]
        if holding:
            # The smallest item that holds it: a quant rather than a bundle around it.
            return [min(holding, key=lambda i: i.file_count)]
        whole = [i for i in items if i.kind == "repo" and wanted_path in i.paths]
        if whole:
            return whole
    recommended = [i for i in parts if i.recommended]
    if recommended:
        return recommended[:1]
    return list(items[:1])


# --- turning a choice into a catalog entry ---------------------------------------------------------


def entry_for_choice(
    repo_id: str,
    chosen: Sequence[DownloadItem],
    *,
    revision: str = "main",
    tags: Iterable[str] = (),
    name: str = "",
    taken_ids: Iterable[str] = (),
) -> CatalogEntry:
    """A catalog entry whose patterns select exactly the chosen items' files.

    One bundle (``.mlpackage``) becomes a ``folder`` entry, "Whole repository" an ``include: ["*"]``
    entry, anything else the explicit file list.
    """
    if not chosen:
        raise ValueError("nothing chosen")
    paths = list(dict.fromkeys(p for item in chosen for p in item.paths))
    kinds = {item.kind for item in chosen}
    framework, fmt = _kind_of(kinds, paths, repo_id, tuple(tags))
    # The quant names the entry: a GGUF quant's wins over a vision projector's or an ONNX variant's.
    named = [i for i in chosen if i.kind == "gguf-quant"] or list(chosen)
    quants = list(dict.fromkeys(i.quantization for i in named if i.quantization))
    quant = quants[0] if len(quants) == 1 else ""
    base = name.strip() or repo_id.split("/", 1)[1]
    selection: dict = {"files": tuple(paths)}
    if len(chosen) == 1 and chosen[0].kind in _BUNDLE_KINDS:
        selection = {"folder": chosen[0].label}
    elif "repo" in kinds:
        selection = {"include": ("*",)}
    return CatalogEntry(
        id=new_entry_id(repo_id, quant, taken_ids),
        name=base + (f" {quant}" if quant and quant not in base else ""),
        repo=repo_id,
        framework=framework,
        format=fmt,
        revision=revision,
        quantization=quant or None,
        **selection,
    )


def _kind_of(kinds: set[str], paths: list[str], repo_id: str, tags: tuple[str, ...]) -> tuple[str, str]:
    if "gguf-quant" in kinds:
        return "llama.cpp", "gguf"
    if "mlpackage" in kinds:
        return "coreml", "mlpackage"
    if "mlmodelc" in kinds:
        return "coreml", "mlmodel"
    if "mlx" in kinds:
        return "mlx", "mlx"
    if "onnx" in kinds:
        return "onnxruntime", "onnx"
    return guess_kind(paths, repo_id, tags)
