"""The installed Qt binding must keep Python's reference counts intact.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on every Qt call that returns nothing;
a long session then aborts with "Fatal Python error: none_dealloc". pyproject.toml excludes that release;
this test fails if a binding with the same defect is installed.
"""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets


def test_void_qt_calls_do_not_leak_references_to_none(qapp) -> None:
    label = QtWidgets.QLabel()
    timer = QtCore.QTimer()
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        timer.setInterval(5)
    after = sys.getrefcount(None)
    # Other threads may take or drop a few references meanwhile; a defective binding drops 4,000.
    assert after - before > -500, f"None lost {before - after} references in 4,000 Qt calls"
