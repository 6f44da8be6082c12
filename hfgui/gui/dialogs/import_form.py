"""The Import dialog's form: its fields, buttons, progress and status, and how the fields enable each other;
no file is read here (the dialog does that on a worker)."""

from __future__ import annotations

from PySide6 import QtWidgets

from hfgui.core.library.importer import MODE_COPY, MODE_REFERENCE

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


class ImportForm(QtWidgets.QDialog):
    """What to import (a path, typed or picked), its format once detected, a name or the Hub id it is a
    copy of, copy or reference; then the progress, one status line and Import / Cancel.

    `ImportDialog` adds the behaviour (a form base class, as Qt Designer's generated forms are).
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a model")
        self.setMinimumWidth(560)
        self.path_edit = QtWidgets.QLineEdit()
        self.path_edit.setPlaceholderText("A model file (.gguf, .onnx…) or folder (.mlpackage, MLX…)")
        self.file_button = QtWidgets.QPushButton("File…")
        self.folder_button = QtWidgets.QPushButton("Folder…")
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
        self._lay_out()

    def _lay_out(self) -> None:
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

    def mode(self) -> str:
        return MODE_REFERENCE if self.reference_radio.isChecked() else MODE_COPY

    def repo_id(self) -> str | None:
        """The Hub id typed, if any; it names the model, so the name field then does not apply."""
        return self.repo_edit.text().strip() or None

    def name(self) -> str | None:
        return None if self.repo_id() else (self.name_edit.text().strip() or None)

    def show_format(self, model_format: str | None) -> None:
        self.format_label.setText(FORMAT_LABELS.get(model_format, model_format) if model_format else "—")

    def _show_mode_help(self) -> None:
        self.mode_help.setText(REFERENCE_HELP if self.mode() == MODE_REFERENCE else COPY_HELP)

    def set_fields_enabled(self, enabled: bool) -> None:
        """All fields on or off (off while an import runs); the name stays off beside a Hub id."""
        for widget in (
            self.path_edit,
            self.file_button,
            self.folder_button,
            self.name_edit,
            self.repo_edit,
            self.copy_radio,
            self.reference_radio,
        ):
            widget.setEnabled(enabled)
        if enabled:
            self.name_edit.setEnabled(not self.repo_id())

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)
