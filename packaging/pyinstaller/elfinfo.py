"""Facts about ELF files read with binutils' `readelf`: needed libraries, run paths, symbol version needs.

Standard library only (the post-build check and the tests run it under any interpreter).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


def is_elf(path: Path) -> bool:
    if not path.is_file() or path.is_symlink():
        return False
    with path.open("rb") as f:
        return f.read(4) == ELF_MAGIC


def elf_files(root: Path) -> Iterator[Path]:
    """Every regular ELF file under root (symlinks are skipped: their targets are listed themselves)."""
    for path in sorted(root.rglob("*")):
        if is_elf(path):
            yield path


def _readelf(*args: str) -> str:
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True, check=True).stdout


def needed(path: Path) -> list[str]:
    """The DT_NEEDED sonames."""
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", _readelf("-d", str(path)))


def run_paths(path: Path) -> list[str]:
    """The entries of DT_RPATH and DT_RUNPATH, in order."""
    entries: list[str] = []
    dynamic = _readelf("-d", str(path))
    for value in re.findall(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", dynamic):
        entries += [entry for entry in value.split(":") if entry]
    return entries


def uses_rpath(path: Path) -> bool:
    """True for the old DT_RPATH tag (searched for dependencies of dependencies too), False for DT_RUNPATH."""
    return "(RPATH)" in _readelf("-d", str(path))


def version_needs(path: Path) -> dict[str, set[str]]:
    """Symbol versions the file needs, per library: {"libc.so.6": {"GLIBC_2.2.5", "GLIBC_2.34"}, ...}."""
    needs: dict[str, set[str]] = {}
    current = None
    section = _readelf("-V", str(path)).partition("Version needs section")[2]
    for line in section.splitlines():
        file_match = re.search(r"File: (\S+)", line)
        if file_match:
            current = needs.setdefault(file_match.group(1), set())
            continue
        name_match = re.search(r"Name: (\S+)", line)
        if name_match and current is not None:
            current.add(name_match.group(1))
    return needs


def version_key(version: str) -> tuple[int, ...]:
    """`GLIBC_2.35` -> (2, 35), for comparing versions of one family (GLIBC, GLIBCXX, CXXABI, ...)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.partition("_")[2]))
