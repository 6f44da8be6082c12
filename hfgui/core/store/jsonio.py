"""Read and atomically write the small JSON files hfgui keeps (settings, user catalog, size cache)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json_atomic(path: Path, data: Any, *, durable: bool = True) -> None:
    """Write ``data`` as JSON so that readers see either the old file or the new one, never half of it.

    ``durable=False`` skips the fsync, for bookkeeping whose loss after a power cut costs only time
    (a resume sidecar: without it the partial is simply fetched again).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2 if durable else None, ensure_ascii=False)
            handle.write("\n")
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def read_json(path: Path) -> Any:
    """Parse a UTF-8 JSON file; raises FileNotFoundError, OSError or ValueError (bad JSON)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
