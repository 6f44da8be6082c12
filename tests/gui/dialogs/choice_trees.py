"""Small repository trees the download choice tests share."""

from __future__ import annotations

from hfgui.core.types import TreeEntry

GB = 1_000_000_000
GGUF = [
    TreeEntry("m-Q4_K_M.gguf", "file", 400),
    TreeEntry("m-Q8_0.gguf", "file", 800),
    TreeEntry("mmproj-m-F16.gguf", "file", 50),
    TreeEntry("README.md", "file", 5),
]
MLX = [
    TreeEntry("model.safetensors", "file", 1000),
    TreeEntry("config.json", "file", 10),
    TreeEntry("tokenizer.json", "file", 10),
    TreeEntry("README.md", "file", 5),
]
ONNX = [
    TreeEntry("model.onnx", "file", 2_000),
    TreeEntry("model_q4.onnx", "file", 600),
    TreeEntry("config.json", "file", 10),
]
PROJECTOR = "mmproj-m-F16.gguf (vision projector)"


def by_label(items, label):
    return next(i for i in items if i.label == label)


def labels(items):
    return [i.label for i in items]
