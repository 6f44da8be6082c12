"""A catalog entry: which files of which repository make up a model, checked against
resources/catalog.schema.md, and the files of a repository listing it selects."""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hfgui.core.errors import EntryNotFoundError, HfGuiError, InvalidRepoIdError
from hfgui.core.globs import matches
from hfgui.core.types import TreeEntry
from hfgui.core.wire.repo_id import validate_repo_id

FRAMEWORKS = ("coreml", "llama.cpp", "onnxruntime", "mlx", "transformers", "other")
FORMATS = ("mlpackage", "mlmodel", "zip", "gguf", "onnx", "mlx", "safetensors", "other")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,95}$")
_KNOWN_KEYS = frozenset(
    {
        "id",
        "name",
        "repo",
        "revision",
        "files",
        "folder",
        "include",
        "exclude",
        "framework",
        "format",
        "quantization",
        "context_length",
        "ram_min_gb",
        "ram_recommended_gb",
        "description",
    }
)


class CatalogError(HfGuiError):
    """A catalog entry or catalog file that does not follow resources/catalog.schema.md."""


@dataclass(frozen=True)
class CatalogEntry:
    """One downloadable model: which files of which repository make it up, and hints about running it."""

    id: str
    name: str
    repo: str
    framework: str
    format: str
    revision: str = "main"
    files: tuple[str, ...] = ()  # exactly one of files / folder / include selects the model's files
    folder: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    quantization: str | None = None
    context_length: int | None = None
    ram_min_gb: float | None = None
    ram_recommended_gb: float | None = None
    description: str = ""
    user_added: bool = False

    def patterns(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(include, exclude) globs, hub-protocol §6.3 semantics, selecting this entry's files in the repo."""
        if self.files:
            return tuple(glob.escape(path) for path in self.files), ()
        if self.folder is not None:
            return (f"{self.folder}/*",), ()
        return self.include, self.exclude

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (schema keys only; empty optional keys omitted)."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "repo": self.repo,
            "revision": self.revision,
        }
        if self.files:
            data["files"] = list(self.files)
        if self.folder is not None:
            data["folder"] = self.folder
        if self.include:
            data["include"] = list(self.include)
        if self.exclude:
            data["exclude"] = list(self.exclude)
        data["framework"] = self.framework
        data["format"] = self.format
        for key in ("quantization", "context_length", "ram_min_gb", "ram_recommended_gb"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.description:
            data["description"] = self.description
        return data


# --- validation -----------------------------------------------------------------------------------


def entry_from_dict(data: Any, *, where: str, user_added: bool = False) -> CatalogEntry:
    """Validate one JSON object against the schema; raises CatalogError naming the entry and the field."""
    if not isinstance(data, Mapping):
        raise CatalogError(f"{where}: a catalog entry must be a JSON object, got {type(data).__name__}.")
    label = f"{where} '{data['id']}'" if isinstance(data.get("id"), str) else where

    def fail(problem: str) -> CatalogError:
        return CatalogError(f"Catalog entry {label}: {problem}.", "See resources/catalog.schema.md.")

    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise fail(f"{'unknown keys' if len(unknown) > 1 else 'unknown key'} {', '.join(unknown)}")
    for key in ("id", "name", "repo", "framework", "format"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(f"'{key}' is required and must be a non-empty string")
    if not _ID_RE.match(data["id"]):
        raise fail("'id' must be lowercase letters, digits, '.', '_' or '-' (max 96 characters)")
    try:
        repo = validate_repo_id(data["repo"])
    except InvalidRepoIdError as exc:
        raise fail(f"'repo' is invalid: {exc.message}") from None
    revision = data.get("revision", "main")
    if not isinstance(revision, str) or not revision.strip():
        raise fail("'revision' must be a non-empty string")
    if data["framework"] not in FRAMEWORKS:
        raise fail(f"'framework' must be one of {', '.join(FRAMEWORKS)}")
    if data["format"] not in FORMATS:
        raise fail(f"'format' must be one of {', '.join(FORMATS)}")

    chosen = [key for key in ("files", "folder", "include") if key in data]
    if len(chosen) != 1:
        raise fail("exactly one of 'files', 'folder' or 'include' must say which files make up the model")
    files = _path_list(data.get("files", []), "files", fail)
    include = _path_list(data.get("include", []), "include", fail)
    exclude = _path_list(data.get("exclude", []), "exclude", fail)
    if exclude and "include" not in data:
        raise fail("'exclude' is only allowed together with 'include'")
    if (chosen == ["files"] and not files) or (chosen == ["include"] and not include):
        raise fail(f"'{chosen[0]}' must not be empty")
    folder = data.get("folder")
    if folder is not None:
        if not isinstance(folder, str) or not _is_repo_path(folder.rstrip("/")):
            raise fail("'folder' must be a relative path inside the repository")
        folder = folder.rstrip("/")
    for path in files:
        if not _is_repo_path(path):
            raise fail(f"file '{path}' must be a relative path inside the repository")

    quantization = data.get("quantization")
    if quantization is not None and not isinstance(quantization, str):
        raise fail("'quantization' must be a string or null")
    context_length = data.get("context_length")
    if context_length is not None and (
        not isinstance(context_length, int) or isinstance(context_length, bool) or context_length <= 0
    ):
        raise fail("'context_length' must be a positive integer or null")
    ram = {}
    for key in ("ram_min_gb", "ram_recommended_gb"):
        value = data.get(key)
        if value is not None and (
            not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0
        ):
            raise fail(f"'{key}' must be a non-negative number or null")
        ram[key] = value
    if ram["ram_min_gb"] is not None and ram["ram_recommended_gb"] is not None:
        if ram["ram_min_gb"] > ram["ram_recommended_gb"]:
            raise fail("'ram_min_gb' is larger than 'ram_recommended_gb'")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail("'description' must be a string")

    return CatalogEntry(
        id=data["id"],
        name=data["name"].strip(),
        repo=repo,
        framework=data["framework"],
        format=data["format"],
        revision=revision,
        files=files,
        folder=folder,
        include=include,
        exclude=exclude,
        quantization=quantization,
        context_length=context_length,
        ram_min_gb=ram["ram_min_gb"],
        ram_recommended_gb=ram["ram_recommended_gb"],
        description=description,
        user_added=user_added,
    )


def _path_list(value: Any, key: str, fail: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise fail(f"'{key}' must be a list of non-empty strings")
    return tuple(item.replace("\\", "/") for item in value)


def _is_repo_path(path: str) -> bool:
    parts = path.split("/")
    return (
        bool(path)
        and not path.startswith("/")
        and "\\" not in path
        and all(p not in ("", ".", "..") for p in parts)
    )


# --- selecting files ------------------------------------------------------------------------------


# hub-protocol §6.3: case-sensitive fnmatch, '*' crosses '/', a trailing '/' means the whole folder.
path_matches = matches


def select_files(entry: CatalogEntry, tree_entries: Iterable[TreeEntry]) -> list[TreeEntry]:
    """The files of a (recursive) tree listing that make up ``entry``, in listing order.

    Raises EntryNotFoundError when a listed file, the folder, or every pattern finds nothing, so a
    stale catalog entry is reported instead of downloading an incomplete model.
    """
    include, exclude = entry.patterns()
    files = [t for t in tree_entries if t.is_file]
    if entry.files:
        by_path = {t.path: t for t in files}
        missing = [p for p in entry.files if p not in by_path]
        if missing:
            raise EntryNotFoundError(entry.repo, missing[0], entry.revision)
        return [by_path[p] for p in dict.fromkeys(entry.files)]
    chosen = [t for t in files if path_matches(t.path, include, exclude)]
    if not chosen:
        raise EntryNotFoundError(entry.repo, entry.folder or ", ".join(include), entry.revision)
    return chosen
