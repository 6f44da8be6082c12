"""What a repository offers, read on a worker without Qt: its files on the Hub and those already on this
computer, for the download picker of the Add model dialog and the Search tab. A person waits on these
reads, so they use a quick client: an unreachable Hub fails in seconds, not after the downloads' backoff."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import NamedTuple

from hfgui.core.library.catalog import ModelReference
from hfgui.core.library.installed_files import installed_paths
from hfgui.core.types import ModelInfo, TreeEntry
from hfgui.gui.services import Services

log = logging.getLogger(__name__)
# repo id -> the repository paths already on this computer; called on a worker thread.
InstalledFiles = Callable[[str], Collection[str]]


def installed_reader(services: Services) -> InstalledFiles:
    """What a picker marks as installed by default: the library's files and the Hugging Face cache's."""

    def read(repo_id: str) -> Collection[str]:
        try:
            return installed_paths(services.library_root, repo_id, services.hf_cache_dir)
        except OSError as exc:  # the marks are a courtesy: an unreadable library must not fail the listing
            log.warning("Could not read which files of %s are installed: %s", repo_id, exc)
            return frozenset()

    return read


class CheckedRepository(NamedTuple):
    info: ModelInfo
    files: list[TreeEntry]  # at the revision asked for
    installed: Collection[str]  # the repository paths already on this computer


def check_repository(
    services: Services, ref: ModelReference, installed_files: InstalledFiles
) -> CheckedRepository:
    """The repository's info and files at ``ref``'s revision, and which of them are installed."""
    client = services.make_client(quick=True)
    try:
        info = client.model_info(ref.repo_id, ref.revision)
        files = [e for e in client.list_tree(ref.repo_id, info.sha, recursive=True) if e.is_file]
    finally:
        client.close()
    return CheckedRepository(info, files, installed_files(info.repo_id))


def list_repository(
    services: Services, repo_id: str, installed_files: InstalledFiles
) -> tuple[tuple[TreeEntry, ...], Collection[str]]:
    """The files on the main branch, and which of them are installed."""
    client = services.make_client(quick=True)
    try:
        tree = tuple(e for e in client.iter_tree(repo_id, "main", recursive=True) if e.is_file)
    finally:
        client.close()
    return tree, installed_files(repo_id)
