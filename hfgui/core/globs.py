"""File selection globs as huggingface_hub applies allow/ignore patterns (hub-protocol §6.3)."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase


def normalize_pattern(pattern: str) -> str:
    """`\\` read as `/` (typed on Windows); a trailing `/` takes the whole folder."""
    pattern = pattern.replace("\\", "/")
    return pattern + "*" if pattern.endswith("/") else pattern


def matches(path: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> bool:
    """Case-sensitive fnmatch where `*` crosses `/`; an empty `include` selects everything."""
    path = path.replace("\\", "/")
    if include and not any(fnmatchcase(path, normalize_pattern(p)) for p in include):
        return False
    return not any(fnmatchcase(path, normalize_pattern(p)) for p in exclude)
