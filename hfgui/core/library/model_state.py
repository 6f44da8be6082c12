"""How the library describes a model it lists: where it lives, its install state, and its size."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

# Where a listed model lives (InstalledModel.source).
SOURCE_LIBRARY = "library"
SOURCE_HF_CACHE = "hf-cache"
SOURCE_REFERENCE = "reference"
SOURCE_DEST = "dest"  # downloaded with --dest into a folder outside the library (see destinations.py)


class InstallState(enum.Enum):
    INSTALLED = "installed"
    INCOMPLETE = "incomplete"  # a download started and has not finished (resume it)
    MISSING_FILES = "missing-files"  # installed once, files since removed or resized
    DAMAGED = "damaged"  # installed, but a check found files whose content no longer matches
    REFERENCED = "referenced"  # imported by reference: the files stay where the user keeps them


@dataclass(frozen=True)
class InstalledModel:
    repo_id: str
    commit: str | None
    revision: str | None
    root: Path
    size: int  # bytes: the manifest total when installed, bytes on disk otherwise
    file_count: int
    state: InstallState
    source: str = SOURCE_LIBRARY  # "library", "hf-cache" (huggingface_hub's cache), "reference" or "dest"
    model_format: str | None = None  # known for imported models (gguf, mlpackage, onnx, mlx, safetensors)


def file_size(path: Path, missing: int = 0) -> int:
    """A file's size on disk, or `missing` when it cannot be read: states compare it with the records."""
    try:
        return path.stat().st_size
    except OSError:
        return missing
