"""Which files of a listing a download takes: its globs, a folder named as a folder, and what an earlier
download into the same folder already holds."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence

from hfgui.core.globs import matches
from hfgui.core.store.manifest import Manifest
from hfgui.core.types import TreeEntry

_GLOB_CHARS = frozenset("*?[")


def expand_directory_includes(include: Sequence[str], directories: Iterable[str]) -> tuple[str, ...]:
    """Let a plain folder name select the folder (`X.mlpackage` means `X.mlpackage/`).

    huggingface_hub would match nothing for such a pattern, so this only widens patterns that were empty.
    """
    dirs = {d.rstrip("/") for d in directories}
    out: list[str] = []
    for pattern in include:
        out.append(pattern)
        bare = pattern.rstrip("/")
        if not (_GLOB_CHARS & set(pattern)) and bare in dirs and not pattern.endswith("/"):
            out.append(bare + "/")
    return tuple(out)


def select_files(
    entries: Iterable[TreeEntry], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[TreeEntry]:
    entries = list(entries)
    include = expand_directory_includes(include, (e.path for e in entries if not e.is_file))
    return [e for e in entries if e.is_file and matches(e.path, include, exclude)]


def widen_to_installed(
    manifest: Manifest,
    entries: list[TreeEntry],
    selected: list[TreeEntry],
    include: Sequence[str],
    exclude: Sequence[str],
) -> tuple[list[TreeEntry], tuple[str, ...], tuple[str, ...]]:
    """The new selection (made by `include` and `exclude`) plus what the folder's manifest already holds,
    and the globs that record both.

    With the same exclusions the globs of both are kept (an update still picks up new matching files);
    with different ones no pair of glob lists says exactly "either selection", so the files themselves
    are recorded.
    """
    if manifest.include is None:  # an older manifest: its files are the selection
        installed = {f.path for f in manifest.files}
        earlier = [e for e in entries if e.is_file and e.path in installed]
        old_include: tuple[str, ...] = tuple(sorted(glob.escape(p) for p in installed))
        old_exclude: tuple[str, ...] = ()
    else:
        earlier = select_files(entries, manifest.include, manifest.exclude)
        old_include, old_exclude = manifest.include, manifest.exclude
    chosen = {e.path for e in selected}
    widened = selected + [e for e in earlier if e.path not in chosen]
    if set(exclude) != set(old_exclude):
        return widened, tuple(sorted(glob.escape(e.path) for e in widened)), ()
    if not include or not old_include:  # one of them is the whole repository
        return widened, (), tuple(exclude)
    return widened, tuple(dict.fromkeys(old_include + tuple(include))), tuple(exclude)
