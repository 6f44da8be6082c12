"""Map a repository path from the server onto the local disk without ever leaving the target folder."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
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


def case_collisions(repo_paths: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of paths that would be one file on a disk that ignores case (macOS, Windows by default).

    Two files ("Model.bin", "model.bin"), or a file and a folder ("tokenizer", "Tokenizer/vocab.json"),
    compared after Unicode normalisation (macOS stores names decomposed) and case folding. Folders
    that differ only in case just merge there, which loses nothing, so they are not reported.
    """
    files: dict[str, str] = {}  # folded path -> the file path that claimed it
    folders: dict[str, str] = {}  # folded path -> the folder path that claimed it
    found: list[tuple[str, str]] = []
    for path in sorted(repo_paths):
        key = _fold(path)
        other = files.get(key) or folders.get(key)
        if other is not None and other != path:
            found.append((other, path))
            continue
        files.setdefault(key, path)
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            clash = files.get(_fold(folder))
            if clash is not None and clash != folder:
                found.append((clash, path))
                break
            folders.setdefault(_fold(folder), folder)
    return found


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def folder_ignores_case(directory: Path) -> bool:
    """Whether names in `directory` (or its nearest existing parent) ignore case, probed with a temp file."""
    existing = Path(directory)
    while not existing.is_dir() and existing != existing.parent:
        existing = existing.parent
    try:
        fd, probe = tempfile.mkstemp(prefix=".hfgui-CaseProbe-", dir=existing)
    except OSError:  # read-only: assume the platform's default
        return sys.platform in ("darwin", "win32")
    os.close(fd)
    try:
        name = os.path.basename(probe)
        return os.path.exists(os.path.join(existing, name.swapcase()))
    finally:
        os.unlink(probe)
