"""Models imported by reference: their records kept, read back, listed and forgotten, never their files."""

from __future__ import annotations

from pathlib import Path

from hfgui.core.library import references
from hfgui.core.library.model_state import SOURCE_REFERENCE, InstallState
from hfgui.core.library.references import Reference


def referenced_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine" / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "w.bin").write_bytes(b"weights")
    (folder / "sub" / "config.json").write_bytes(b"{}")
    return folder


def test_a_record_round_trips_and_lists_the_model(tmp_path):
    library = tmp_path / "library"
    folder = referenced_folder(tmp_path)
    ref = Reference("local/mine", folder, "safetensors", (("w.bin", 7), ("sub/config.json", 2)), 12.5)
    path = references.write_reference(library, ref)
    assert path == library / references.REFERENCES_DIR / "models--local--mine.json"
    assert references.read_reference(library, "local/mine") == ref
    assert references.all_references(library) == [ref]
    row = ref.listed()
    assert (row.repo_id, row.root, row.size, row.file_count) == ("local/mine", folder, 9, 2)
    assert (row.state, row.source, row.model_format) == (
        InstallState.REFERENCED,
        SOURCE_REFERENCE,
        "safetensors",
    )


def test_a_changed_or_missing_file_shows_as_missing_files(tmp_path):
    folder = referenced_folder(tmp_path)
    ref = Reference("local/mine", folder, "other", (("w.bin", 7),), 0.0)
    (folder / "w.bin").write_bytes(b"short")
    assert ref.state() is InstallState.MISSING_FILES
    (folder / "w.bin").unlink()
    assert ref.state() is InstallState.MISSING_FILES
    single = tmp_path / "model.gguf"
    single.write_bytes(b"GGUF")
    assert Reference("local/one", single, "gguf", (("", 4),), 0.0).state() is InstallState.REFERENCED


def test_unreadable_records_are_skipped(tmp_path):
    library = tmp_path / "library"
    good = Reference("local/good", tmp_path, "other", (), 0.0)
    references.write_reference(library, good)
    (library / references.REFERENCES_DIR / "models--local--bad.json").write_text(
        "{not json", encoding="utf-8"
    )
    (library / references.REFERENCES_DIR / "models--local--odd.json").write_text(
        '{"repo": 1}', encoding="utf-8"
    )
    assert references.all_references(library) == [good]
    assert references.read_reference(library, "local/bad") is None
    assert references.read_reference(library, "local/absent") is None


def test_forgetting_removes_the_record_only(tmp_path):
    library = tmp_path / "library"
    folder = referenced_folder(tmp_path)
    references.write_reference(library, Reference("local/mine", folder, "other", (("w.bin", 7),), 0.0))
    assert references.forget_reference(library, "local/mine") is True
    assert references.forget_reference(library, "local/mine") is False
    assert references.all_references(library) == []
    assert (folder / "w.bin").read_bytes() == b"weights"
