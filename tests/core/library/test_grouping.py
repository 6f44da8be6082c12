"""Grouping a repository's files into download choices: GGUF quants, split sets, bundles, MLX, ONNX."""

from __future__ import annotations

import dataclasses

import pytest

from hfgui.core.engine.planner import select_files
from hfgui.core.library.grouping import DownloadItem, gguf_quantization, glob_escape, group_files, quant_rank
from hfgui.core.types import TreeEntry

MB = 1_000_000


def _tree(files: dict[str, int], directories: tuple[str, ...] = ()) -> list[TreeEntry]:
    entries = [TreeEntry(path=d, type="directory") for d in directories]
    entries += [TreeEntry(path=p, type="file", size=s, oid="0" * 40) for p, s in files.items()]
    return entries


def _check_includes(entries: list[TreeEntry], items: list[DownloadItem]) -> None:
    """Each item's include patterns select exactly its files, as the planner applies them."""
    for item in items:
        selected = sorted(e.path for e in select_files(entries, item.include))
        assert selected == sorted(item.paths), item.label
        assert item.file_count == len(item.paths)
        sizes = {e.path: e.size for e in entries if e.is_file}
        assert item.total_bytes == sum(sizes[p] for p in item.paths)


def _by_label(items: list[DownloadItem]) -> dict[str, DownloadItem]:
    return {i.label: i for i in items}


COMMON = {".gitattributes": 1_500, "README.md": 4_000}


def test_gguf_quants_are_separate_choices_with_q4_k_m_recommended_first():
    quants = ["Q2_K", "Q3_K_M", "Q4_0", "Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"]
    files = {**COMMON, "config.json": 600}
    files.update({f"llama-2-7b-chat.{q}.gguf": (i + 2) * 100 * MB for i, q in enumerate(quants)})
    entries = _tree(files)
    items = group_files(entries)
    _check_includes(entries, items)

    gguf = [i for i in items if i.kind == "gguf-quant"]
    assert [i.quantization for i in gguf] == [
        "Q4_K_M",
        "Q2_K",
        "Q3_K_M",
        "Q4_0",
        "Q4_K_S",
        "Q5_K_M",
        "Q6_K",
        "Q8_0",
    ]
    assert [i.recommended for i in gguf] == [True] + [False] * 7
    first = gguf[0]
    assert first.label == "Q4_K_M" and first.paths == ("llama-2-7b-chat.Q4_K_M.gguf",)
    assert first.total_bytes == 600 * MB
    whole = items[-1]
    assert whole.kind == "repo" and whole.label == "Whole repository" and whole.include == ()
    assert whole.file_count == len(files) and whole.total_bytes == sum(files.values())
    assert len(items) == len(quants) + 1  # README, config and .gitattributes are not choices of their own


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf", "Q4_K_M"),
        ("qwen2.5-0.5b-instruct-q8_0.gguf", "Q8_0"),
        ("Meta-Llama-3-8B.IQ4_XS.gguf", "IQ4_XS"),
        ("model-iq2_xxs.gguf", "IQ2_XXS"),
        ("Phi-3-mini-4k-instruct-q4.gguf", "Q4"),
        ("Phi-3-mini-4k-instruct-fp16.gguf", "FP16"),
        ("gemma-2b-it-BF16.gguf", "BF16"),
        ("Qwen3-8B-UD-Q4_K_XL.gguf", "Q4_K_XL"),
        ("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf", "Q4_K_M"),
        ("gpt-oss-20b-MXFP4.gguf", "MXFP4"),
        ("llama-q4_0_4_4.gguf", "Q4_0_4_4"),
        ("ggml-model.gguf", None),
        ("Q4K-notes.gguf", None),
    ],
)
def test_quantization_is_read_case_insensitively(name, quant):
    assert gguf_quantization(name) == quant


def test_quant_rank_orders_by_size_and_quality():
    ladder = ["IQ2_XXS", "Q2_K", "IQ3_XS", "Q3_K_S", "Q3_K_L", "IQ4_XS", "Q4_0", "Q4_K_S", "Q4_K_M"]
    ladder += ["Q5_K_M", "Q6_K", "Q8_0", "F16", "F32"]
    assert sorted(ladder, key=quant_rank) == ladder


def test_without_q4_k_m_a_neighbour_is_recommended():
    entries = _tree({"m-Q8_0.gguf": 8 * MB, "m-IQ4_XS.gguf": 4 * MB, "m-F16.gguf": 16 * MB})
    items = group_files(entries)
    assert [i.quantization for i in items if i.recommended] == ["IQ4_XS"]
    only_big = group_files(_tree({"m-F16.gguf": 16 * MB, "m-F32.gguf": 32 * MB, "m-Q2_K.gguf": 2 * MB}))
    assert [i.quantization for i in only_big if i.recommended] == ["F16"]  # smallest of 4+ bits


