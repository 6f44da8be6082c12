"""The Downloads page: the library folder and its free space, the Hugging Face cache option, models at
once, files and connections at once, the bandwidth limit, resuming on start."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.engine.diskspace import free_bytes
from hfgui.core.errors import format_bytes
from hfgui.gui.settings.common import MAX_RATE_MB, MEGABYTE, PAGE_DOWNLOADS


class DownloadsPage:
    """A mixin of SettingsDialog."""

    def _downloads_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        settings, services = self.services.settings, self.services
        self.library_edit = QtWidgets.QLineEdit(str(services.library_root))
        self.library_edit.editingFinished.connect(self.refresh_free_space)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self.browse_library)
        self.free_label = QtWidgets.QLabel("")
        library_row = QtWidgets.QHBoxLayout()
        library_row.addWidget(self.library_edit, 1)
        library_row.addWidget(browse)
        self.parallel_spin = QtWidgets.QSpinBox()
        self.parallel_spin.setRange(1, 8)
        self.parallel_spin.setValue(settings.parallel_models)
        # 0 shows as "Automatic": files in flight and connections per large file measured as they go.
        self.files_spin = QtWidgets.QSpinBox()
        self.files_spin.setRange(0, 32)
        self.files_spin.setSpecialValueText("Automatic")
        self.files_spin.setValue(settings.parallel_files)
        self.files_spin.setToolTip(
            "Files of one model downloaded at once. Automatic grows it while it helps (up to 32): "
            "a far-away Hub needs more, and fewer when the Hub limits requests"
        )
        self.segments_spin = QtWidgets.QSpinBox()
        self.segments_spin.setRange(0, 16)
        self.segments_spin.setSpecialValueText("Automatic")
        self.segments_spin.setValue(settings.segments_per_file)
        self.segments_spin.setToolTip(
            "Connections for one large file. Automatic starts with one and adds more while they raise "
            "the speed (up to 16); 1 = a single stream"
        )
        self.auto_resume = QtWidgets.QCheckBox("Resume interrupted downloads when hfgui starts")
        self.auto_resume.setChecked(settings.auto_resume)
        self.use_hf_cache = QtWidgets.QCheckBox(
            "Store new downloads in the Hugging Face cache (shared with transformers)"
        )
        self.use_hf_cache.setChecked(settings.use_hf_cache)
        self.cache_path_label = QtWidgets.QLabel(f"Cache: {services.hf_cache_dir}")
        self.cache_path_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cache_path_label.setWordWrap(True)
        self.bandwidth_spin = QtWidgets.QDoubleSpinBox()
        self.bandwidth_spin.setRange(0.0, MAX_RATE_MB)
        self.bandwidth_spin.setDecimals(1)
        self.bandwidth_spin.setSingleStep(0.5)
        self.bandwidth_spin.setSuffix(" MB/s")
        self.bandwidth_spin.setSpecialValueText("Unlimited")  # shown at 0
        self.bandwidth_spin.setValue(settings.bandwidth_limit / MEGABYTE)
        self.bandwidth_spin.setToolTip("Shared by all downloads and updates; 0 = unlimited")
        form = QtWidgets.QFormLayout(page)
        form.addRow("Library folder:", library_row)
        form.addRow("", self.free_label)
        form.addRow("", self.use_hf_cache)
        form.addRow("", self.cache_path_label)
        form.addRow("Models at once:", self.parallel_spin)
        form.addRow("Files at once:", self.files_spin)
        form.addRow("Connections per file:", self.segments_spin)
        form.addRow("Bandwidth limit:", self.bandwidth_spin)
        form.addRow("", self.auto_resume)
        return page

    def browse_library(self) -> None:
        dialog = QtWidgets.QFileDialog(self, "Choose the library folder", self.library_edit.text())
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.Directory)
        dialog.setOption(QtWidgets.QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self._library_chosen)
        self.folder_dialog = dialog
        dialog.open()

    def _library_chosen(self, folder: str) -> None:
        if folder:
            self.library_edit.setText(folder)
            self.refresh_free_space()

    def focus_library(self) -> None:
        self.show_page(PAGE_DOWNLOADS)
        self.library_edit.setFocus()
        self.library_edit.selectAll()

    def refresh_free_space(self) -> None:
        folder = self.library_edit.text().strip()
        if not folder:
            self.free_label.setText("")
            return
        from pathlib import Path

        self.runner.submit(
            lambda: free_bytes(Path(folder).expanduser()),
            lambda free: self.free_label.setText(f"{format_bytes(free)} free on that disk"),
            lambda exc: self.free_label.setText(f"Cannot read free space: {exc}"),
        )
