"""This computer's RAM and the fit rule the download picker shows per quantisation."""

from __future__ import annotations

import ctypes
import sys

import pytest

from hfgui.core.library import memory
from hfgui.core.library.memory import Fit, fit, memory_needed

GB = 1_000_000_000
RAM_16 = 16 * 2**30  # a "16 GB" machine as the system reports it


def test_the_need_is_the_weights_plus_a_share_and_a_base():
    assert memory_needed(0) == memory.OVERHEAD_BYTES
    assert memory_needed(10 * GB) == 11 * GB + memory.OVERHEAD_BYTES


@pytest.mark.parametrize(
    ("model_bytes", "expected"),
    [
        (4_370_000_000, Fit.FITS),  # a 7B Q4_K_M
        (7_700_000_000, Fit.FITS),  # a 7B Q8_0: about 55 % of the RAM
        (13_800_000_000, Fit.TIGHT),  # a 13B Q8_0: above 75 %, below all of it
        (42_500_000_000, Fit.TOO_BIG),  # a 70B Q4_K_M
    ],
)
def test_quantisations_of_a_16_gb_machine(model_bytes, expected):
    assert fit(model_bytes, RAM_16) is expected


def test_the_bounds_are_75_percent_and_all_of_the_ram():
    ram = 100 * GB
    at_75 = round((0.75 * ram - memory.OVERHEAD_BYTES) / 1.1)
    assert fit(at_75 - 10, ram) is Fit.FITS
    assert fit(at_75 + 10, ram) is Fit.TIGHT
    at_100 = round((ram - memory.OVERHEAD_BYTES) / 1.1)
    assert fit(at_100 - 10, ram) is Fit.TIGHT
    assert fit(at_100 + 10, ram) is Fit.TOO_BIG


@pytest.mark.parametrize("ram", [None, 0, -1])
def test_unknown_ram_gives_no_hint(ram):
    assert fit(GB, ram) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="compares with /proc/meminfo")
def test_total_ram_matches_the_kernel():
    with open("/proc/meminfo") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal:"))
    total = memory.total_ram()
    assert total is not None
    # sysconf counts every physical page; MemTotal leaves out what the kernel reserved at boot.
    assert kib * 1024 <= total <= kib * 1024 * 1.1


def test_sysconf_that_does_not_know_gives_none():
    def sysconf(name):
        raise ValueError(f"unrecognized configuration name {name}")

    assert memory._sysconf_total(sysconf) is None
    assert memory._sysconf_total(lambda name: -1) is None
    assert memory._sysconf_total({"SC_PHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}.get) == 4_096_000


class FakeKernel32:
    """Fills MEMORYSTATUSEX as Windows does, after checking the caller set dwLength."""

    def __init__(self, total: int, ok: bool = True) -> None:
        self.total, self.ok = total, ok

    def GlobalMemoryStatusEx(self, pointer) -> int:
        status = pointer._obj  # what ctypes.byref points at
        assert status.dwLength == ctypes.sizeof(status)
        status.ullTotalPhys = self.total
        return 1 if self.ok else 0


def test_windows_reads_global_memory_status():
    assert memory._windows_total(FakeKernel32(34_359_738_368)) == 34_359_738_368
    assert memory._windows_total(FakeKernel32(34_359_738_368, ok=False)) is None
