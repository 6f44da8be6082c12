"""Custom item-data roles shared by the window's item models, their proxies and delegates."""

from __future__ import annotations

from PySide6 import QtCore

_USER = int(QtCore.Qt.ItemDataRole.UserRole)

STATE_ROLE = _USER + 1  # the row's RowState / FileProgress object
KEY_ROLE = _USER + 2  # stable key of the row (model key or file path)
PROGRESS_ROLE = _USER + 3  # int permille 0–1000, or None when the cell shows no bar
SORT_ROLE = _USER + 4  # value to sort by (ints for sizes, never display text)
IS_GROUP_ROLE = _USER + 5  # True on a group header row of the models tree
FILTER_ROLE = _USER + 6  # text the models filter matches (models_model._filter_key)
ORDER_ROLE = _USER + 7  # files table: files in progress first, then plan order (see files_model)
