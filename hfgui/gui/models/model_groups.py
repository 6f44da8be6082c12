"""The group rows of the models tree (one per format): created in their order, and their headers'
counts — how many models, how many installed, or how many the filter shows. A mixin of ModelsModel."""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from hfgui.core.words import counted
from hfgui.gui.models import row_cells as cells
from hfgui.gui.widgets import roles

# Groups appear in this order; anything else follows alphabetically.
FORMAT_ORDER = ("Core ML", "GGUF (llama.cpp)", "MLX", "ONNX", "safetensors")
GROUP_FLAGS = QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable


class Groups:
    """Needs from the model: `_group_items`, `_children`, `_installed`, `_shown`, `_bold`."""

    def _make_group(self, label: str) -> QtGui.QStandardItem:
        item = QtGui.QStandardItem(label)
        item.setFlags(GROUP_FLAGS)
        item.setData(True, roles.IS_GROUP_ROLE)
        item.setData(label, roles.KEY_ROLE)
        item.setData(self._bold, QtCore.Qt.ItemDataRole.FontRole)
        rank, name = group_rank(label)
        item.setData(f"{rank:02d} {name}", roles.SORT_ROLE)
        self._group_items[label] = item
        self._children.setdefault(label, [])
        self._installed.setdefault(label, 0)
        return item

    def _group_order(self) -> list[str]:
        return [self._label_of(row) for row in range(self.rowCount())]

    def _label_of(self, group_row: int) -> str:
        return self.item(group_row, 0).data(roles.KEY_ROLE)

    def _set_group_text(self, label: str) -> None:
        group = self._group_items.get(label)
        if group is None:
            return
        count = len(self._children[label])
        shown = self._shown.get(label)
        if shown is not None and shown != count:  # a filter hides some: say how many are left
            group.setData(f"{label}  ({shown} of {counted(count, 'model')})", cells.DISPLAY)
            return
        installed = self._installed[label]
        text = counted(count, "model")
        extra = f", {installed} installed" if installed else ""
        group.setData(f"{label}  ({text}{extra})", cells.DISPLAY)

    def set_shown_counts(self, shown: dict[str, int] | None) -> None:
        """How many models of each group the filter lets through (None: no filter)."""
        shown = dict(shown or {})
        if shown == self._shown:
            return
        self._shown = shown
        for label in self._group_items:
            self._set_group_text(label)

    # --- state updates ----------------------------------------------------------------------------

    def group_labels(self) -> list[str]:
        return list(self._group_items)

    def group_label(self, group: int) -> str:
        return self._label_of(group)

    def group_count(self) -> int:
        return self.rowCount()


def group_rank(label: str) -> tuple[int, str]:
    try:
        return (FORMAT_ORDER.index(label), "")
    except ValueError:
        return (len(FORMAT_ORDER), label.lower())
