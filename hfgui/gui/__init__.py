"""The desktop window (PySide6). Importing this package first protects CPython 3.11 from a PySide6 bug.

PySide6/shiboken 6.12 returns None (and sometimes True/False) from methods without taking a reference,
which is harmless on Python >= 3.12 where those objects are immortal, but on 3.11 every call such as
`QLabel.setText()` drops one reference to None: after a few thousand calls the interpreter aborts with
"Fatal Python error: none_dealloc" (or "bool_dealloc"). Pinning a huge reference count on these
singletons makes them immortal in practice, as they are on 3.12.
"""

from __future__ import annotations

import ctypes
import sys

_PIN = 1 << 40  # far more references than any run can drop


def _pin_singletons() -> None:
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    if hasattr(sys, "gettotalrefcount"):  # debug build: the object header has extra fields
        return
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < _PIN:
            count.value += _PIN


_pin_singletons()
