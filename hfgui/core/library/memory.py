"""This computer's memory, and whether a model of a given size fits in it (the hint the download
picker shows per quantisation, as LM Studio does)."""

from __future__ import annotations

import ctypes
import enum
import os
import sys
from typing import Any

# What a runtime needs beside the weights: a context (KV) cache and compute buffers that grow with the
# model, plus a fixed base. A rough rule on purpose: it only has to sort quantisations into three bins.
OVERHEAD_SHARE = 0.10
OVERHEAD_BYTES = 1_000_000_000
# Past this share of the RAM the rest of the system (desktop, browser) starts to be squeezed.
TIGHT_SHARE = 0.75


class Fit(enum.Enum):
    FITS = "fits"
    TIGHT = "tight"
    TOO_BIG = "too big"


def memory_needed(model_bytes: int) -> int:
    """Bytes of RAM running a model of ``model_bytes`` takes, roughly."""
    return round(model_bytes * (1 + OVERHEAD_SHARE)) + OVERHEAD_BYTES


def fit(model_bytes: int, ram_bytes: int | None) -> Fit | None:
    """FITS up to 75 % of the RAM, TIGHT up to all of it, TOO_BIG beyond; None when the RAM is unknown."""
    if not ram_bytes or ram_bytes <= 0:
        return None
    need = memory_needed(model_bytes)
    if need <= ram_bytes * TIGHT_SHARE:
        return Fit.FITS
    if need <= ram_bytes:
        return Fit.TIGHT
    return Fit.TOO_BIG


def total_ram() -> int | None:
    """Physical memory in bytes, or None when the system does not say."""
    try:
        if sys.platform == "win32":
            return _windows_total(ctypes.windll.kernel32)  # type: ignore[attr-defined]
        return _sysconf_total(os.sysconf) or (_darwin_total() if sys.platform == "darwin" else None)
    except (OSError, ValueError, AttributeError):
        return None


def _sysconf_total(sysconf: Any) -> int | None:
    """Pages × page size (Linux, macOS, the BSDs)."""
    try:
        pages, page_size = sysconf("SC_PHYS_PAGES"), sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def _darwin_total() -> int | None:
    """``hw.memsize``, for macOS versions whose sysconf lacks SC_PHYS_PAGES."""
    libc = ctypes.CDLL(None)
    value = ctypes.c_uint64(0)
    size = ctypes.c_size_t(ctypes.sizeof(value))
    if libc.sysctlbyname(b"hw.memsize", ctypes.byref(value), ctypes.byref(size), None, 0) != 0:
        return None
    return value.value or None


class _MemoryStatusEx(ctypes.Structure):
    _fields_ = [
        ("dwLength", ctypes.c_ulong),
        ("dwMemoryLoad", ctypes.c_ulong),
        ("ullTotalPhys", ctypes.c_ulonglong),
        ("ullAvailPhys", ctypes.c_ulonglong),
        ("ullTotalPageFile", ctypes.c_ulonglong),
        ("ullAvailPageFile", ctypes.c_ulonglong),
        ("ullTotalVirtual", ctypes.c_ulonglong),
        ("ullAvailVirtual", ctypes.c_ulonglong),
        ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
    ]


def _windows_total(kernel32: Any) -> int | None:
    """``GlobalMemoryStatusEx`` (``kernel32`` is passed in so tests can stand in for it)."""
    status = _MemoryStatusEx()
    status.dwLength = ctypes.sizeof(_MemoryStatusEx)
    if not kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.ullTotalPhys) or None