def test_split_gguf_is_one_item_with_the_total_size():
    files = {
        "qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf": 3_900 * MB,
        "qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf": 800 * MB,
        "qwen2.5-7b-instruct-q8_0-00001-of-00003.gguf": 3_000 * MB,
        "qwen2.5-7b-instruct-q8_0-00002-of-00003.gguf": 3_000 * MB,
        "qwen2.5-7b-instruct-q8_0-00003-of-00003.gguf": 2_100 * MB,
        "qwen2.5-7b-instruct-fp16.gguf": 15_000 * MB,
    }
    entries = _tree(files)
    items = group_files(entries)
    _check_includes(entries, items)
    labels = _by_label(items)
    q4 = labels["Q4_K_M (2 parts)"]
    assert q4.kind == "gguf-quant" and q4.recommended and q4.file_count == 2
    assert q4.total_bytes == 4_700 * MB
    assert labels["Q8_0 (3 parts)"].total_bytes == 8_100 * MB
    assert [i.label for i in items] == ["Q4_K_M (2 parts)", "Q8_0 (3 parts)", "FP16", "Whole repository"]


def test_split_gguf_in_per_quant_folders():
    files = {
        "Q4_K_M/Big-Q4_K_M-00001-of-00002.gguf": 40 * MB,
        "Q4_K_M/Big-Q4_K_M-00002-of-00002.gguf": 20 * MB,
        "Q8_0/Big-Q8_0-00001-of-00002.gguf": 60 * MB,
        "Q8_0/Big-Q8_0-00002-of-00002.gguf": 40 * MB,
    }
    entries = _tree(files, directories=("Q4_K_M", "Q8_0"))
    items = group_files(entries)
    _check_includes(entries, items)
    assert [(i.quantization, i.file_count) for i in items[:2]] == [("Q4_K_M", 2), ("Q8_0", 2)]


def test_same_quant_of_two_models_gets_telling_labels_and_mmproj_is_not_a_quant():
    files = {
        "llava-v1.6.Q4_K_M.gguf": 4 * MB,
        "tiny/llava-tiny.Q4_K_M.gguf": 1 * MB,
        "mmproj-model-f16.gguf": 600 * MB,
    }
    items = group_files(_tree(files))
    labels = [i.label for i in items if i.kind == "gguf-quant"]
    assert labels == ["Q4_K_M · llava-v1.6.Q4_K_M.gguf", "Q4_K_M · tiny/llava-tiny.Q4_K_M.gguf"]
    projector = next(i for i in items if "mmproj" in i.label)
    assert projector.kind == "file" and not projector.recommended and "vision projector" in projector.label
    assert sum(i.recommended for i in items) == 1


def test_gguf_without_a_quant_name_is_still_a_choice():
    items = group_files(_tree({"ggml-model.gguf": 5 * MB}))
    assert (items[0].kind, items[0].quantization, items[0].label) == ("gguf-quant", None, "ggml-model.gguf")
    assert not items[0].recommended


def test_split_safetensors_are_one_item_with_index_and_config():
    files = {
        **COMMON,
        "config.json": 700,
        "generation_config.json": 200,
        "tokenizer.json": 9 * MB,
        "tokenizer_config.json": 50_000,
        "model.safetensors.index.json": 24_000,
        **{f"model-0000{i}-of-00004.safetensors": 4_900 * MB for i in range(1, 5)},
        "pytorch_model-00001-of-00002.bin": 9_000 * MB,
        "pytorch_model-00002-of-00002.bin": 5_000 * MB,
        "pytorch_model.bin.index.json": 23_000,
        "training_args.bin": 5_000,  # tiny: not a model
    }
    entries = _tree(files)
    items = group_files(entries)
    _check_includes(entries, items)
    labels = _by_label(items)
    shards = labels["model.safetensors (4 parts)"]
    assert shards.kind == "shards"
    assert "model.safetensors.index.json" in shards.paths and "config.json" in shards.paths
    assert "tokenizer.json" in shards.paths and "README.md" not in shards.paths
    assert not any(p.endswith(".bin") for p in shards.paths)
    weights = sum(v for k, v in files.items() if k.endswith(".safetensors"))
    companions = sum(v for k, v in files.items() if k.endswith(".json"))
    assert shards.total_bytes == weights + companions - files["pytorch_model.bin.index.json"]
    bins = labels["pytorch_model.bin (2 parts)"]
    assert bins.kind == "shards" and "pytorch_model.bin.index.json" in bins.paths
    assert "training_args.bin" not in labels
    assert [i.kind for i in items] == ["shards", "shards", "repo"]


def test_single_safetensors_brings_its_config():
    files = {**COMMON, "config.json": 700, "model.safetensors": 500 * MB, "merges.txt": 400_000}
    entries = _tree(files)
    items = group_files(entries)
    _check_includes(entries, items)
    assert items[0].kind == "safetensors" and items[0].label == "model.safetensors"
    assert set(items[0].paths) == {"model.safetensors", "config.json", "merges.txt"}


