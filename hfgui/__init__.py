"""hfgui: a desktop model manager for the Hugging Face Hub."""

from __future__ import annotations

import sys
from pathlib import Path

__version__ = "0.1.0"


def resources_dir() -> Path:
    """Return the folder holding catalog.json and icons.

    Works from a wheel (resources copied into the package), from a source checkout or
    editable install (resources/ beside the package), and from a PyInstaller bundle.
    """
    here = Path(__file__).resolve().parent
    candidates = [here / "resources", here.parent / "resources"]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "resources")
    for candidate in candidates:
        if (candidate / "catalog.json").is_file():
            return candidate
    raise FileNotFoundError(
        "hfgui resources not found (looked in: "
        + ", ".join(str(c) for c in candidates)
        + "); reinstall hfgui."
    )
