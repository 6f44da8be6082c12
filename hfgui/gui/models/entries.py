"""Turn catalog entries (core) into the rows the window shows, and guess a format for a new repository."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hfgui.core.library.catalog import CatalogEntry
from hfgui.core.library.grouping import FRAMEWORK_OF_FORMAT, repo_format
from hfgui.gui.models.rows import ModelEntry
from hfgui.gui.widgets.formatting import FORMAT_LABELS, GROUP_LABELS


def ram_hint(entry: CatalogEntry) -> str:
    low, high = entry.ram_min_gb, entry.ram_recommended_gb
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return f"{_gb(low if low is not None else high)} GB"
    return f"{_gb(low)}–{_gb(high)} GB"


def _gb(value: float | None) -> str:
    return f"{value:g}"


def model_entry(entry: CatalogEntry) -> ModelEntry:
    include, exclude = entry.patterns()
    return ModelEntry(
        key=entry.id,
        name=entry.name,
        repo_id=entry.repo,
        format=GROUP_LABELS.get(entry.framework, entry.framework),
        format_label=FORMAT_LABELS.get(entry.format, entry.format),
        quantization=entry.quantization or "",
        ram_hint=ram_hint(entry),
        include=include,
        exclude=exclude,
        revision=entry.revision,
        description=entry.description,
        user_added=entry.user_added,
        catalog=entry,
    )


def model_entries(entries: Iterable[CatalogEntry]) -> list[ModelEntry]:
    return [model_entry(entry) for entry in entries]


# --- adding a repository ---------------------------------------------------------------------------


def guess_kind(paths: Sequence[str], repo_id: str = "", tags: Sequence[str] = ()) -> tuple[str, str]:
    """(framework, format) for a repository from its file names (and tags): `grouping.repo_format`, the
    rule the Library tab follows too."""
    mlx = "mlx" in {t.lower() for t in tags} or repo_id.lower().startswith("mlx-community/")
    fmt = repo_format(paths, mlx=mlx)
    return FRAMEWORK_OF_FORMAT[fmt], fmt


_QUANT_RE = re.compile(r"(?:^|[._-])((?:I?Q\d+(?:_[A-Z0-9]+)*)|F16|F32|BF16|FP16)(?=[._-]|$)", re.IGNORECASE)


def quantization_of(path: str) -> str:
    """The quantisation named in a GGUF file name (Q4_K_M, Q8_0, F16…), or ''."""
    match = _QUANT_RE.search(path.rsplit("/", 1)[-1].removesuffix(".gguf"))
    return match.group(1).upper() if match else ""


def new_entry_id(repo_id: str, suffix: str, taken: Iterable[str]) -> str:
    """A catalog id (lowercase, [a-z0-9._-], ≤ 96 chars) that is not yet used."""
    base = re.sub(r"[^a-z0-9._-]+", "-", f"{repo_id}-{suffix}".lower() if suffix else repo_id.lower())
    base = base.strip("-._")[:90] or "model"
    taken = set(taken)
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate
