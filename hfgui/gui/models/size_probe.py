"""Per catalog entry, on a worker: its download size (tree listing, via the size cache) and whether
its license still has to be accepted (a HEAD on one file of a gated repo)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from hfgui.core.catalog import CatalogEntry, select_files
from hfgui.core.errors import GatedRepoError, InvalidTokenError
from hfgui.core.sizes import EntrySize, SizeCache


@dataclass(frozen=True)
class EntryProbe:
    size: EntrySize
    gated: GatedRepoError | None = None  # set when the files cannot be fetched until the license is accepted
    token_rejected: InvalidTokenError | None = None  # the token was refused; this probe went without it


def probe_entry(client, entry: CatalogEntry, cache: SizeCache | None) -> EntryProbe:
    """Raises the client's HfGuiError (not found / private, network, rate limited…).

    A token the Hub rejects fails even public requests: then the probe asks again without it, so the
    public models still show their sizes (the rejected token is reported once, by the window).
    """
    try:
        return _probe(client, entry, cache)
    except InvalidTokenError as rejected:
        return dataclasses.replace(_probe(client.anonymous(), entry, cache), token_rejected=rejected)


def _probe(client, entry: CatalogEntry, cache: SizeCache | None) -> EntryProbe:
    info = client.model_info(entry.repo, revision=entry.revision)
    size = cache.get(entry, info.sha) if cache is not None else None
    first_file: str | None = None
    if size is None or info.gated:
        files = select_files(entry, client.iter_tree(entry.repo, revision=info.sha, recursive=True))
        first_file = files[0].path if files else None
        if size is None:
            size = EntrySize(sum(f.size for f in files), len(files), info.sha)
            if cache is not None:
                cache.put(entry, size)
    gated = None
    if info.gated and first_file is not None:
        try:
            client.file_metadata(entry.repo, first_file, info.sha)
        except GatedRepoError as exc:
            gated = exc
    return EntryProbe(size, gated)
