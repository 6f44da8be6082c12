"""Choose what to download from a repository: its `group_files` items (a GGUF quant, a split set, a
bundle, the whole repository) with sizes, shared by the Add model dialog and the Search panel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6 import QtCore, QtWidgets

from hfgui.core.catalog import CatalogEntry
from hfgui.core.errors import format_bytes
from hfgui.core.grouping import DownloadItem
from hfgui.gui.entries import guess_kind, new_entry_id

CHECKED = QtCore.Qt.CheckState.Checked
UNCHECKED = QtCore.Qt.CheckState.Unchecked
ITEM_ROLE = int(QtCore.Qt.ItemDataRole.UserRole) + 1
KIND_LABELS = {
    "gguf-quant": "GGUF",
    "mlpackage": "Core ML package",
    "mlmodelc": "Core ML compiled",
    "mlx": "MLX",
    "safetensors": "safetensors",
    "shards": "split weights",
    "onnx": "ONNX",
    "file": "file",
    "repo": "everything",
}
_BUNDLE_KINDS = ("mlpackage", "mlmodelc")


class DownloadChoice(QtWidgets.QTreeWidget):
    """The download items as checkable rows (label, kind, files, size).

    Rules that keep a choice meaningful: one GGUF quantisation at a time, and "Whole repository"
    excludes everything else. Other items (a vision projector, an ONNX variant) combine freely.
    Signal: changed() after the checked set changes.
    """

    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(4)
        self.setHeaderLabels(["Download", "Kind", "Files", "Size"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self._items: list[DownloadItem] = []
        self.itemChanged.connect(self._item_changed)

    # --- content ---------------------------------------------------------------------------------

    def set_items(self, items: Sequence[DownloadItem], wanted_path: str | None = None) -> None:
        """Show ``items`` and check a default: the item holding ``wanted_path`` (a file or folder the
        user pointed at), else the recommended quantisation, else the first item."""
        self._items = list(items)
        self.blockSignals(True)
        self.clear()
        for item in self._items:
            row = QtWidgets.QTreeWidgetItem(
                [
                    item.label + ("  ★ recommended" if item.recommended else ""),
                    KIND_LABELS.get(item.kind, item.kind),
                    str(item.file_count),
                    format_bytes(item.total_bytes),
                ]
            )
            row.setData(0, ITEM_ROLE, item)
            row.setToolTip(0, "\n".join(item.paths[:30]) + ("\n…" if len(item.paths) > 30 else ""))
            row.setTextAlignment(2, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
            row.setTextAlignment(3, QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
            row.setFlags(row.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(0, UNCHECKED)
            self.addTopLevelItem(row)
        self.blockSignals(False)
        self.select_items(default_choice(self._items, wanted_path))

    def clear_items(self) -> None:
        self._items = []
        self.clear()
        self.changed.emit()

    def items(self) -> list[DownloadItem]:
        return list(self._items)

    def rows(self) -> list[QtWidgets.QTreeWidgetItem]:
        return [self.topLevelItem(i) for i in range(self.topLevelItemCount())]

    # --- the choice ------------------------------------------------------------------------------

    def chosen_items(self) -> list[DownloadItem]:
        return [row.data(0, ITEM_ROLE) for row in self.rows() if row.checkState(0) == CHECKED]

    def chosen_paths(self) -> list[str]:
        """Every file of the checked items, each once, in item order."""
        return list(dict.fromkeys(p for item in self.chosen_items() for p in item.paths))

    def select_items(self, chosen: Iterable[DownloadItem]) -> None:
        wanted = set(chosen)
        self.blockSignals(True)
        for row in self.rows():
            row.setCheckState(0, CHECKED if row.data(0, ITEM_ROLE) in wanted else UNCHECKED)
        self.blockSignals(False)
        self.changed.emit()

    def select_label(self, label: str) -> None:
        """Check exactly the item with this label (tests and keyboard users)."""
        self.select_items(i for i in self._items if i.label == label)

    def _item_changed(self, row: QtWidgets.QTreeWidgetItem, column: int) -> None:
        if column == 0 and row.checkState(0) == CHECKED:
            picked: DownloadItem = row.data(0, ITEM_ROLE)
            keep = [i for i in self.chosen_items() if i == picked or compatible(i, picked)]
            self.select_items(keep)  # emits changed
            return
        self.changed.emit()


def compatible(a: DownloadItem, b: DownloadItem) -> bool:
    """Whether two items may be checked together."""
    if a.kind == "repo" or b.kind == "repo":
        return False
    return not (a.kind == "gguf-quant" and b.kind == "gguf-quant")


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
