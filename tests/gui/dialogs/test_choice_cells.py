"""How a download item reads in the picker's cells."""

from __future__ import annotations

from hfgui.gui.dialogs.choice_cells import size_cell


def test_an_unknown_size_is_a_dash():
    assert size_cell(None) == "—" and size_cell(-1) == "—"
    assert size_cell(0) == "0 B" and size_cell(1_500_000) == "1.5 MB"
