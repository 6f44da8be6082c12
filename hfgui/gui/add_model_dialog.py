"""The Add model dialog: a repo id or Hub URL, checked with the Hub on a worker; pick files; remembered."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtWidgets

from hfgui.core.catalog import CatalogEntry, add_user_model, parse_model_reference
from hfgui.core.errors import HfGuiError, format_bytes
from hfgui.core.types import ModelInfo, TreeEntry
from hfgui.gui.entries import guess_kind, new_entry_id, quantization_of
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner

CHECKED = QtCore.Qt.CheckState.Checked
UNCHECKED = QtCore.Qt.CheckState.Unchecked
PATH_ROLE = int(QtCore.Qt.ItemDataRole.UserRole) + 1


class AddModelDialog(QtWidgets.QDialog):
    """Signals: added(object) with the stored CatalogEntry."""

    added = QtCore.Signal(object)

    def __init__(
        self, services: Services, runner: TaskRunner, taken_ids: Iterable[str], parent=None, text: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add model")
        self.setMinimumSize(640, 460)
        self.services = services
        self.runner = runner
        self.taken_ids = set(taken_ids)
        self.info: ModelInfo | None = None
        self.revision = "main"
        self.single_choice = False
        self.last_error: BaseException | None = None
        self.all_paths: list[str] = []

        self.reference = QtWidgets.QLineEdit(text)
        self.reference.setPlaceholderText("owner/name or https://huggingface.co/owner/name")
        self.reference.returnPressed.connect(self.check)
        self.check_button = QtWidgets.QPushButton("Check")
        self.check_button.clicked.connect(self.check)
        self.status = QtWidgets.QLabel("Paste a model id or a Hugging Face link, then Check.")
        self.status.setWordWrap(True)
        self.name_edit = QtWidgets.QLineEdit()
        self.files = QtWidgets.QListWidget()
        self.files.itemChanged.connect(self._item_changed)
        self.box = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = self.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add")
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
        layout.addWidget(QtWidgets.QLabel("Files to download:"))
        layout.addWidget(self.files, 1)
        layout.addWidget(self.box)

    def check(self) -> None:
        try:
            ref = parse_model_reference(self.reference.text(), self.services.endpoint)
        except HfGuiError as exc:
            self._fail(exc)
            return
        services = self.services
        self.check_button.setEnabled(False)
        self.status.setText(f"Checking {ref.repo_id} with the Hub…")

        def fetch() -> tuple[ModelInfo, list[TreeEntry]]:
            client = services.make_client()
            try:
                info = client.model_info(ref.repo_id, ref.revision)
                return info, [e for e in client.list_tree(ref.repo_id, info.sha, recursive=True) if e.is_file]
            finally:
                client.close()

        def done(result: tuple[ModelInfo, list[TreeEntry]]) -> None:
            self.check_button.setEnabled(True)
            self._show(ref.revision, ref.path, *result)

        def failed(exc: BaseException) -> None:
            self.check_button.setEnabled(True)
            self._fail(exc)

        self.runner.submit(fetch, done, failed)

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self.status.setStyleSheet("color: #c62828;")
        self.status.setText(" ".join(str(exc).split()))
        self.add_button.setEnabled(False)

    def _show(self, revision: str, path: str | None, info: ModelInfo, files: list[TreeEntry]) -> None:
        self.info, self.revision, self.last_error = info, revision, None
        paths = [f.path for f in files]
        ggufs = [p for p in paths if p.lower().endswith(".gguf")]
        # A GGUF repo usually holds one file per quantisation: the user wants exactly one of them.
        self.single_choice = len(ggufs) > 1
        shown = ggufs if self.single_choice else paths
        self.all_paths = paths
        self.files.blockSignals(True)
        self.files.clear()
        sizes = {f.path: f.size for f in files}
        for p in shown:
            item = QtWidgets.QListWidgetItem(f"{p}   ({format_bytes(sizes[p])})")
            item.setData(PATH_ROLE, p)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            wanted = (
                p == path
                or (path and p.startswith(path.rstrip("/") + "/"))
                or (not path and not self.single_choice)
            )
            item.setCheckState(CHECKED if wanted else UNCHECKED)
            self.files.addItem(item)
        if self.single_choice and not self.chosen_paths():
            preferred = next((p for p in ggufs if "q4_k_m" in p.lower()), ggufs[0])
            self.select_paths([preferred])
        self.files.blockSignals(False)
        self.name_edit.setText(info.repo_id.split("/", 1)[1])
        gated = " It is gated: accept its license on the Hub and add a token." if info.gated else ""
        hint = "Pick one quantisation." if self.single_choice else "Untick the files you do not need."
        self.status.setStyleSheet("")
        self.status.setText(f"{info.repo_id}: {len(files)} files. {hint}{gated}")
        self._update_add()

    def chosen_paths(self) -> list[str]:
        return [
            self.files.item(i).data(PATH_ROLE)
            for i in range(self.files.count())
            if self.files.item(i).checkState() == CHECKED
        ]

    def select_paths(self, chosen: Iterable[str]) -> None:
        chosen = set(chosen)
        for i in range(self.files.count()):
            item = self.files.item(i)
            item.setCheckState(CHECKED if item.data(PATH_ROLE) in chosen else UNCHECKED)

    def _item_changed(self, item: QtWidgets.QListWidgetItem) -> None:
        if self.single_choice and item.checkState() == CHECKED:
            self.files.blockSignals(True)
            self.select_paths([item.data(PATH_ROLE)])
            self.files.blockSignals(False)
        self._update_add()

    def _update_add(self) -> None:
        self.add_button.setEnabled(self.info is not None and bool(self.chosen_paths()))

    def build_entry(self) -> CatalogEntry:
        assert self.info is not None
        chosen = self.chosen_paths()
        framework, fmt = guess_kind(chosen, self.info.repo_id, self.info.tags)
        quant = quantization_of(chosen[0]) if fmt == "gguf" and len(chosen) == 1 else ""
        folder = _common_package(chosen, self.all_paths)
        name = self.name_edit.text().strip() or self.info.repo_id
        return CatalogEntry(
            id=new_entry_id(self.info.repo_id, quant, self.taken_ids),
            name=name + (f" {quant}" if quant and quant not in name else ""),
            repo=self.info.repo_id,
            framework=framework,
            format=fmt,
            revision=self.revision,
            files=() if folder else tuple(chosen),
            folder=folder,
            quantization=quant or None,
        )

    def add(self) -> None:
        try:
            entry = self.build_entry()
        except HfGuiError as exc:
            self._fail(exc)
            return
        paths, builtin = self.services.paths, self.services.builtin_catalog_file
        self.add_button.setEnabled(False)

        def stored(result: CatalogEntry) -> None:
            self.added.emit(result)
            self.accept()

        self.runner.submit(lambda: add_user_model(paths, entry, builtin_file=builtin), stored, self._fail)


def _common_package(chosen: list[str], every: list[str]) -> str | None:
    """The .mlpackage folder when the chosen files are exactly that whole package."""
    folders = {p.split(".mlpackage/", 1)[0] + ".mlpackage" for p in chosen if ".mlpackage/" in p}
    if len(folders) != 1:
        return None
    folder = folders.pop()
    inside = {p for p in every if p.startswith(folder + "/")}
    return folder if inside == set(chosen) else None
