"""The model catalog: built-in entries from resources/catalog.json plus models the user added.

What one entry is lives in `catalog_entry`, how a pasted address names a model in `model_address`;
their names are gathered here too, where the window and the command line have always found them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from hfgui.core.library.catalog_entry import (
    FORMATS,
    FRAMEWORKS,
    CatalogEntry,
    CatalogError,
    entry_from_dict,
    path_matches,
    select_files,
)
from hfgui.core.library.model_address import ModelReference, parse_model_reference
from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.store.paths import AppPaths

__all__ = [
    "FORMATS",
    "FRAMEWORKS",
    "CatalogEntry",
    "CatalogError",
    "ModelReference",
    "add_user_model",
    "builtin_catalog_file",
    "entry_from_dict",
    "load_builtin_catalog",
    "load_catalog",
    "load_user_models",
    "parse_model_reference",
    "path_matches",
    "remove_user_model",
    "select_files",
]

log = logging.getLogger(__name__)


def builtin_catalog_file() -> Any:
    from hfgui import resources_dir

    return resources_dir() / "catalog.json"


def _entries_in(data: Any, source: str) -> list[Any]:
    """A catalog file is a JSON list of entries, or an object with a 'models' list (the built-in form)."""
    if isinstance(data, dict) and isinstance(data.get("models"), list):
        return data["models"]
    if isinstance(data, list):
        return data
    raise CatalogError(f"{source} must hold a JSON list of models (or {{'models': [...]}}).")


def load_builtin_catalog(path: Any = None) -> list[CatalogEntry]:
    """The catalog shipped with hfgui; any invalid entry is a bug, so it raises CatalogError."""
    path = builtin_catalog_file() if path is None else path
    try:
        data = read_json(path)
    except (OSError, ValueError) as exc:
        raise CatalogError(
            f"The built-in catalog {path} cannot be read: {exc}.", "Reinstall hfgui."
        ) from None
    entries = [entry_from_dict(raw, where=f"#{i + 1}") for i, raw in enumerate(_entries_in(data, str(path)))]
    _check_unique(entries, "built-in catalog")
    return entries


def _check_unique(entries: Iterable[CatalogEntry], source: str) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise CatalogError(f"Catalog entry '{entry.id}' appears twice in the {source}.")
        seen.add(entry.id)


def _read_user_raw(paths: AppPaths) -> list[Any]:
    path = paths.user_catalog_file
    try:
        data = read_json(path)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise CatalogError(
            f"Your model list {path} cannot be read ({exc}).",
            "Fix or move the file aside; hfgui will not overwrite it.",
        ) from None
    return list(_entries_in(data, str(path)))


def load_user_models(paths: AppPaths, warnings: list[str] | None = None) -> list[CatalogEntry]:
    """User-added models; invalid ones are skipped with a warning but stay in the file untouched."""
    entries = []
    for i, raw in enumerate(_read_user_raw(paths)):
        try:
            entries.append(entry_from_dict(raw, where=f"user model #{i + 1}", user_added=True))
        except CatalogError as exc:
            _warn(warnings, f"{exc} (skipped; the entry is kept in {paths.user_catalog_file})")
    return entries


def load_catalog(
    paths: AppPaths, warnings: list[str] | None = None, *, builtin_file: Any = None
) -> list[CatalogEntry]:
    """Built-in entries followed by user-added ones; a user entry reusing a built-in id is skipped."""
    entries = load_builtin_catalog(builtin_file)
    taken = {entry.id for entry in entries}
    for entry in load_user_models(paths, warnings):
        if entry.id in taken:
            _warn(warnings, f"User model '{entry.id}' has the same id as another catalog entry; skipped.")
            continue
        taken.add(entry.id)
        entries.append(entry)
    return entries


def add_user_model(paths: AppPaths, entry: CatalogEntry, *, builtin_file: Any = None) -> CatalogEntry:
    """Validate and append ``entry`` to the user's model list (atomic write); returns the stored entry."""
    stored = entry_from_dict(entry.to_dict(), where="new model", user_added=True)
    if any(e.id == stored.id for e in load_builtin_catalog(builtin_file)):
        raise CatalogError(f"A built-in model already has the id '{stored.id}'.", "Choose another id.")
    raw = _read_user_raw(paths)
    if any(isinstance(item, Mapping) and item.get("id") == stored.id for item in raw):
        raise CatalogError(f"You already added a model with the id '{stored.id}'.", "Choose another id.")
    raw.append(stored.to_dict())
    write_json_atomic(paths.user_catalog_file, raw)
    return stored


def remove_user_model(paths: AppPaths, model_id: str) -> bool:
    """Remove a user-added model by id; returns False when there was none (built-ins cannot be removed)."""
    raw = _read_user_raw(paths)
    kept = [item for item in raw if not (isinstance(item, Mapping) and item.get("id") == model_id)]
    if len(kept) == len(raw):
        return False
    write_json_atomic(paths.user_catalog_file, kept)
    return True


def _warn(warnings: list[str] | None, message: str) -> None:
    log.warning("%s", message)
    if warnings is not None:
        warnings.append(message)
