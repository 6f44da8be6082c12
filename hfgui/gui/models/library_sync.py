"""Bring the rows in line with what the library scan found on disk: installed (and where, and how
big), damaged, a download begun, or gone."""

from __future__ import annotations

from collections.abc import Callable

from hfgui.gui.models.library_scan import LibraryState
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.rows import Status

DAMAGED_MESSAGE = "Some of its files are missing or damaged. Download (or Retry) fetches just those."


def apply_library_state(model: ModelsModel, state: LibraryState, is_active: Callable[[str], bool]) -> None:
    """Rows whose download runs are left to it; a row changes only when the scan says otherwise."""
    for row in model.states():
        key = row.entry.key
        if is_active(key):
            continue
        if key in state.installed:
            if row.size is None and key in state.entry_sizes:  # known without the Hub
                model.update(key, size=state.entry_sizes[key])
            where = state.elsewhere.get(key)
            location = where.source if where is not None else ""
            if row.status is not Status.INSTALLED or row.location != location or row.error:
                model.update(key, status=Status.INSTALLED, error=None, location=location)
        elif key in state.damaged:
            if row.status is not Status.FAILED or row.error != DAMAGED_MESSAGE:
                model.update(key, status=Status.FAILED, error=DAMAGED_MESSAGE, location="")
        elif key in state.incomplete and row.status in (Status.AVAILABLE, Status.INSTALLED):
            model.update(key, status=Status.PAUSED, location="")
        elif row.status is Status.INSTALLED or row.error == DAMAGED_MESSAGE:
            model.update(key, status=Status.AVAILABLE, location="", error=None)
