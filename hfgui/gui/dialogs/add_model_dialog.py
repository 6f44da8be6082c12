"""The Add model dialog: a repo id or Hub URL, checked with the Hub on a worker; pick files; remembered."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import HfGuiError
from hfgui.core.library.catalog import CatalogEntry, ModelReference, add_user_model, parse_model_reference
from hfgui.core.library.grouping import group_files
from hfgui.core.types import ModelInfo
from hfgui.gui.dialogs.choice_entry import entry_for_choice, listed_as
from hfgui.gui.dialogs.choice_rules import offer_text, one_quant_of_many
from hfgui.gui.dialogs.download_choice import DownloadChoice
from hfgui.gui.dialogs.repo_files import CheckedRepository, InstalledFiles, check_repository, installed_reader
from hfgui.gui.models.rows import ModelEntry
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner


class AddModelDialog(QtWidgets.QDialog):
    """Signals: added(object) with the stored CatalogEntry.

    ``installed_files(repo_id)`` gives the repository paths already on this computer, to mark installed
    quantisations; it is called on a worker (default: the library and the Hugging Face cache).
    """

    added = QtCore.Signal(object)

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        taken_ids: Iterable[str],
        parent=None,
        text: str = "",
        existing: Iterable[ModelEntry] = (),
        installed_files: InstalledFiles | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add model")
        self.setMinimumSize(640, 460)
        self.services = services
        self.runner = runner
        self.taken_ids = set(taken_ids)
        self.existing = list(existing)  # the window's rows
        self.installed_files = installed_files or installed_reader(services)
        self.info: ModelInfo | None = None
        self.revision = "main"
        self.single_choice = False
        self.last_error: BaseException | None = None
        self.all_paths: list[str] = []

        self.reference = QtWidgets.QLineEdit(text)
        self.reference.setPlaceholderText("owner/name or https://huggingface.co/owner/name")
        self.reference.returnPressed.connect(self.check)
        self.reference.textEdited.connect(self._reference_edited)
        self.check_button = QtWidgets.QPushButton("Check")
        self.check_button.setAutoDefault(False)  # Enter adds once checked; in the id field it checks
        self.check_button.clicked.connect(self.check)
        self.status = QtWidgets.QLabel("Paste a model id or a Hugging Face link, then Check.")
        self.status.setWordWrap(True)
        self.name_edit = QtWidgets.QLineEdit()
        self.files = DownloadChoice()
        self.files.changed.connect(self._update_add)
        self.box = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = self.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add")
        self.add_button.setDefault(True)
        self.add_button.setEnabled(False)
        self.box.accepted.connect(self.add)
        self.box.rejected.connect(self.reject)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.reference, 1)
        top.addWidget(self.check_button)
        form = QtWidgets.QFormLayout()
        form.addRow("Name:", self.name_edit)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addWidget(QtWidgets.QLabel("What to download:"))
        layout.addWidget(self.files, 1)
        layout.addWidget(self.box)

    def check(self) -> None:
        try:
            ref = parse_model_reference(self.reference.text(), self.services.endpoint)
        except HfGuiError as exc:
            self._fail(exc)
            return
        services, installed_files = self.services, self.installed_files
        self.check_button.setEnabled(False)
        self.status.setText(f"Checking {ref.repo_id} with the Hub…")

        def done(checked: CheckedRepository) -> None:
            self.check_button.setEnabled(True)
            self._show(ref, checked)

        def failed(exc: BaseException) -> None:
            self.check_button.setEnabled(True)
            self._fail(exc)

        self.runner.submit(lambda: check_repository(services, ref, installed_files), done, failed)

    def _reference_edited(self, _text: str) -> None:
        """Another id: what was checked no longer applies (Enter must not add the old one)."""
        self.info = None
        self._update_add()

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(" ".join(str(exc).split()))
        self.add_button.setEnabled(False)

    def _show(self, ref: ModelReference, checked: CheckedRepository) -> None:
        info = checked.info
        self.info, self.revision, self.last_error = info, ref.revision, None
        items = group_files(checked.files, library_name=info.library_name, tags=info.tags)
        self.single_choice = one_quant_of_many(items)
        self.all_paths = [f.path for f in checked.files if f.is_file]
        self.files.set_items(items, wanted_path=ref.path, installed=checked.installed)
        self.name_edit.setText(info.repo_id.split("/", 1)[1])
        self.status.setStyleSheet("")
        self.status.setText(f"{info.repo_id}: {offer_text(len(self.all_paths), items, info.gated)}")
        self._update_add()

    def chosen_paths(self) -> list[str]:
        return self.files.chosen_paths()

    def _update_add(self) -> None:
        self.add_button.setEnabled(self.info is not None and bool(self.files.chosen_items()))

    def build_entry(self) -> CatalogEntry:
        assert self.info is not None
        return entry_for_choice(
            self.info.repo_id,
            self.files.chosen_items(),
            revision=self.revision,
            tags=self.info.tags,
            name=self.name_edit.text(),
            taken_ids=self.taken_ids,
        )

    def add(self) -> None:
        try:
            entry = self.build_entry()
        except HfGuiError as exc:
            self._fail(exc)
            return
        twin = listed_as(entry, self.existing, self.all_paths)  # the same files twice are refused
        if twin is not None:
            self._fail(
                HfGuiError(f"These files are already in the list as {twin.name}.", "Choose other files.")
            )
            return
        paths, builtin = self.services.paths, self.services.builtin_catalog_file
        self.add_button.setEnabled(False)

        def stored(result: CatalogEntry) -> None:
            self.added.emit(result)
            self.accept()

        self.runner.submit(lambda: add_user_model(paths, entry, builtin_file=builtin), stored, self._fail)
