"""Filter and sort proxy for the models tree: a text box plus format and status filters."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore

from hfgui.gui import roles
from hfgui.gui.models_model import ModelsModel
from hfgui.gui.rows import Status


class ModelsFilterProxy(QtCore.QSortFilterProxyModel):
    """Shows models whose name/repo/format/quantisation contain every word typed, in the chosen
    formats and states; a group stays visible while one of its models does (recursive filtering)."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()
        self._formats: frozenset[str] | None = None
        self._statuses: frozenset[Status] | None = None
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(True)
        self.setSortRole(roles.SORT_ROLE)

    def set_text(self, text: str) -> None:
        words = tuple(text.lower().split())
        if words != self._words:
            self._change_filter("_words", words)

    def set_formats(self, formats: Iterable[str] | None) -> None:
        self._change_filter("_formats", None if formats is None else frozenset(formats))

    def set_statuses(self, statuses: Iterable[Status] | None) -> None:
        self._change_filter("_statuses", None if statuses is None else frozenset(statuses))

    def _change_filter(self, attribute: str, value) -> None:
        if hasattr(self, "endFilterChange"):  # Qt >= 6.10; invalidateFilter() is deprecated there
            self.beginFilterChange()
            setattr(self, attribute, value)
            self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)
        else:
            setattr(self, attribute, value)
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QtCore.QModelIndex) -> bool:
        if not source_parent.isValid():
            return False  # a group is shown only through its accepted children
        source = self.sourceModel()
        assert isinstance(source, ModelsModel)
        group = source_parent.row()
        if self._formats is not None and source.group_label(group) not in self._formats:
            return False
        if self._statuses is not None and source.state_at(group, source_row).status not in self._statuses:
            return False
        if self._words:
            haystack = source.haystack_at(group, source_row)
            return all(word in haystack for word in self._words)
        return True

    def lessThan(self, left: QtCore.QModelIndex, right: QtCore.QModelIndex) -> bool:
        a, b = left.data(roles.SORT_ROLE), right.data(roles.SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
