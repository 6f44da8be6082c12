"""The Add model dialog: a repo id or Hub URL, checked with the Hub on a worker; pick files; remembered."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from PySide6 import QtCore, QtWidgets

from hfgui.core.catalog import CatalogEntry, add_user_model, parse_model_reference, path_matches
from hfgui.core.errors import HfGuiError
from hfgui.core.grouping import group_files
from hfgui.core.types import ModelInfo, TreeEntry
from hfgui.gui.dialogs.download_choice import (
    DownloadChoice,
    InstalledFiles,
    choice_hint,
    entry_for_choice,
    installed_reader,
)
from hfgui.gui.models.entries import model_entry
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
        self.existing = list(existing)  # the window's rows: the same files twice are refused
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

        def fetch() -> tuple[ModelInfo, list[TreeEntry], Collection[str]]:
            client = services.make_client(quick=True)  # a person waits: an unreachable Hub fails in seconds
            try:
                info = client.model_info(ref.repo_id, ref.revision)
                files = [e for e in client.list_tree(ref.repo_id, info.sha, recursive=True) if e.is_file]
            finally:
                client.close()
            return info, files, installed_files(info.repo_id)

        def done(result: tuple[ModelInfo, list[TreeEntry], Collection[str]]) -> None:
            self.check_button.setEnabled(True)
            self._show(ref.revision, ref.path, *result)

        def failed(exc: BaseException) -> None:
            self.check_button.setEnabled(True)
            self._fail(exc)

        self.runner.submit(fetch, done, failed)

    def _reference_edited(self, _text: str) -> None:
        """Another id: what was checked no longer applies (Enter must not add the old one)."""
        self.info = None
        self._update_add()

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(" ".join(str(exc).split()))
        self.add_button.setEnabled(False)

    def _show(
        self,
        revision: str,
        path: str | None,
        info: ModelInfo,
        files: list[TreeEntry],
        installed: Collection[str] = (),
    ) -> None:
        self.info, self.revision, self.last_error = info, revision, None
        items = group_files(files, library_name=info.library_name, tags=info.tags)
        # A GGUF repo usually holds one file per quantisation: the user wants exactly one of them.
        self.single_choice = sum(1 for i in items if i.kind == "gguf-quant") > 1
        self.all_paths = [f.path for f in files if f.is_file]
        self.files.set_items(items, wanted_path=path, installed=installed)
        self.name_edit.setText(info.repo_id.split("/", 1)[1])
        gated = " It is gated: accept its license on the Hub and add a token." if info.gated else ""
        hint = choice_hint(items)
        self.status.setStyleSheet("")
        self.status.setText(f"{info.repo_id}: {len(self.all_paths)} files. {hint}{gated}")
        self._update_add()

    def _listed_as(self, entry: CatalogEntry) -> ModelEntry | None:
        """A row of the window that selects exactly the files this entry would."""
        new = model_entry(entry)

        def selected(row: ModelEntry) -> set[str]:
            return {p for p in self.all_paths if path_matches(p, row.include, row.exclude)}

        wanted = selected(new)
        for row in self.existing:
            if row.repo_id.lower() == new.repo_id.lower() and selected(row) == wanted:
                return row
        return None

    def chosen_paths(self) -> list[str]:
        return self.files.chosen_paths()

    def select_paths(self, chosen: Iterable[str]) -> None:
        """Check the items that hold exactly the given files (and only those)."""
        chosen = set(chosen)
        self.files.select_items(i for i in self.files.items() if set(i.paths) <= chosen)

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
        twin = self._listed_as(entry)
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
