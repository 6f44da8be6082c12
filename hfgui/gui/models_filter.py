"""Filter and sort proxy for the models tree: a text box plus format and status filters."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore

from hfgui.gui import roles
from hfgui.gui.models_model import ModelsModel
from hfgui.gui.rows import Status


class ModelsFilterProxy(QtCore.QSortFilterProxyModel):
    """Shows models whose name/repo/format/quantisation contain every word typed, in the chosen
    formats and states; a group is shown while one of its models is.

    Which rows pass is computed in one Python pass per filter change (`_accepted`), so the per-row
    callbacks Qt makes are cheap lookups; 10,000 rows filter in a few tens of milliseconds.
    """

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()
        self._formats: frozenset[str] | None = None
        self._statuses: frozenset[Status] | None = None
        self._accepted: list[set[int]] | None = None  # per source group: accepted child rows
        self.setDynamicSortFilter(True)
        self.setSortRole(roles.SORT_ROLE)

    def setSourceModel(self, model: QtCore.QAbstractItemModel) -> None:
        super().setSourceModel(model)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._forget)
        model.dataChanged.connect(self._source_data_changed)

    def set_text(self, text: str) -> None:
        words = tuple(text.lower().split())
        if words != self._words:
            self._change_filter("_words", words)

    def set_formats(self, formats: Iterable[str] | None) -> None:
        self._change_filter("_formats", None if formats is None else frozenset(formats))

    def set_statuses(self, statuses: Iterable[Status] | None) -> None:
        self._change_filter("_statuses", None if statuses is None else frozenset(statuses))

    def _change_filter(self, attribute: str, value) -> None:
        # One layout change instead of per-range row removals: removing thousands of scattered rows
        # one range at a time makes the tree view relayout for each (seconds on 10,000 rows).
        setattr(self, attribute, value)
        self._accepted = None
        self.invalidate()

    def _forget(self, *_args) -> None:
        self._accepted = None

    def _source_data_changed(self, top: QtCore.QModelIndex, *_args) -> None:
        """A status change can make a hidden group's model match the status filter: re-filter then."""
        if self._statuses is None or not top.parent().isValid() or self._accepted is None:
            return
        group, row = top.parent().row(), top.row()
        accepted = self._accepts(self.sourceModel(), group, row)
        if accepted != (row in self._accepted[group]):
            self._accepted = None
            self.invalidate()

    def _accepts(self, source: ModelsModel, group: int, row: int) -> bool:
        if self._formats is not None and source.group_label(group) not in self._formats:
            return False
        if self._statuses is not None and source.state_at(group, row).status not in self._statuses:
            return False
        haystack = source.haystack_at(group, row)
        return all(word in haystack for word in self._words)

    def _accepted_rows(self) -> list[set[int]]:
        if self._accepted is None:
            source = self.sourceModel()
            assert isinstance(source, ModelsModel)
            self._accepted = [
                {row for row in range(source.child_count(group)) if self._accepts(source, group, row)}
                for group in range(source.group_count())
            ]
        return self._accepted

    def filterAcceptsRow(self, source_row: int, source_parent: QtCore.QModelIndex) -> bool:
        accepted = self._accepted_rows()
        if not source_parent.isValid():
            return source_row < len(accepted) and bool(accepted[source_row])
        group = source_parent.row()
        return group < len(accepted) and source_row in accepted[group]

    def lessThan(self, left: QtCore.QModelIndex, right: QtCore.QModelIndex) -> bool:
        a, b = left.data(roles.SORT_ROLE), right.data(roles.SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
