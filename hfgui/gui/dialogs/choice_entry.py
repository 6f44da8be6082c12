"""A download choice as a catalog entry, without Qt: the entry selecting exactly the chosen files, and the
entry or row already listed that selects the same."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hfgui.core.library.catalog import CatalogEntry, add_user_model, load_catalog, path_matches
from hfgui.core.library.grouping import DownloadItem
from hfgui.core.store.paths import AppPaths
from hfgui.gui.dialogs.choice_rules import paths_of
from hfgui.gui.models.entries import guess_kind, model_entry, new_entry_id
from hfgui.gui.models.rows import ModelEntry

_BUNDLE_KINDS = ("mlpackage", "mlmodelc")


def entry_for_choice(
    repo_id: str,
    chosen: Sequence[DownloadItem],
    *,
    revision: str = "main",
    tags: Iterable[str] = (),
    name: str = "",
    taken_ids: Iterable[str] = (),
) -> CatalogEntry:
    """A catalog entry whose patterns select exactly the chosen items' files.

    One bundle (``.mlpackage``) becomes a ``folder`` entry, "Whole repository" an ``include: ["*"]``
    entry, anything else the explicit file list.
    """
    if not chosen:
        raise ValueError("nothing chosen")
    paths = paths_of(chosen)
    kinds = {item.kind for item in chosen}
    framework, fmt = _kind_of(kinds, paths, repo_id, tuple(tags))
    # The quant names the entry: a GGUF quant's wins over a vision projector's or an ONNX variant's.
    named = [i for i in chosen if i.kind == "gguf-quant"] or list(chosen)
    quants = list(dict.fromkeys(i.quantization for i in named if i.quantization))
    quant = quants[0] if len(quants) == 1 else ""
    base = name.strip() or repo_id.split("/", 1)[1]
    selection: dict = {"files": tuple(paths)}
    if len(chosen) == 1 and chosen[0].kind in _BUNDLE_KINDS:
        selection = {"folder": chosen[0].label}
    elif "repo" in kinds:
        selection = {"include": ("*",)}
    return CatalogEntry(
        id=new_entry_id(repo_id, quant, taken_ids),
        name=base + (f" {quant}" if quant and quant not in base else ""),
        repo=repo_id,
        framework=framework,
        format=fmt,
        revision=revision,
        quantization=quant or None,
        **selection,
    )


def _kind_of(kinds: set[str], paths: list[str], repo_id: str, tags: tuple[str, ...]) -> tuple[str, str]:
    if "gguf-quant" in kinds:
        return "llama.cpp", "gguf"
    if "mlpackage" in kinds:
        return "coreml", "mlpackage"
    if "mlmodelc" in kinds:
        return "coreml", "mlmodel"
    if "mlx" in kinds:
        return "mlx", "mlx"
    if "onnx" in kinds:
        return "onnxruntime", "onnx"
    return guess_kind(paths, repo_id, tags)


def store_choice(
    paths: AppPaths,
    repo_id: str,
    chosen: Sequence[DownloadItem],
    *,
    tags: Iterable[str] = (),
    builtin_file: Path | None = None,
) -> CatalogEntry:
    """The catalog entry for this choice on the default revision: the catalog's own when one already
    selects the same files (no duplicate), else a new one saved in the user's model list. Blocks on disk."""
    catalog = load_catalog(paths, builtin_file=builtin_file)
    entry = entry_for_choice(repo_id, chosen, tags=tags, taken_ids=[e.id for e in catalog])
    same = next((e for e in catalog if _same_selection(e, entry)), None)
    return same if same is not None else add_user_model(paths, entry, builtin_file=builtin_file)


def _same_selection(a: CatalogEntry, b: CatalogEntry) -> bool:
    return (a.repo, a.revision, a.patterns()) == (b.repo, b.revision, b.patterns())


def listed_as(
    entry: CatalogEntry, rows: Iterable[ModelEntry], repo_paths: Iterable[str]
) -> ModelEntry | None:
    """The row among ``rows`` that selects exactly the files of ``repo_paths`` this entry would."""
    new = model_entry(entry)
    repo_paths = list(repo_paths)

    def selected(row: ModelEntry) -> set[str]:
        return {p for p in repo_paths if path_matches(p, row.include, row.exclude)}

    wanted = selected(new)
    for row in rows:
        if row.repo_id.lower() == new.repo_id.lower() and selected(row) == wanted:
            return row
    return None
