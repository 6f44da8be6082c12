"""The library's index of `--dest` folders: downloads made outside the library stay known to it.

`<library>/.hfgui-destinations.json` lists each folder a `--dest` download went into (with its model), so
`hfgui list` can show those models, marked as outside the library, and `hfgui partials` the staging they
leave behind. Folders that are gone are skipped, never an error.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.store.jsonio import read_json, write_json_atomic

INDEX_NAME = ".hfgui-destinations.json"
INDEX_FORMAT = 1
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Destination:
    path: Path  # absolute
    repo_id: str


def index_file(library_root: Path) -> Path:
    return Path(library_root) / INDEX_NAME


def read_index(library_root: Path) -> list[Destination]:
    """Every recorded folder (present or not); an unreadable index reads as empty."""
    try:
        data = read_json(index_file(library_root))
        return [Destination(Path(str(d["path"])), str(d["repo"])) for d in data["folders"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("Ignoring the unreadable list of --dest folders %s (%s)", index_file(library_root), exc)
        return []


def known_destinations(library_root: Path) -> list[Destination]:
    """The recorded folders that still exist."""
    return [d for d in read_index(library_root) if d.path.is_dir()]


def remember(library_root: Path, folder: Path, repo_id: str) -> None:
    """Add `folder` (made absolute) to the index; a library that cannot be written only loses the record."""
    entry = Destination(Path(folder).expanduser().absolute(), repo_id)
    current = read_index(library_root)
    if entry in current:
        return
    kept = [d for d in current if d.path != entry.path] + [entry]
    data = {"format": INDEX_FORMAT, "folders": [{"path": str(d.path), "repo": d.repo_id} for d in kept]}
    with contextlib.suppress(OSError):
        write_json_atomic(index_file(library_root), data)
