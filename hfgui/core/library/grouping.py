"""Group a repository's files into the choices a person downloads: a GGUF quant, a split set, a bundle."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from hfgui.core.types import TreeEntry

# Kinds, in the order items of different kinds are listed.
KINDS = ("gguf-quant", "mlpackage", "mlmodelc", "mlx", "safetensors", "shards", "onnx", "file", "repo")
BUNDLE_SUFFIXES = {".mlpackage": "mlpackage", ".mlmodelc": "mlmodelc"}
WHOLE_REPOSITORY = "Whole repository"

# Small files a model folder needs next to its weights (config, tokenizer, chat template, ...).
_COMPANION_SUFFIXES = (".json", ".txt", ".model", ".tiktoken", ".jinja")
# Loose files worth offering alone: weights in formats without a grouping rule, or anything big.
_WEIGHT_SUFFIXES = (
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".msgpack",
    ".tflite",
    ".mlmodel",
    ".pte",
    ".llamafile",
    ".npy",
    ".zip",
    ".tar",
    ".tgz",
)
_BIG_FILE = 10 * 1000 * 1000
_SMALL_WEIGHT = 1000 * 1000  # below this a .bin is training state or similar, not a model

_SHARD = re.compile(
    r"^(?P<base>.+?)-(?P<index>\d{3,6})-of-(?P<total>\d{3,6})(?P<ext>\.[^/]+)$", re.IGNORECASE
)
_ONNX_DATA = re.compile(r"^(?P<graph>.+\.onnx)(?:_data|\.data)(?:_?\d+)?$", re.IGNORECASE)
# llama.cpp quantisation names (upper-case form), tried against separator-delimited parts of a file name.
_QUANT = re.compile(
    r"(?:^|[._-])(?P<q>"
    r"I?Q[1-8]_K(?:_(?:XXS|XS|S|M|L|XL))?"
    r"|IQ[1-4]_(?:XXS|XS|S|M|NL|L)"
    r"|Q[1-8]_[01](?:_[48]_[48])?"
    r"|TQ[12]_0|MXFP4|BF16|FP16|F16|FP32|F32|Q[1-8]"
    r")(?=$|[._-])",
    re.IGNORECASE,
)
_SIZE_ORDER = {"XXS": 0, "XS": 1, "S": 2, "NL": 3, "M": 4, "L": 5, "XL": 6}
# First one present is marked recommended: the usual size/quality sweet spot, then its neighbours.
_RECOMMENDED = ("Q4_K_M", "Q4_K_S", "IQ4_XS", "Q4_K", "Q4_0", "IQ4_NL", "Q5_K_M", "Q5_K_S", "Q4", "Q5_0")


# A model's format from its file names, one rule for every tab: the Models tab's group for a model added
# from the Hub and the Library tab's label for the files on disk say the same.
MODEL_FORMATS = ("mlpackage", "mlmodel", "gguf", "mlx", "safetensors", "onnx", "other")
FRAMEWORK_OF_FORMAT = {
    "mlpackage": "coreml",
    "mlmodel": "coreml",
    "gguf": "llama.cpp",
    "mlx": "mlx",
    "safetensors": "transformers",
    "onnx": "onnxruntime",
    "other": "other",
}


def repo_format(paths: Iterable[str], *, mlx: bool = False) -> str:
    """One of MODEL_FORMATS for a repository's (or a model folder's) files, by precedence: a Core ML
    package or model, GGUF, MLX (``.npz`` weights, or ``mlx`` when the repo says so and has
    ``.safetensors``), safetensors, ONNX; "other" when no weights are recognised (config files only,
    PyTorch ``.bin``)."""
    lower = [p.lower() for p in paths]
    if any(".mlpackage/" in p or p.endswith(".mlpackage") for p in lower):
        return "mlpackage"
    if any(p.endswith(".mlmodel") for p in lower):
        return "mlmodel"
    if any(p.endswith(".gguf") for p in lower):
        return "gguf"
    tensors = any(p.endswith(".safetensors") for p in lower)
    if any(p.endswith(".npz") for p in lower) or (mlx and tensors):
        return "mlx"
    if tensors:
        return "safetensors"
    if any(p.endswith(".onnx") for p in lower):
        return "onnx"
    return "other"


@dataclass(frozen=True)
class DownloadItem:
    """One choice: ``include`` (usable as ``DownloadRequest.include``) selects exactly ``paths``."""

    label: str
    kind: str  # one of KINDS
    include: tuple[str, ...]
    paths: tuple[str, ...]
    file_count: int
    total_bytes: int
    quantization: str | None = None  # "Q4_K_M", "F16", "q4" (ONNX), ... when the name tells
    recommended: bool = False


def glob_escape(path: str) -> str:
    """``path`` as a pattern that matches only itself under fnmatch rules."""
    return re.sub(r"([*?\[])", r"[\1]", path)


def gguf_quantization(name: str) -> str | None:
    """The llama.cpp quantisation in a GGUF file name, upper-cased (``Q4_K_M``, ``IQ4_XS``, ``F16``)."""
    stem = PurePosixPath(name).name
    stem = _SHARD.sub(lambda m: m.group("base") + m.group("ext"), stem)
    stem = re.sub(r"\.gguf$", "", stem, flags=re.IGNORECASE)
    found = [m.group("q").upper() for m in _QUANT.finditer(stem)]
    return found[-1] if found else None  # the last one: names put the quant at the end


def quant_rank(quant: str | None) -> tuple[float, int, int]:
    """Sort key from smallest/lowest quality to largest: bits, then I-quants before K-quants, then size."""
    if not quant:
        return (99.0, 0, 0)
    q = quant.upper()
    if q in ("F32", "FP32"):
        return (32.0, 0, 0)
    if q in ("F16", "FP16", "BF16"):
        return (16.0, 1 if q == "BF16" else 0, 0)
    if q == "MXFP4":
        return (4.25, 0, 0)
    digits = re.search(r"\d", q)
    bits = float(digits.group()) if digits else 99.0
    family = 0 if q.startswith(("IQ", "TQ")) else 2 if "_K" in q else 1
    size = _SIZE_ORDER.get(q.rsplit("_", 1)[-1], 4 if q.endswith("_K") else 0) if "_" in q else 0
    if re.fullmatch(r"Q\d_[01].*", q):
        size = int(q[3])
    return (bits, family, size)


# --- grouping ------------------------------------------------------------------------------------


def group_files(
    entries: Iterable[TreeEntry], *, library_name: str | None = None, tags: Iterable[str] = ()
) -> list[DownloadItem]:
    """The download choices for a repository's tree (directories in ``entries`` are ignored).

    ``library_name``/``tags`` (from model info or search) mark a repo as MLX; a ``.npz`` weight does too.
    Every file is in "Whole repository" (always last); other items may share small companion files.
    """
    files = {e.path: e for e in entries if e.is_file}
    is_mlx_repo = (library_name or "").lower() == "mlx" or "mlx" in {t.lower() for t in tags}
    builder = _Builder(files)
    builder.bundles()
    builder.gguf()
    builder.onnx()
    builder.weights(is_mlx_repo)
    builder.loose_files()
    items = _sorted(builder.items)
    if files:
        items.append(_item(WHOLE_REPOSITORY, "repo", sorted(files), files, include=()))
    return items


class _Builder:
    def __init__(self, files: dict[str, TreeEntry]) -> None:
        self.files = files
        self.items: list[DownloadItem] = []
        self.claimed: set[str] = set()  # weights placed in an item (companions are not claimed)
        self.by_folder: dict[str, list[str]] = defaultdict(list)
        for path in sorted(files):
            self.by_folder[_folder(path)].append(path)

    def _add(self, item: DownloadItem, claim: Iterable[str]) -> None:
        self.items.append(item)
        self.claimed.update(claim)

    def bundles(self) -> None:
        """``.mlpackage`` / ``.mlmodelc`` folders: one item each, whatever they hold."""
        roots: dict[str, str] = {}
        for path in self.files:
            parts = path.split("/")
            for depth, part in enumerate(parts[:-1]):
                kind = BUNDLE_SUFFIXES.get(PurePosixPath(part).suffix.lower())
                if kind:
                    roots.setdefault("/".join(parts[: depth + 1]), kind)
                    break
        for root, kind in roots.items():
            paths = sorted(p for p in self.files if p.startswith(root + "/"))
            item = _item(root, kind, paths, self.files, include=(glob_escape(root) + "/",))
            self._add(item, paths)

    def gguf(self) -> None:
        """One item per quantisation; the parts of a split GGUF together."""
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for path in sorted(self.files):
            if path in self.claimed or not path.lower().endswith(".gguf"):
                continue
            shard = _SHARD.match(path)
            key = (shard.group("base") + "/" + shard.group("total"), "split") if shard else (path, "single")
            groups[key].append(path)
        for paths in groups.values():
            name = PurePosixPath(paths[0]).name
            quant = gguf_quantization(name)
            if name.lower().startswith("mmproj"):  # a vision projector: a companion, not a quant choice
                label = f"{paths[0]} (vision projector)"
                self._add(_item(label, "file", paths, self.files, quantization=quant), paths)
                continue
            label = quant or paths[0]
            if len(paths) > 1:
                label += f" ({len(paths)} parts)"
            self._add(_item(label, "gguf-quant", paths, self.files, quantization=quant), paths)
        self._disambiguate_gguf_labels()
        self._mark_recommended()

    def _disambiguate_gguf_labels(self) -> None:
        counts: dict[str, int] = defaultdict(int)
        for item in self.items:
            if item.kind == "gguf-quant":
                counts[item.label] += 1
        for index, item in enumerate(self.items):
            if item.kind == "gguf-quant" and counts[item.label] > 1:
                self.items[index] = replace(item, label=f"{item.label} · {item.paths[0]}")

    def _mark_recommended(self) -> None:
        quants = [i for i in self.items if i.kind == "gguf-quant" and i.quantization]
        if not quants:
            return
        by_quant: dict[str | None, DownloadItem] = {}
        for item in quants:
            by_quant.setdefault(item.quantization, item)
        choice = next((by_quant[q] for q in _RECOMMENDED if q in by_quant), None)
        if choice is None:  # unusual names: the smallest of 4 bits or more, else the best there is
            decent = [i for i in quants if quant_rank(i.quantization)[0] >= 4]
            rank = lambda i: quant_rank(i.quantization)  # noqa: E731
            choice = min(decent, key=rank) if decent else max(quants, key=rank)
        self.items = [replace(i, recommended=True) if i is choice else i for i in self.items]

    def onnx(self) -> None:
        """A graph with its external data (``model.onnx_data`` / ``model.onnx.data``) and config files."""
        data_of: dict[str, list[str]] = defaultdict(list)
        for path in self.files:
            match = _ONNX_DATA.match(path)
            if match and path not in self.claimed:
                data_of[match.group("graph").lower()].append(path)
        for path in sorted(self.files):
            if path in self.claimed or not path.lower().endswith(".onnx"):
                continue
            weights = [path, *sorted(data_of.get(path.lower(), ()))]
            folder = _folder(path)
            companions = self._companions(folder)
            if PurePosixPath(folder).name.lower() == "onnx":  # transformers.js: config one level up
                companions += self._companions(_folder(folder.rstrip("/")))
            quant = _onnx_variant(path)
            item = _item(path, "onnx", [*weights, *companions], self.files, quantization=quant)
            self._add(item, weights)

    def weights(self, is_mlx_repo: bool) -> None:
        """Safetensors/npz/bin weights: MLX folders whole, split sets as one item, single files alone."""
        for folder, paths in self.by_folder.items():
            free = [p for p in paths if p not in self.claimed]
            has_npz = any(p.lower().endswith(".npz") for p in free)
            tensors = [p for p in free if p.lower().endswith((".safetensors", ".npz"))]
            if tensors and (is_mlx_repo or has_npz) and f"{folder}config.json" in self.files:
                label = f"MLX model ({folder.rstrip('/')})" if folder else "MLX model"
                members = [*tensors, *self._companions(folder, ".safetensors")]
                self._add(_item(label, "mlx", members, self.files), tensors)
                continue
            self._split_sets(folder, free)
            for path in free:
                if path not in self.claimed and path.lower().endswith(".safetensors"):
                    members = [path, *self._companions(folder, ".safetensors")]
                    self._add(_item(path, "safetensors", members, self.files), [path])

    def _split_sets(self, folder: str, paths: list[str]) -> None:
        sets: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for path in paths:
            shard = _SHARD.match(path)
            if shard and path.lower().endswith((*_WEIGHT_SUFFIXES, ".safetensors")):
                sets[(shard.group("base"), shard.group("total"), shard.group("ext").lower())].append(path)
        for (base, _total, ext), parts in sets.items():
            index = f"{base}{ext}.index.json"
            members = [*parts, *([index] if index in self.files else []), *self._companions(folder, ext)]
            label = f"{base}{ext} ({len(parts)} parts)"
            self._add(_item(label, "shards", members, self.files), parts)

    def loose_files(self) -> None:
        """Weights in formats without a grouping rule, and big files nothing else claimed."""
        for path in sorted(self.files):
            if path in self.claimed or _is_companion(path):
                continue
            size = self.files[path].size
            if size >= _BIG_FILE or (size >= _SMALL_WEIGHT and path.lower().endswith(_WEIGHT_SUFFIXES)):
                self._add(_item(path, "file", [path], self.files), [path])

    def _companions(self, folder: str, weights_ext: str | None = None) -> list[str]:
        """Config/tokenizer files of ``folder``; weight index files only for ``weights_ext`` weights."""
        index = f"{weights_ext}.index.json" if weights_ext else None
        return [
            p
            for p in self.by_folder.get(folder, ())
            if _is_companion(p) and (not p.endswith(".index.json") or (index and p.endswith(index)))
        ]


def _folder(path: str) -> str:
    """``a/b/`` for ``a/b/c.json``; "" at the top level."""
    head, _, _tail = path.rpartition("/")
    return head + "/" if head else ""


def _is_companion(path: str) -> bool:
    return path.lower().endswith(_COMPANION_SUFFIXES)


def _onnx_variant(path: str) -> str | None:
    """``q4`` for ``model_q4.onnx``, ``fp16`` for ``decoder_fp16.onnx``; None for ``model.onnx``."""
    stem = PurePosixPath(path).stem
    match = re.search(r"_(fp16|fp32|int8|uint8|q4f16|q4|q8|bnb4|quantized)$", stem, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _item(
    label: str,
    kind: str,
    paths: Iterable[str],
    files: dict[str, TreeEntry],
    *,
    include: tuple[str, ...] | None = None,
    quantization: str | None = None,
) -> DownloadItem:
    ordered = tuple(dict.fromkeys(paths))
    return DownloadItem(
        label=label,
        kind=kind,
        include=tuple(glob_escape(p) for p in ordered) if include is None else include,
        paths=ordered,
        file_count=len(ordered),
        total_bytes=sum(files[p].size for p in ordered),
        quantization=quantization,
    )


def _sorted(items: list[DownloadItem]) -> list[DownloadItem]:
    """GGUF first (recommended, then smallest to largest quant), then other kinds by KINDS order and label."""

    def key(item: DownloadItem) -> tuple:
        if item.kind == "gguf-quant":
            return (0, not item.recommended, quant_rank(item.quantization), item.label)
        return (KINDS.index(item.kind), False, (0.0, 0, 0), item.label.lower())

    return sorted(items, key=key)
