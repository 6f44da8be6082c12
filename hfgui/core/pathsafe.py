"""Map a repository path from the server onto the local disk without ever leaving the target folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hfgui.core.errors import UnsafePathError

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_repo_path(repo_path: str) -> tuple[str, ...]:
    """Split a repository path into its parts, refusing anything that is not a plain relative path."""
    if not repo_path:
        raise UnsafePathError(repo_path, "the path is empty")
    if "\0" in repo_path:
        raise UnsafePathError(repo_path.replace("\0", "\\0"), "it contains a NUL character")
    if "\\" in repo_path:
        raise UnsafePathError(repo_path, "it contains a backslash")
    if repo_path.startswith("/"):
        raise UnsafePathError(repo_path, "it is an absolute path")
    parts = tuple(repo_path.split("/"))
    for part in parts:
        if part == "":
            raise UnsafePathError(repo_path, "it has an empty path segment")
        if part in (".", ".."):
            raise UnsafePathError(repo_path, f"it contains a '{part}' segment")
        # "C:" would make Windows treat the rest as drive-relative, escaping the folder.
        if _DRIVE.match(part):
            raise UnsafePathError(repo_path, "it contains a drive letter")
    return parts


def safe_join(root: Path, repo_path: str) -> Path:
    """`root / repo_path`, or UnsafePathError if the entry is hostile or would land outside `root`.

    Existing symlinks inside `root` are followed for the check, so a link pointing elsewhere cannot
    be used to write outside the folder.
    """
    parts = check_repo_path(repo_path)
    target = Path(root).joinpath(*parts)
    real_root = os.path.realpath(root)
    real_target = os.path.realpath(target)
    try:
        inside = os.path.commonpath([real_root, real_target]) == real_root and real_target != real_root
    except ValueError:  # different drives on Windows
        inside = False
    if not inside:
        raise UnsafePathError(repo_path, "it would be written outside the download folder")
    return target
