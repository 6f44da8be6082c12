"""`Library.delete` never reaches outside the library through a symlink, nor into a referenced model."""

from __future__ import annotations

import os

import pytest

from hfgui.core.errors import HfGuiError
from hfgui.core.library.installed import Library, Reference
from hfgui.core.store.manifest import Manifest, ManifestFile, write_manifest


def _model(folder, data: bytes = b"weights"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "w.bin").write_bytes(data)
    write_manifest(
        folder, Manifest("o/m", "main", "c" * 40, (ManifestFile("w.bin", len(data), "e" * 64),), 0.0)
    )


def test_owner_folder_linked_out_of_the_library_is_not_followed(tmp_path):
    library_root = tmp_path / "library"
    library_root.mkdir()
    outside = tmp_path / "elsewhere"
    _model(outside / "m")
    os.symlink(outside, library_root / "o")

    with pytest.raises(HfGuiError, match="outside the library"):
        Library(library_root).delete("o/m")

    assert (outside / "m" / "w.bin").read_bytes() == b"weights"


def test_model_folder_that_is_a_symlink_gives_one_clear_line(tmp_path):
    library_root = tmp_path / "library"
    (library_root / "o").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    _model(outside)
    os.symlink(outside, library_root / "o" / "m")

    with pytest.raises(HfGuiError) as caught:
        Library(library_root).delete("o/m")

    assert "\n" not in str(caught.value)
    assert (outside / "w.bin").exists()


def test_links_inside_a_model_are_removed_not_followed(tmp_path):
    library_root = tmp_path / "library"
    _model(library_root / "o" / "m")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    os.symlink(precious, library_root / "o" / "m" / "link")

    Library(library_root).delete("o/m")

    assert not (library_root / "o" / "m").exists()
    assert (precious / "keep.txt").read_text() == "mine"


def test_a_model_holding_a_referenced_model_is_not_deleted(tmp_path):
    library_root = tmp_path / "library"
    _model(library_root / "o" / "m")
    library = Library(library_root)
    referenced = library_root / "o" / "m"
    library.add_reference(Reference("local/mine", referenced, "other", (("w.bin", 7),), 0.0))

    with pytest.raises(HfGuiError, match="local/mine"):
        library.delete("o/m")

    assert (referenced / "w.bin").exists()
