"""The Import dialog: add a model file or folder that is already on disk, copied in or referenced in place."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import DownloadCancelledError, format_bytes
from hfgui.core.importer import (
    MODE_COPY,
    MODE_REFERENCE,
    ImportResult,
    default_name,
    detect_format,
    import_model,
)
from hfgui.gui.services import Services
from hfgui.gui.widgets.formatting import permille
from hfgui.gui.workers import Mailbox, TaskRunner

# (parent, kind "file" | "folder", start folder) -> the chosen path, or None when cancelled.
FilePicker = Callable[[QtWidgets.QWidget, str, str], "str | None"]
ERROR_STYLE = "color: #c62828;"
FORMAT_LABELS = {
    "gguf": "GGUF (llama.cpp)",
    "mlpackage": "Core ML package (.mlpackage)",
    "coreml": "Core ML model",
    "onnx": "ONNX",
    "mlx": "MLX",
    "safetensors": "safetensors",
    "other": "other (not recognised; it is imported as is)",
}
COPY_HELP = "Copy: the files are copied into the library and checked; the originals are left as they are."
REFERENCE_HELP = (
    "Reference: the files stay where they are and hfgui only records their place. Deleting the model"
    " in hfgui removes that record, never your files. Moving or changing them breaks the model."
)


def qt_file_picker(parent: QtWidgets.QWidget, kind: str, start: str) -> str | None:
    if kind == "folder":
        chosen = QtWidgets.QFileDialog.getExistingDirectory(parent, "Import a model folder", start)
    else:
        chosen, _filter = QtWidgets.QFileDialog.getOpenFileName(
            parent,
            "Import a model file",
            start,
            "Model files (*.gguf *.onnx *.safetensors *.mlmodel *.bin *.npz *.pt *.pth);;All files (*)",
        )
    return chosen or None


@dataclass(frozen=True)
class Detected:
    path: Path
    model_format: str
    size: int  # bytes that a copy reads, for the progress bar


def inspect(path: Path) -> Detected:
    """The format (raises HfGuiError for a file that lies about it) and the size of ``path``."""
    fmt = detect_format(path)
    if path.is_file():
        return Detected(path, fmt, path.stat().st_size)
    size = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                size += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                pass  # vanished or unreadable: the import itself will say so
    return Detected(path, fmt, size)


class ImportDialog(QtWidgets.QDialog):
    """``ImportDialog(services, parent=None, *, pick=qt_file_picker)``; ``pick`` is replaceable in tests.

    Signal: ``imported(ImportResult)`` once the model is in the library (then the dialog closes).
    Detection and the import run on a worker; Cancel during a copy stops it and leaves nothing behind.
    """

    imported = QtCore.Signal(object)

    def __init__(
        self, services: Services, parent: QtWidgets.QWidget | None = None, *, pick: FilePicker | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a model")
        self.setMinimumWidth(560)
        self.services = services
        self.pick = pick or qt_file_picker
        self.runner = TaskRunner(1, self)
        self.detected: Detected | None = None
        self.result: ImportResult | None = None
        self.last_error: BaseException | None = None
        self._detect_generation = 0
        self._cancel: threading.Event | None = None
        self.copied = 0
        self._progress = Mailbox(self._add_progress, self)

        self.path_edit = QtWidgets.QLineEdit()
        self.path_edit.setPlaceholderText("A model file (.gguf, .onnx…) or folder (.mlpackage, MLX…)")
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text()))
        self.file_button = QtWidgets.QPushButton("File…")
        self.file_button.clicked.connect(lambda: self.browse("file"))
        self.folder_button = QtWidgets.QPushButton("Folder…")
        self.folder_button.clicked.connect(lambda: self.browse("folder"))
        self.format_label = QtWidgets.QLabel("—")
        self.name_edit = QtWidgets.QLineEdit()
        self.name_edit.setPlaceholderText("listed as local/<name>")
        self.repo_edit = QtWidgets.QLineEdit()
        self.repo_edit.setPlaceholderText("optional: owner/name of the Hub model this is a copy of")
        self.repo_edit.textChanged.connect(lambda text: self.name_edit.setEnabled(not text.strip()))
        self.copy_radio = QtWidgets.QRadioButton("Copy into the library")
        self.reference_radio = QtWidgets.QRadioButton("Reference in place")
        self.copy_radio.setChecked(True)
        self.copy_radio.toggled.connect(lambda _on: self._show_mode_help())
        self.mode_help = QtWidgets.QLabel(COPY_HELP)
        self.mode_help.setWordWrap(True)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(False)
        self.status = QtWidgets.QLabel("Choose a file or folder to import.")
        self.status.setWordWrap(True)

        self.box = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setEnabled(False)
        self.cancel_button = self.box.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.box.accepted.connect(self.start_import)
        self.box.rejected.connect(self.reject)

        where = QtWidgets.QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.file_button)
        where.addWidget(self.folder_button)
        modes = QtWidgets.QHBoxLayout()
        modes.addWidget(self.copy_radio)
        modes.addWidget(self.reference_radio)
        modes.addStretch(1)
        form = QtWidgets.QFormLayout()
        form.addRow("Import:", where)
        form.addRow("Format:", self.format_label)
        form.addRow("Name:", self.name_edit)
        form.addRow("Hub id:", self.repo_edit)
        form.addRow("How:", modes)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.mode_help)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.box)

    # --- choosing --------------------------------------------------------------------------------

    def browse(self, kind: str) -> None:
        start = str(self.detected.path.parent) if self.detected else str(Path.home())
        chosen = self.pick(self, kind, start)
        if chosen:
            self.set_path(chosen)

    def set_path(self, text: str) -> None:
        """Show ``text`` and detect its format on a worker (a folder may take a moment to walk)."""
        text = text.strip()
        if self.path_edit.text() != text:
            self.path_edit.setText(text)
        self._detect_generation += 1
        generation = self._detect_generation
        self.detected = None
        self.import_button.setEnabled(False)
        if not text:
            self.format_label.setText("—")
            return
        path = Path(text).expanduser()
        self.format_label.setText("detecting…")
        self._set_status(f"Looking at {path.name}…")
        self.runner.submit(
            lambda: inspect(path),
            lambda found: self._detected(generation, found),
            lambda exc: self._detect_failed(generation, exc),
        )

    def _detected(self, generation: int, found: Detected) -> None:
        if generation != self._detect_generation:
            return
        self.detected = found
        self.last_error = None
        self.format_label.setText(FORMAT_LABELS.get(found.model_format, found.model_format))
        self.name_edit.setText(default_name(found.path))
        self._set_status(f"{found.path.name}: {format_bytes(found.size)}. Ready to import.")
        self.import_button.setEnabled(True)

    def _detect_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._detect_generation:
            self.format_label.setText("—")
            self._fail(exc)

    def mode(self) -> str:
        return MODE_REFERENCE if self.reference_radio.isChecked() else MODE_COPY

    def _show_mode_help(self) -> None:
        self.mode_help.setText(REFERENCE_HELP if self.mode() == MODE_REFERENCE else COPY_HELP)

    # --- importing -------------------------------------------------------------------------------

    def start_import(self) -> None:
        found = self.detected
        if found is None or self._cancel is not None:
            return
        repo_id = self.repo_edit.text().strip() or None
        name = None if repo_id else (self.name_edit.text().strip() or None)
        mode, library = self.mode(), self.services.library_root
        cancel = threading.Event()
        self._cancel, self.copied = cancel, 0
        self._set_busy(True)
        total = found.size
        self.progress.setValue(0)
        self.progress.setVisible(mode == MODE_COPY)
        self._set_status("Copying and checking…" if mode == MODE_COPY else "Recording the reference…")
        post = self._progress.post

        def run() -> ImportResult:
            return import_model(
                found.path,
                library,
                repo_id=repo_id,
                name=name,
                mode=mode,
                model_format=found.model_format,
                on_bytes=lambda n: post((n, total)),
                cancel=cancel,
            )

        self.runner.submit(run, self._done, self._import_failed)

    def _add_progress(self, item: tuple[int, int]) -> None:
        n, total = item
        self.copied += n
        self.progress.setValue(permille(self.copied, total))

    def _done(self, result: ImportResult) -> None:
        self._cancel = None
        self._set_busy(False)
        self.result = result
        self.progress.setValue(1000)
        how = "copied into the library" if result.mode == MODE_COPY else "referenced in place"
        self._set_status(f"{result.repo_id} ({format_bytes(result.size)}) was {how}.")
        self.imported.emit(result)
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        self._cancel = None
        self._set_busy(False)
        self.progress.setVisible(False)
        if isinstance(exc, DownloadCancelledError):
            self._set_status("Import cancelled; nothing was added.")
            return
        self._fail(exc)

    def reject(self) -> None:
        """Cancel (or Escape) stops a running import, whose partial copy is removed; else closes."""
        if self._cancel is not None:
            self._cancel.set()
            self._set_status("Cancelling…")
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        for widget in (
            self.path_edit,
            self.file_button,
            self.folder_button,
            self.name_edit,
            self.repo_edit,
            self.copy_radio,
            self.reference_radio,
        ):
            widget.setEnabled(not busy)
        if not busy:
            self.name_edit.setEnabled(not self.repo_edit.text().strip())
        self.import_button.setEnabled(not busy and self.detected is not None)

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self._set_status(" ".join(str(exc).split()) or type(exc).__name__, error=True)
        self.import_button.setEnabled(self.detected is not None and self._cancel is None)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)

    def wait_idle(self, msecs: int = -1) -> bool:
        return self.runner.wait(msecs)
