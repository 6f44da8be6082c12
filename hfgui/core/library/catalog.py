"""The model catalog: built-in entries from resources/catalog.json plus models the user added."""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from hfgui.core.errors import EntryNotFoundError, HfGuiError, InvalidRepoIdError
from hfgui.core.globs import matches
from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.store.paths import AppPaths
from hfgui.core.types import TreeEntry

log = logging.getLogger(__name__)

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


# --- validation ----------------------------------------------------------------------------------


def entry_from_dict(data: Any, *, where: str, user_added: bool = False) -> CatalogEntry:
    """Validate one JSON object against the schema; raises CatalogError naming the entry and the field."""
    if not isinstance(data, Mapping):
        raise CatalogError(f"{where}: a catalog entry must be a JSON object, got {type(data).__name__}.")
    label = f"{where} '{data['id']}'" if isinstance(data.get("id"), str) else where

    def fail(problem: str) -> CatalogError:
        return CatalogError(f"Catalog entry {label}: {problem}.", "See resources/catalog.schema.md.")

    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)}")
    for key in ("id", "name", "repo", "framework", "format"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(f"'{key}' is required and must be a non-empty string")
    if not _ID_RE.match(data["id"]):
        raise fail("'id' must be lowercase letters, digits, '.', '_' or '-' (max 96 characters)")
    from hfgui.core.wire.repo_id import validate_repo_id

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


# --- loading and the user's own models -------------------------------------------------------------


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


# --- selecting files ----------------------------------------------------------------------------


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


# --- model references ----------------------------------------------------------------------------

_HUB_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
_FILE_KINDS = ("tree", "blob", "resolve")


class ModelReference(NamedTuple):
    repo_id: str
    revision: str
    path: str | None


def parse_model_reference(text: str, endpoint: str | None = None) -> ModelReference:
    """Understand what people paste: an id, a Hub page/file URL or an hf:// address.

    Accepts ``owner/name``, ``https://huggingface.co/owner/name`` (also hf.co and the configured
    endpoint's host), ``…/tree/<rev>[/<dir>]``, ``…/blob/<rev>/<path>``, ``…/resolve/<rev>/<path>``
    and ``hf://[models/]owner/name[@rev][/path]``. Raises InvalidRepoIdError before any request.
    """
    from hfgui.core.wire.repo_id import validate_repo_id

    raw = text.strip()
    if not raw:
        raise InvalidRepoIdError(text, "it is empty")
    if raw.startswith("hf://"):
        return _parse_hf_uri(raw, validate_repo_id)
    if "://" not in raw:
        return ModelReference(validate_repo_id(raw.strip("/")), "main", None)

    parts = urlsplit(raw)
    hosts = set(_HUB_HOSTS)
    if endpoint:
        hosts.add(urlsplit(endpoint).netloc.lower())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
        raise InvalidRepoIdError(raw, "not a Hugging Face model address")
    segments = _model_segments(raw, parts.path)
    repo_id = validate_repo_id(f"{segments[0]}/{segments[1]}")
    rest = segments[2:]
    if not rest:
        return ModelReference(repo_id, "main", None)
    if rest[0] not in _FILE_KINDS or len(rest) < 2:
        raise InvalidRepoIdError(raw, "expected …/tree/, …/blob/ or …/resolve/ after the model name")
    kind, revision, path_parts = rest[0], unquote(rest[1]), rest[2:]
    path = unquote("/".join(path_parts)) or None
    if kind != "tree" and path is None:
        raise InvalidRepoIdError(raw, f"a /{kind}/ address must end with a file path")
    return ModelReference(repo_id, revision, path)


def _model_segments(raw: str, path: str) -> list[str]:
    """`owner/name/...` path segments of a model address (an optional `models/` prefix dropped)."""
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in ("datasets", "spaces"):
        raise InvalidRepoIdError(
            raw, f"{segments[0]} are not models; only model repositories can be downloaded"
        )
    if segments and segments[0] == "models":
        segments = segments[1:]
    if len(segments) < 2:
        raise InvalidRepoIdError(raw, "the address does not name a model")
    return segments


def _parse_hf_uri(raw: str, validate: Any) -> ModelReference:
    segments = _model_segments(raw, raw[len("hf://") :])
    name, _, revision = segments[1].partition("@")
    repo_id = validate(f"{segments[0]}/{name}")
    path = unquote("/".join(segments[2:])) or None
    return ModelReference(repo_id, unquote(revision) or "main", path)
