"""The rules of a download choice, without Qt: which items exclude each other and which combine, what is
chosen first, and which items a choice amounts to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from hfgui.core.library.grouping import DownloadItem

# The one-of choice that takes no quantisation (only when something else is worth having alone).
NO_QUANT_LABEL = "No GGUF file: only what is ticked below"
ONLY_TICKED_LABEL = "Only what is ticked below"


@dataclass(frozen=True)
class ChoiceRow:
    """One row of the picker: an item, or (``item`` None) the one-of choice of no quantisation."""

    item: DownloadItem | None
    one_of: bool  # a radio button; else a check box that combines with the one-of choice
    label: str


def choice_rows(items: Sequence[DownloadItem]) -> list[ChoiceRow]:
    """One-of rows first (the quantisations, then "no quantisation" where it makes sense), then what
    combines freely (a vision projector, an ONNX variant, a bundle), then the whole repository, which is
    one-of too because it includes everything."""
    quants = [i for i in items if i.kind == "gguf-quant"]
    extras = [i for i in items if i.kind not in ("gguf-quant", "repo")]
    wholes = [i for i in items if i.kind == "repo"]
    rows = [ChoiceRow(i, True, i.label) for i in quants]
    # Choosing no quantisation makes sense when another item is worth having alone.
    if extras and not quants:
        rows.append(ChoiceRow(None, True, ONLY_TICKED_LABEL))
    elif extras and any(not is_projector(i) for i in extras):
        rows.append(ChoiceRow(None, True, NO_QUANT_LABEL))
    rows += [ChoiceRow(i, False, i.label) for i in extras]
    rows += [ChoiceRow(i, True, i.label) for i in wholes]
    return rows


class Choice:
    """What is chosen among ``rows``: one one-of row (``picked``) and the ticked check box rows.

    The ticks count only beside a partial choice; while the whole repository is picked they are kept,
    so going back to a quantisation restores them.
    """

    def __init__(self, rows: Sequence[ChoiceRow]) -> None:
        self.rows = list(rows)
        self.picked: int | None = None
        self.ticked = {index: False for index, row in enumerate(self.rows) if not row.one_of}
        wholes = [i for i, row in enumerate(self.rows) if row.item is not None and row.item.kind == "repo"]
        self.whole_row = wholes[-1] if wholes else None

    def index_of(self, label: str) -> int:
        """The row labelled ``label`` (KeyError if there is none)."""
        for index, row in enumerate(self.rows):
            if row.label == label:
                return index
        raise KeyError(label)

    def whole_chosen(self) -> bool:
        return self.whole_row is not None and self.picked == self.whole_row

    def items(self) -> list[DownloadItem]:
        if self.picked is None:
            return []
        ticked = [self.rows[index].item for index, on in self.ticked.items() if on]
        picked = self.rows[self.picked].item
        chosen = [picked] if self.whole_chosen() else [picked, *ticked]
        return [item for item in chosen if item is not None]

    def select(self, wanted: Iterable[DownloadItem]) -> None:
        """Choose exactly these items, as far as the rules allow (one quantisation; the whole
        repository alone); keeps the current one-of choice when ``wanted`` names none."""
        wanted = set(wanted)
        one_of = [index for index, row in enumerate(self.rows) if row.one_of]
        named = next((i for i in one_of if self.rows[i].item in wanted), None)
        self.picked = named if named is not None else self._fallback(one_of)
        for index in self.ticked:
            self.ticked[index] = self.rows[index].item in wanted

    def _fallback(self, one_of: list[int]) -> int | None:
        """The one-of row when the wanted items name none: "only what is ticked", else the current one,
        else the recommended quantisation, else the first."""
        nothing = [index for index in one_of if self.rows[index].item is None]
        if nothing:
            return nothing[0]
        if self.picked is not None:
            return self.picked
        recommended = [index for index in one_of if getattr(self.rows[index].item, "recommended", False)]
        return (recommended or one_of or [None])[0]


def default_choice(items: Sequence[DownloadItem], wanted_path: str | None = None) -> list[DownloadItem]:
    """What to choose first: the smallest item holding ``wanted_path`` (a file or folder the user pointed
    at), else the recommended quantisation, else the first item."""
    parts = [i for i in items if i.kind != "repo"]
    if wanted_path:
        folder = wanted_path.rstrip("/") + "/"
        holding = [i for i in parts if any(p == wanted_path or p.startswith(folder) for p in i.paths)]
        if holding:
            # The smallest item that holds it: a quant rather than a bundle around it.
            return [min(holding, key=lambda i: i.file_count)]
        whole = [i for i in items if i.kind == "repo" and wanted_path in i.paths]
        if whole:
            return whole
    recommended = [i for i in parts if i.recommended]
    if recommended:
        return recommended[:1]
    return list(items[:1])


def one_quant_of_many(items: Sequence[DownloadItem]) -> bool:
    """A GGUF repository usually holds one file per quantisation: the user wants exactly one of them."""
    return sum(1 for i in items if i.kind == "gguf-quant") > 1


def choice_hint(items: Sequence[DownloadItem]) -> str:
    """What to do with the picker, for the status line above it."""
    if one_quant_of_many(items):
        return "Pick one quantisation."
    if any(i.kind not in ("gguf-quant", "repo") for i in items):
        return "Tick what you want to download, or choose the whole repository."
    return "Choose what to download."


def offer_text(file_count: int, items: Sequence[DownloadItem], gated: str | bool) -> str:
    """The status line once a repository's files are listed."""
    gate = " It is gated: accept its license on the Hub and add a token." if gated else ""
    return f"{file_count} files. {choice_hint(items)}{gate}"


def paths_of(items: Iterable[DownloadItem]) -> list[str]:
    """Every file of the items, each once, in item order."""
    return list(dict.fromkeys(p for item in items for p in item.paths))


def is_projector(item: DownloadItem) -> bool:
    """A vision projector (mmproj-*.gguf): only useful next to a quantisation."""
    return item.kind == "file" and PurePosixPath(item.paths[0]).name.lower().startswith("mmproj")
