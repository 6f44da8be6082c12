"""Add a model that is already on disk to the library: copied in (and verified), or referenced in place.

A copy goes to `<library>/<owner>/<name>/` (`local/<name>` without a Hub id) through a staging folder,
hashed with sha256 while it is written and re-read once to verify it, then renamed into place with a
manifest whose etags are those sha256 digests, so `hfgui check` works on it like on any download.
A reference is a small JSON record (see `Library.add_reference`); hfgui never writes to or deletes
the referenced files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.engine.diskspace import ensure_space
from hfgui.core.engine.planner import check_entry_path
from hfgui.core.errors import DownloadCancelledError, HfGuiError
from hfgui.core.library.grouping import repo_format
from hfgui.core.library.installed import Library
from hfgui.core.library.references import Reference
from hfgui.core.store.manifest import LOCAL_COMMIT, LOCAL_OWNER, Manifest, ManifestFile, write_manifest
from hfgui.core.wire.repo_id import validate_repo_id

FORMATS = ("gguf", "mlpackage", "onnx", "mlx", "safetensors", "coreml", "other")
GGUF_MAGIC = b"GGUF"
CHUNK = 4 * 1024 * 1024
_SKIPPED_DIRS = frozenset({".git", ".hfgui", ".hfgui-staging", ".cache", "__pycache__"})
_SKIPPED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

MODE_COPY = "copy"
MODE_REFERENCE = "reference"


@dataclass(frozen=True)
class ImportResult:
    repo_id: str
    mode: str  # "copy" or "reference"
    path: Path  # the library copy, or the referenced file/folder
    model_format: str
    files: tuple[ManifestFile, ...]  # etag: sha256 for copies, "" for references (not hashed)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


# --- what is it? -------------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """gguf, mlpackage, onnx, mlx, safetensors, coreml or other; HfGuiError for a file that lies about it."""
    path = Path(path)
    if path.is_file():
        return _file_format(path)
    if not path.is_dir():
        raise _not_found(path)
    if path.suffix.lower() == ".mlpackage":
        if not (path / "Manifest.json").is_file():
            raise HfGuiError(
                f"'{path}' has no Manifest.json, so it is not a complete Core ML package.",
                "Import the whole .mlpackage folder as it was downloaded or exported.",
            )
        return "mlpackage"
    files = [p for p in _walk(path)]
    names = [p.name.lower() for p in files]
    if any(p.suffix.lower() == ".mlpackage" and (p / "Manifest.json").is_file() for p in path.iterdir()):
        return "mlpackage"
    if (path / "Manifest.json").is_file() and (path / "Data").is_dir():
        return "mlpackage"  # an unpacked package whose folder lost its suffix
    for candidate in (p for p in files if p.suffix.lower() == ".gguf"):
        _check_gguf(candidate)
    # The rule the Models tab follows for the same files on the Hub (grouping.repo_format).
    weights = any(n.endswith((".safetensors", ".npz")) for n in names)
    mlx = weights and (path / "config.json").is_file() and _looks_like_mlx(path, names)
    fmt = repo_format((p.relative_to(path).as_posix() for p in files), mlx=mlx)
    return "coreml" if fmt == "mlmodel" else fmt


def _file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".gguf":
        _check_gguf(path)
        return "gguf"
    if _magic(path) == GGUF_MAGIC:
        return "gguf"
    return {".onnx": "onnx", ".safetensors": "safetensors", ".mlmodel": "coreml"}.get(suffix, "other")


def _magic(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(4)
    except OSError:
        return b""


def _check_gguf(path: Path) -> None:
    if _magic(path) != GGUF_MAGIC:
        raise HfGuiError(
            f"'{path}' is named .gguf but is not a GGUF file (it does not start with 'GGUF').",
            "It may be cut short or an error page saved by a browser; download it again.",
        )


def _looks_like_mlx(folder: Path, names: list[str]) -> bool:
    """mlx-lm writes `quantization: {group_size, bits}` into config.json; model cards tag `mlx`."""
    if any(n.endswith(".npz") for n in names):
        return True
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = None
    if isinstance(config, dict) and isinstance(config.get("quantization"), dict):
        quant = config["quantization"]
        if "group_size" in quant and "bits" in quant:
            return True
    with contextlib.suppress(OSError, UnicodeDecodeError):
        card = (folder / "README.md").read_text(encoding="utf-8")[:4000].lower()
        return bool(
            re.search(r"^library_name:\s*mlx\b", card, re.M) or re.search(r"^\s*-\s*mlx\s*$", card, re.M)
        )
    return False


def _walk(root: Path) -> list[Path]:
    """Regular files under `root` (symlinked files followed, symlinked folders not: no loops), sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIPPED_DIRS and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if name not in _SKIPPED_FILES and full.is_file():
                found.append(full)
    return found


def _not_found(path: Path) -> HfGuiError:
    return HfGuiError(f"'{path}' does not exist or is not a file or folder.", "Check the path and try again.")


# --- naming ------------------------------------------------------------------------------------------


def default_name(source: Path) -> str:
    source = Path(source)
    base = source.stem if source.is_file() else source.name
    if base.lower().endswith(".mlpackage"):
        base = base[: -len(".mlpackage")]
    return _NAME_UNSAFE.sub("-", base).strip("-.") or "model"


def import_id(source: Path, repo_id: str | None = None, name: str | None = None) -> str:
    """The id an import gets: --repo-id as given, else `local/<name>` (--name or the file/folder name)."""
    if repo_id:
        return validate_repo_id(repo_id)
    chosen = default_name(source) if name is None else name
    return validate_repo_id(f"{LOCAL_OWNER}/{chosen}")


# --- importing ---------------------------------------------------------------------------------------


def import_model(
    source: Path,
    library_root: Path,
    *,
    repo_id: str | None = None,
    name: str | None = None,
    mode: str = MODE_COPY,
    model_format: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportResult:
    """Add `source` (a file or folder) to the library; see the module docstring for the two modes."""
    source = Path(source).expanduser()
    if not source.exists():
        raise _not_found(source)
    if mode not in (MODE_COPY, MODE_REFERENCE):
        raise ValueError(f"unknown import mode {mode!r}")
    if model_format is not None and model_format not in FORMATS:
        raise HfGuiError(f"Unknown format '{model_format}'.", f"Use one of: {', '.join(FORMATS)}.")
    fmt = model_format or detect_format(source)
    library = Library(library_root)
    model_id = import_id(source, repo_id, name)
    _refuse_taken(library, model_id)
    files = _source_files(source)
    if not files:
        raise HfGuiError(
            f"'{source}' holds no files to import.", "Pick the folder that holds the model's files."
        )
    if mode == MODE_REFERENCE:
        source = source.resolve()
        listed = tuple((rel if source.is_dir() else "", path.stat().st_size) for rel, path in files)
        library.add_reference(Reference(model_id, source, fmt, listed, time.time()))
        return ImportResult(
            model_id,
            mode,
            source,
            fmt,
            tuple(ManifestFile(rel, path.stat().st_size, "") for rel, path in files),
        )
    return _copy_in(library, model_id, source, fmt, files, on_bytes, cancel or threading.Event())


def _refuse_taken(library: Library, model_id: str) -> None:
    root = library.model_root(model_id)
    if library.reference(model_id) is not None or (root.exists() and any(root.iterdir())):
        raise HfGuiError(
            f"{model_id} is already in the library.",
            "Choose another name (or model id), or delete that model first"
            f" (Library tab, or: hfgui delete {model_id}).",
        )


def _source_files(source: Path) -> list[tuple[str, Path]]:
    """(repo-style relative path, file) pairs; a single file keeps its own name."""
    if source.is_file():
        return [(source.name, source)]
    return [(p.relative_to(source).as_posix(), p) for p in _walk(source)]


def _copy_in(
    library: Library,
    model_id: str,
    source: Path,
    fmt: str,
    files: list[tuple[str, Path]],
    on_bytes: Callable[[int], None] | None,
    cancel: threading.Event,
) -> ImportResult:
    total = sum(path.stat().st_size for _, path in files)
    ensure_space(total, library.root)
    staging = library.staging_dir / f"import-{uuid.uuid4().hex[:12]}"
    dest = library.model_root(model_id)
    try:
        staging.mkdir(parents=True)
        copied = []
        for rel, path in files:
            target = check_entry_path(staging, rel)
            copied.append(ManifestFile(rel, *_copy_verified(path, target, on_bytes, cancel)))
        manifest = Manifest(
            model_id,
            LOCAL_COMMIT,
            LOCAL_COMMIT,
            tuple(copied),
            time.time(),
            include=(),
            origin=str(source.resolve()),
            model_format=fmt,
        )
        write_manifest(staging, manifest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.rmdir()  # an empty leftover folder (a non-empty one was refused up front)
        os.replace(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportResult(model_id, MODE_COPY, dest, fmt, tuple(copied))


def _copy_verified(
    source: Path,
    target: Path,
    on_bytes: Callable[[int], None] | None,
    cancel: threading.Event,
) -> tuple[int, str]:
    """Copy while hashing what is read, then re-read the copy: both digests must agree. (size, sha256)"""
    before = source.stat()
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, open(target, "wb") as out:
        while chunk := src.read(CHUNK):
            if cancel.is_set():
                raise DownloadCancelledError("Import")
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    after = source.stat()
    if size != after.st_size or (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise HfGuiError(
            f"'{source}' changed while it was being copied.",
            "Wait until whatever writes it has finished, then import it again.",
        )
    expected = digest.hexdigest()
    check = hashlib.sha256()
    with open(target, "rb") as copy:
        while chunk := copy.read(CHUNK):
            check.update(chunk)
    if check.hexdigest() != expected:
        raise HfGuiError(
            f"The copy of '{source}' does not match the original (the disk returned other bytes).",
            "Check the disk holding the library, then import again.",
        )
    return size, expected
