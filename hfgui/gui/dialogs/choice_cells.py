"""How a download item reads in the picker: its label and marks, its size, memory, kind and files cells."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core.errors import format_bytes
from hfgui.core.library import memory
from hfgui.core.library.grouping import DownloadItem
from hfgui.core.library.memory import Fit

COL_CHOICE, COL_SIZE, COL_FIT, COL_KIND, COL_FILES = range(5)
HEADERS = ("Download", "Size", "Memory", "Kind", "Files")
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
UNKNOWN = "—"
RECOMMENDED_MARK = "★ recommended"
INSTALLED_MARK = "✓ installed"
FIT_COLORS = {Fit.FITS: "#1e7d32", Fit.TIGHT: "#b26a00", Fit.TOO_BIG: "#c62828"}
# Items that are a model's weights on their own; a projector, a loose file or the whole repository are not.
FIT_KINDS = frozenset({"gguf-quant", "mlx", "safetensors", "shards", "onnx", "mlpackage", "mlmodelc"})
_RIGHT = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter


def is_installed(item: DownloadItem, installed: frozenset[str]) -> bool:
    return bool(item.paths) and set(item.paths) <= installed


def fit_of(item: DownloadItem, ram_bytes: int | None) -> Fit | None:
    """The memory hint of an item; None where it does not apply or the RAM is unknown."""
    return memory.fit(item.total_bytes, ram_bytes) if item.kind in FIT_KINDS else None


def choice_text(item: DownloadItem, installed: frozenset[str]) -> str:
    """The item's label and its marks: recommended, installed."""
    marks = [RECOMMENDED_MARK] if item.recommended else []
    if is_installed(item, installed):
        marks.append(INSTALLED_MARK)
    return "  ".join([item.label, *marks])


def files_tip(item: DownloadItem) -> str:
    return "\n".join(item.paths[:30]) + ("\n…" if len(item.paths) > 30 else "")


def size_cell(n: int | None) -> str:
    """A size as the picker shows it: "—" (not "…", which reads as "still loading") when unknown."""
    return UNKNOWN if n is None or n < 0 else format_bytes(n)


def fill_cells(row: QtWidgets.QTreeWidgetItem, item: DownloadItem, ram_bytes: int | None) -> None:
    """The size, memory, kind and files cells of ``item``'s row."""
    row.setText(COL_SIZE, size_cell(item.total_bytes))
    row.setText(COL_KIND, KIND_LABELS.get(item.kind, item.kind))
    row.setText(COL_FILES, str(item.file_count))
    for column in (COL_SIZE, COL_FILES):
        row.setTextAlignment(column, _RIGHT)
    if item.kind not in FIT_KINDS:
        return
    verdict = fit_of(item, ram_bytes)
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
        f" this computer has {format_bytes(ram_bytes or 0)}.",
    )


def set_up_columns(tree: QtWidgets.QTreeWidget, ram_bytes: int | None) -> None:
    """The picker's columns: the choice takes the room left, the others fit their contents."""
    tree.setColumnCount(len(HEADERS))
    tree.setHeaderLabels(list(HEADERS))
    header = tree.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(COL_CHOICE, QtWidgets.QHeaderView.ResizeMode.Stretch)
    for column in range(COL_CHOICE + 1, len(HEADERS)):
        header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
    tree.headerItem().setToolTip(COL_FIT, memory_header_tip(ram_bytes))


def memory_header_tip(ram_bytes: int | None) -> str:
    if not ram_bytes:
        return "Whether it fits in this computer's memory (unknown here)."
    return (
        f"Whether it fits in this computer's {format_bytes(ram_bytes)} of RAM: fits (up to 75 %),"
        " tight (up to all of it: close other programs), too big."
    )
