"""Filter and sort proxy for the models tree: a text box plus format and status filters.

All matching runs inside Qt: the words, formats and states become one regular expression applied to
each row's FILTER_ROLE text (see models_model), so filtering 10,000 rows makes no call into Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6 import QtCore

from hfgui.gui.models.row_cells import FILTER_SEPARATOR
from hfgui.gui.models.rows import Status
from hfgui.gui.widgets import roles


class ModelsFilterProxy(QtCore.QSortFilterProxyModel):
    """Shows models whose name/repo/format/quantisation contain every word typed, in the chosen
    formats and states; a group is shown while one of its models is (recursive filtering)."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()
        self._formats: frozenset[str] | None = None
        self._statuses: frozenset[Status] | None = None
        self.setFilterRole(roles.FILTER_ROLE)
        self.setFilterKeyColumn(0)
        self.setRecursiveFilteringEnabled(True)
        self.setDynamicSortFilter(True)  # a status change re-filters its row (in C++)
        self.setSortRole(roles.SORT_ROLE)

    def set_text(self, text: str) -> None:
        words = tuple(text.lower().split())
        if words != self._words:
            self._words = words
            self._apply()

    def set_formats(self, formats: Iterable[str] | None) -> None:
        self._formats = None if formats is None else frozenset(formats)
        self._apply()

    def set_statuses(self, statuses: Iterable[Status] | None) -> None:
        self._statuses = None if statuses is None else frozenset(statuses)
        self._apply()

    @property
    def filtering(self) -> bool:
        """Whether any row can be hidden (a word typed, a format or state chosen)."""
        return bool(self.pattern())

    def pattern(self) -> str:
        """The expression rows must match; empty when nothing is filtered."""
        sep = re.escape(FILTER_SEPARATOR)
        # Words only match the searchable text before the first separator, not the tags after it.
        parts = [f"(?=[^{sep}]*{re.escape(word)})" for word in self._words]
        if self._formats is not None:
            names = "|".join(re.escape(name) for name in sorted(self._formats)) or "(?!)"
            parts.append(f"(?=.*{sep}FMT=(?:{names}){sep})")
        if self._statuses is not None:
            names = "|".join(sorted(status.name for status in self._statuses)) or "(?!)"
            parts.append(f"(?=.*{sep}ST=(?:{names}){sep})")
        return "^" + "".join(parts) if parts else ""

    def _apply(self) -> None:
        self.setFilterRegularExpression(QtCore.QRegularExpression(self.pattern()))
