"""The Import dialog: a small GGUF by copy and by reference, and a file that only pretends to be GGUF."""

from __future__ import annotations

import hashlib

import pytest
from PySide6 import QtCore

from hfgui.core.library.installed import Library
from hfgui.core.store.manifest import read_manifest
from hfgui.gui.dialogs.import_dialog import ImportDialog
from hfgui.gui.services import Services
from tests.gui.inputs import click

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
GGUF_BYTES = b"GGUF" + bytes(range(256)) * 40
SMALL_SCREEN = QtCore.QSize(1024, 640)  # a 1024×700 screen less a 60-px panel
FRAME = QtCore.QSize(20, 60)  # title bar and borders the window manager adds


@pytest.fixture
def services():
    return Services.from_environment()


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "outside" / "tiny-Q4_K_M.gguf"
    path.parent.mkdir()
    path.write_bytes(GGUF_BYTES)
    return path


def open_dialog(qtbot, services, chosen, asked=None) -> ImportDialog:
    def pick(parent, kind, start):
        if asked is not None:
            asked.append(kind)
        return str(chosen)

    dialog = ImportDialog(services, pick=pick)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose(dialog: ImportDialog, qtbot, kind: str = "file") -> None:
    click(qtbot, dialog.file_button if kind == "file" else dialog.folder_button)
    qtbot.waitUntil(lambda: dialog.detected is not None or dialog.last_error is not None, timeout=WAIT)


def test_import_by_copy_puts_a_verified_copy_in_the_library(qtbot, services, model_file):
    asked: list[str] = []
    dialog = open_dialog(qtbot, services, model_file, asked)
    choose(dialog, qtbot)
    assert asked == ["file"]
    assert dialog.path_edit.text() == str(model_file)
    assert dialog.format_label.text().startswith("GGUF")
    assert dialog.name_edit.text() == "tiny-Q4_K_M"
    assert dialog.import_button.isEnabled()
    dialog.name_edit.setText("tiny")

    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as blocker:
        click(qtbot, dialog.import_button)
    result = blocker.args[0]
    assert result.repo_id == "local/tiny" and result.mode == "copy" and result.model_format == "gguf"
    copy = services.library_root / "local" / "tiny" / model_file.name
    assert copy.read_bytes() == GGUF_BYTES
    manifest = read_manifest(services.library_root / "local" / "tiny")
    assert [f.etag for f in manifest.files] == [hashlib.sha256(GGUF_BYTES).hexdigest()]
    assert dialog.copied == len(GGUF_BYTES), "progress came from the copy itself"
    assert dialog.progress.value() == 1000
    assert model_file.read_bytes() == GGUF_BYTES, "the original is left alone"
    assert not dialog.isVisible()


def test_import_by_reference_records_the_place_and_copies_nothing(qtbot, services, model_file):
    dialog = open_dialog(qtbot, services, model_file)
    choose(dialog, qtbot)
    dialog.reference_radio.setChecked(True)
    assert "never your files" in dialog.mode_help.text()
    dialog.repo_edit.setText("acme/tiny-gguf")
    assert not dialog.name_edit.isEnabled(), "a Hub id names the model"

    with qtbot.waitSignal(dialog.imported, timeout=WAIT) as blocker:
        click(qtbot, dialog.import_button)
    result = blocker.args[0]
    assert result.repo_id == "acme/tiny-gguf" and result.mode == "reference"
    reference = Library(services.library_root).reference("acme/tiny-gguf")
    assert reference is not None and reference.path == model_file.resolve()
    assert reference.model_format == "gguf"
    assert not (services.library_root / "acme" / "tiny-gguf").exists()


def test_a_folder_is_picked_with_the_folder_chooser(qtbot, services, tmp_path):
    folder = tmp_path / "Tiny.mlpackage"
    (folder / "Data").mkdir(parents=True)
    (folder / "Manifest.json").write_text("{}")
    (folder / "Data" / "weight.bin").write_bytes(b"\0" * 100)
    asked: list[str] = []
    dialog = open_dialog(qtbot, services, folder, asked)
    choose(dialog, qtbot, "folder")
    assert asked == ["folder"]
    assert dialog.detected.model_format == "mlpackage"
    assert dialog.detected.size == 102
    assert dialog.name_edit.text() == "Tiny"


def test_a_fake_gguf_gives_a_one_line_message_and_cannot_be_imported(qtbot, services, tmp_path):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"<html>not a model</html>")
    dialog = open_dialog(qtbot, services, fake)
    choose(dialog, qtbot)
    text = dialog.status.text()
    assert "not a GGUF file" in text and "\n" not in text
    assert not dialog.import_button.isEnabled()
    qtbot.keyClick(dialog, QtCore.Qt.Key.Key_Return)  # Enter does not import an undetected model either
    assert not services.library_root.exists() or not any(services.library_root.rglob("fake*"))


def test_a_name_already_in_the_library_is_refused_with_one_line(qtbot, services, model_file):
    dialog = open_dialog(qtbot, services, model_file)
    choose(dialog, qtbot)
    with qtbot.waitSignal(dialog.imported, timeout=WAIT):
        click(qtbot, dialog.import_button)

    again = open_dialog(qtbot, services, model_file)
    choose(again, qtbot)
    click(qtbot, again.import_button)
    qtbot.waitUntil(lambda: again.last_error is not None, timeout=WAIT)
    text = again.status.text()
    assert "already in the library" in text and "\n" not in text
    assert "Library tab" in text and "--name" not in text  # the window's words, not the CLI's options
    assert again.isVisible() and again.import_button.isEnabled()


def test_it_fits_a_1024_by_700_screen_with_a_file_chosen(qtbot, services, model_file):
    dialog = open_dialog(qtbot, services, model_file)
    choose(dialog, qtbot)
    assert dialog.import_button.isEnabled()
    for size in (dialog.sizeHint().expandedTo(dialog.minimumSize()), dialog.size()):
        framed = size + FRAME
        assert framed.width() <= SMALL_SCREEN.width() and framed.height() <= SMALL_SCREEN.height(), framed
