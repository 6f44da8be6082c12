"""One format rule for every tab: what the Models tab calls a repository from its file names on the Hub
(`repo_format`) is what the Library tab calls the same files on disk (`detect_format`)."""

from __future__ import annotations

import pytest

from hfgui.core.library.grouping import FRAMEWORK_OF_FORMAT, MODEL_FORMATS, repo_format
from hfgui.core.library.importer import detect_format

GGUF = b"GGUF" + b"\0" * 16

CASES = [
    ({"config.json": b"{}", "tokenizer.json": b"{}"}, "other"),  # configs only: no weights to name
    ({"config.json": b"{}", "pytorch_model.bin": b"w"}, "other"),
    ({"model.safetensors": b"w", "config.json": b"{}"}, "safetensors"),
    ({"model.safetensors": b"w", "onnx/model.onnx": b"o", "config.json": b"{}"}, "safetensors"),
    ({"onnx/model.onnx": b"o", "config.json": b"{}"}, "onnx"),
    ({"weights.npz": b"w", "config.json": b"{}"}, "mlx"),
    ({"m-Q4_K_M.gguf": GGUF, "model.safetensors": b"w"}, "gguf"),
    ({"model.mlmodel": b"m", "model.onnx": b"o"}, "mlmodel"),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_the_hub_listing_and_the_folder_on_disk_get_the_same_format(tmp_path, files, expected):
    assert repo_format(files) == expected
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    on_disk = detect_format(tmp_path)
    assert (expected, on_disk) in {(expected, expected), ("mlmodel", "coreml")}  # the importer's older name


def test_an_mlx_repo_needs_weights_to_be_mlx():
    assert repo_format(["model.safetensors", "config.json"], mlx=True) == "mlx"
    assert repo_format(["config.json"], mlx=True) == "other"


def test_every_format_has_a_framework():
    assert set(FRAMEWORK_OF_FORMAT) == set(MODEL_FORMATS)