def test_mlpackage_and_mlmodelc_folders_are_one_item_each():
    files = {
        **COMMON,
        "OpenELM-270M.mlpackage/Manifest.json": 600,
        "OpenELM-270M.mlpackage/Data/com.apple.CoreML/model.mlmodel": 180_000,
        "OpenELM-270M.mlpackage/Data/com.apple.CoreML/weights/weight.bin": 500 * MB,
        "compiled/Model[v2].mlmodelc/coremldata.bin": 900,
        "compiled/Model[v2].mlmodelc/weights/weight.bin": 300 * MB,
        "compiled/Model[v2].mlmodelc/model.mil": 50_000,
    }
    dirs = ("OpenELM-270M.mlpackage", "compiled", "compiled/Model[v2].mlmodelc")
    entries = _tree(files, directories=dirs)
    items = group_files(entries)
    _check_includes(entries, items)
    package, compiled, whole = items
    assert (package.kind, package.label, package.file_count) == ("mlpackage", "OpenELM-270M.mlpackage", 3)
    assert package.include == ("OpenELM-270M.mlpackage/",)
    assert package.total_bytes == 600 + 180_000 + 500 * MB
    assert (compiled.kind, compiled.file_count) == ("mlmodelc", 3)
    assert compiled.include == (glob_escape("compiled/Model[v2].mlmodelc") + "/",)
    assert whole.kind == "repo"


def test_mlx_repo_is_one_item():
    files = {
        **COMMON,
        "config.json": 1_000,
        "model.safetensors.index.json": 30_000,
        "model-00001-of-00002.safetensors": 3_000 * MB,
        "model-00002-of-00002.safetensors": 1_000 * MB,
        "tokenizer.json": 2 * MB,
        "tokenizer_config.json": 5_000,
        "special_tokens_map.json": 400,
        "tokenizer.model": 500_000,
    }
    entries = _tree(files)
    items = group_files(entries, library_name="mlx")
    _check_includes(entries, items)
    mlx = items[0]
    assert (mlx.kind, mlx.label) == ("mlx", "MLX model")
    assert set(mlx.paths) == set(files) - set(COMMON)
    assert [i.kind for i in items] == ["mlx", "repo"]
    # The same files without an MLX hint are a plain split set (with the same companions).
    assert group_files(entries)[0].kind == "shards"
    assert group_files(entries, tags=["MLX", "text-generation"])[0].kind == "mlx"


def test_npz_weights_mark_an_mlx_folder_without_hints():
    files = {"phi-2/config.json": 500, "phi-2/weights.npz": 5 * MB, "phi-2/tokenizer.json": 90_000}
    entries = _tree(files, directories=("phi-2",))
    items = group_files(entries)
    _check_includes(entries, items)
    assert (items[0].kind, items[0].label, items[0].file_count) == ("mlx", "MLX model (phi-2)", 3)


def test_onnx_graph_and_external_data_are_one_item():
    files = {
        **COMMON,
        "config.json": 700,
        "tokenizer.json": 7 * MB,
        "onnx/model.onnx": 500_000,
        "onnx/model.onnx_data": 2_000 * MB,
        "onnx/model_q4.onnx": 300 * MB,
        "onnx/model_fp16.onnx": 400_000,
        "onnx/model_fp16.onnx_data": 1_000 * MB,
        "phi3/cpu-int4/phi3-mini.onnx": 1 * MB,
        "phi3/cpu-int4/phi3-mini.onnx.data": 2_000 * MB,
        "phi3/cpu-int4/genai_config.json": 1_500,
    }
    entries = _tree(files, directories=("onnx", "phi3", "phi3/cpu-int4"))
    items = group_files(entries)
    _check_includes(entries, items)
    labels = _by_label(items)
    full = labels["onnx/model.onnx"]
    assert full.kind == "onnx" and full.quantization is None
    assert set(full.paths) == {"onnx/model.onnx", "onnx/model.onnx_data", "config.json", "tokenizer.json"}
    assert labels["onnx/model_fp16.onnx"].quantization == "fp16"
    assert "onnx/model_fp16.onnx_data" in labels["onnx/model_fp16.onnx"].paths
    assert labels["onnx/model_q4.onnx"].file_count == 3
    phi = labels["phi3/cpu-int4/phi3-mini.onnx"]
    assert set(phi.paths) == {
        "phi3/cpu-int4/phi3-mini.onnx",
        "phi3/cpu-int4/phi3-mini.onnx.data",
        "phi3/cpu-int4/genai_config.json",
    }
    assert [i.kind for i in items] == ["onnx"] * 4 + ["repo"]


def test_loose_weights_and_big_files_are_offered_alone():
    files = {
        **COMMON,
        "model.mlmodel": 40 * MB,
        "archive.tar": 300 * MB,
        "notes.md": 2_000,
        "big.dat": 20 * MB,
    }
    items = group_files(_tree(files))
    assert [(i.kind, i.label) for i in items] == [
        ("file", "archive.tar"),
        ("file", "big.dat"),
        ("file", "model.mlmodel"),
        ("repo", "Whole repository"),
    ]


def test_empty_tree_and_directories_only_give_nothing():
    assert group_files([]) == []
    assert group_files(_tree({}, directories=("a",))) == []


def test_items_are_frozen():
    item = group_files(_tree({"m.Q4_K_M.gguf": 1}))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.label = "x"  # type: ignore[misc]
