"""The Import dialog: add a model file or folder that is already on disk, copied in or referenced in place;
what the path holds is detected, and the import runs, on a worker."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import DownloadCancelledError, format_bytes
from hfgui.core.library.importer import MODE_COPY, ImportResult, default_name, detect_format, import_model
from hfgui.gui.dialogs.import_form import ImportForm
from hfgui.gui.services import Services
from hfgui.gui.widgets.formatting import permille
from hfgui.gui.workers import Mailbox, TaskRunner

# (parent, kind "file" | "folder", start folder) -> the chosen path, or None when cancelled.
FilePicker = Callable[[QtWidgets.QWidget, str, str], "str | None"]


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


class ImportDialog(ImportForm):
    """``ImportDialog(services, parent=None, *, pick=qt_file_picker)``; ``pick`` is replaceable in tests.

    Signal: ``imported(ImportResult)`` once the model is in the library (then the dialog closes).
    Detection and the import run on a worker; Cancel during a copy stops it and leaves nothing behind.
    """

    imported = QtCore.Signal(object)

    def __init__(
        self, services: Services, parent: QtWidgets.QWidget | None = None, *, pick: FilePicker | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.pick = pick or qt_file_picker
        self.runner = TaskRunner(1, self)
        self.detected: Detected | None = None
        self.result: ImportResult | None = None
        self.last_error: BaseException | None = None
        self._detect_generation = 0
        self._cancel: threading.Event | None = None  # set while an import runs
        self.copied = 0
        self._progress = Mailbox(self._add_progress, self)
        self.path_edit.editingFinished.connect(lambda: self.set_path(self.path_edit.text()))
        self.file_button.clicked.connect(lambda: self.browse("file"))
        self.folder_button.clicked.connect(lambda: self.browse("folder"))
        self.box.accepted.connect(self.start_import)
        self.box.rejected.connect(self.reject)

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
            self.show_format(None)
            return
        path = Path(text).expanduser()
        self.format_label.setText("detecting…")
        self.set_status(f"Looking at {path.name}…")
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
        self.show_format(found.model_format)
        self.name_edit.setText(default_name(found.path))
        self.set_status(f"{found.path.name}: {format_bytes(found.size)}. Ready to import.")
        self.import_button.setEnabled(True)

    def _detect_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._detect_generation:
            self.show_format(None)
            self._fail(exc)

    # --- importing -------------------------------------------------------------------------------

    def start_import(self) -> None:
        found = self.detected
        if found is None or self._cancel is not None:
            return
        repo_id, name, mode, library = self.repo_id(), self.name(), self.mode(), self.services.library_root
        cancel = threading.Event()
        self._cancel, self.copied = cancel, 0
        self._set_busy(True)
        total = found.size
        self.progress.setValue(0)
        self.progress.setVisible(mode == MODE_COPY)
        self.set_status("Copying and checking…" if mode == MODE_COPY else "Recording the reference…")
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
        self.set_status(f"{result.repo_id} ({format_bytes(result.size)}) was {how}.")
        self.imported.emit(result)
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        self._cancel = None
        self._set_busy(False)
        self.progress.setVisible(False)
        if isinstance(exc, DownloadCancelledError):
            self.set_status("Import cancelled; nothing was added.")
            return
        self._fail(exc)

    def reject(self) -> None:
        """Cancel (or Escape) stops a running import, whose partial copy is removed; else closes."""
        if self._cancel is not None:
            self._cancel.set()
            self.set_status("Cancelling…")
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self.set_fields_enabled(not busy)
        self.import_button.setEnabled(not busy and self.detected is not None)

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self.set_status(" ".join(str(exc).split()) or type(exc).__name__, error=True)
        self.import_button.setEnabled(self.detected is not None and self._cancel is None)

    def wait_idle(self, msecs: int = -1) -> bool:
        return self.runner.wait(msecs)
