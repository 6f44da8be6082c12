"""Importing local models: format detection, verified copies, references that never touch user files."""

from __future__ import annotations

import hashlib
import json

import pytest

from hfgui.core.errors import HfGuiError
from hfgui.core.library.importer import detect_format, import_model
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store.manifest import read_manifest


def _gguf(path, payload=b"\x03\x00\x00\x00" + b"\x00" * 64):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + payload)
    return path


def _folder(tmp_path, name, files):
    root = tmp_path / name
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_detect_formats(tmp_path):
    assert detect_format(_gguf(tmp_path / "m.Q4_K_M.gguf")) == "gguf"
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"<html>not found</html>")
    with pytest.raises(HfGuiError, match="not a GGUF file"):
        detect_format(fake)
    pkg = _folder(
        tmp_path, "X.mlpackage", {"Manifest.json": b"{}", "Data/com.apple.CoreML/model.mlmodel": b"m"}
    )
    assert detect_format(pkg) == "mlpackage"
    broken = _folder(tmp_path, "Y.mlpackage", {"Data/x": b"1"})
    with pytest.raises(HfGuiError, match=r"no Manifest\.json"):
        detect_format(broken)
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07")
    assert detect_format(tmp_path / "m.onnx") == "onnx"
    mlx = _folder(
        tmp_path,
        "mlx-model",
        {
            "config.json": json.dumps({"quantization": {"group_size": 64, "bits": 4}}).encode(),
            "model.safetensors": b"w",
        },
    )
    assert detect_format(mlx) == "mlx"
    st = _folder(tmp_path, "hf-model", {"config.json": b'{"model_type": "llama"}', "model.safetensors": b"w"})
    assert detect_format(st) == "safetensors"
    assert detect_format(_folder(tmp_path, "onnx-dir", {"model.onnx": b"o", "config.json": b"{}"})) == "onnx"
    assert detect_format(_folder(tmp_path, "misc", {"notes.txt": b"hi"})) == "other"


def test_copy_import_hashes_and_writes_a_manifest(tmp_path):
    source = _folder(
        tmp_path / "src",
        "X.mlpackage",
        {"Manifest.json": b'{"a": 1}', "Data/com.apple.CoreML/weights/weight.bin": bytes(range(256)) * 100},
    )
    library_root = tmp_path / "lib"
    result = import_model(source, library_root, mode="copy")
    assert result.repo_id == "local/X" and result.model_format == "mlpackage"
    root = library_root / "local" / "X"
    assert result.path == root
    manifest = read_manifest(root)
    assert manifest is not None and manifest.model_format == "mlpackage" and manifest.origin == str(source)
    for f in manifest.files:
        data = (source / f.path).read_bytes()
        assert (root / f.path).read_bytes() == data
        assert f.etag == hashlib.sha256(data).hexdigest() and f.size == len(data)
    library = Library(library_root)
    [model] = library.installed()
    assert model.repo_id == "local/X" and model.state is InstallState.INSTALLED
    assert model.model_format == "mlpackage"
    assert library.check("local/X") == []
    assert not list((library_root / ".hfgui-staging").glob("import-*"))  # staging cleaned
    with pytest.raises(HfGuiError, match="already in the library"):
        import_model(source, library_root)


def test_copy_import_with_hub_id_lands_where_a_download_would(tmp_path):
    gguf = _gguf(tmp_path / "model.gguf")
    result = import_model(gguf, tmp_path / "lib", repo_id="acme/model-GGUF")
    assert result.path == tmp_path / "lib" / "acme" / "model-GGUF"
    assert (result.path / "model.gguf").read_bytes() == gguf.read_bytes()


def test_reference_import_lists_and_delete_keeps_user_files(tmp_path):
    gguf = _gguf(tmp_path / "mine" / "tiny.gguf")
    library_root = tmp_path / "lib"
    result = import_model(gguf, library_root, mode="reference", name="tiny")
    assert result.repo_id == "local/tiny" and result.path == gguf.resolve()
    library = Library(library_root)
    assert library.installed() == []  # nothing copied into the library
    [model] = library.all_models(tmp_path / "no-cache")
    assert model.state is InstallState.REFERENCED and model.source == "reference"
    assert model.root == gguf.resolve() and model.size == gguf.stat().st_size

    assert library.delete("local/tiny") == 0
    assert gguf.exists() and gguf.read_bytes().startswith(b"GGUF")
    assert library.all_models(tmp_path / "no-cache") == []


def test_reference_notices_missing_files(tmp_path):
    folder = _folder(tmp_path, "onnx-model", {"model.onnx": b"o" * 10, "config.json": b"{}"})
    library = Library(tmp_path / "lib")
    import_model(folder, library.root, mode="reference")
    (folder / "model.onnx").unlink()
    [model] = library.all_models(tmp_path / "no-cache")
    assert model.state is InstallState.MISSING_FILES


def test_bad_input_is_one_clear_line(tmp_path):
    with pytest.raises(HfGuiError, match="does not exist") as err:
        import_model(tmp_path / "nope", tmp_path / "lib")
    assert "\n" not in str(err.value)
    with pytest.raises(HfGuiError, match="Unknown format"):
        import_model(_gguf(tmp_path / "a.gguf"), tmp_path / "lib", model_format="tflite")
    with pytest.raises(HfGuiError):
        import_model(_gguf(tmp_path / "b.gguf"), tmp_path / "lib", repo_id="not a repo id")
