"""Delete…: ask, then remove a model from the library or the Hugging Face cache, or forget an import."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import format_bytes
from hfgui.core.library.installed import SOURCE_HF_CACHE, SOURCE_LIBRARY, SOURCE_REFERENCE, Library
from hfgui.core.store.hfcache import delete_cached_model
from hfgui.gui.library.library_model import LibraryRow
from hfgui.gui.library.operations import OperationRunner, one_line
from hfgui.gui.services import Services
from hfgui.gui.widgets.questions import Buttons


class Deleter(QtCore.QObject):
    """``deleted(repo id)`` when a model left the library folder (the Models tab forgets its download);
    ``disk_changed()`` after any delete, failed ones too (part of the model may be gone)."""

    deleted = QtCore.Signal(str)
    disk_changed = QtCore.Signal()

    def __init__(
        self,
        services: Services,
        operations: OperationRunner,
        ask: Callable[[str, str, Buttons], QtWidgets.QMessageBox],
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._operations = operations
        self._ask = ask

    def confirm(self, row: LibraryRow) -> None:
        """Ask first, saying what goes and what stays; deleting starts only on the answer."""
        model = row.model
        if row.source == SOURCE_REFERENCE:
            text = (
                f"Remove {model.repo_id} from the library?\n\nIt was imported in place: its files at "
                f"{model.root} stay where they are and nothing is deleted from disk."
            )
            action = "Remove from library"
        elif row.source == SOURCE_HF_CACHE:
            text = (
                f"Delete {model.repo_id} from the Hugging Face cache?\n\nThis frees about "
                f"{format_bytes(model.size)} in {self._services.hf_cache_dir} (all its revisions). "
                "Programs that share the cache, such as transformers, download it again when needed."
            )
            action = "Delete"
        else:
            text = (
                f"Delete {model.repo_id} from the library?\n\nThis frees about {format_bytes(model.size)} "
                f"({model.root}, with its partial downloads)."
            )
            action = "Delete"
        self._ask("Delete model", text, ((action, lambda: self.delete(row)), ("Cancel", None)))

    def delete(self, row: LibraryRow) -> None:
        operations = self._operations
        operation = operations.begin("delete", f"Deleting {row.repo_id}")
        if operation is None:
            return
        root = self._services.library_root
        cache_dir = self._services.hf_cache_dir

        def run() -> int:
            if row.source == SOURCE_HF_CACHE:
                return delete_cached_model(row.repo_id, cache_dir)
            return Library(root).delete(row.repo_id)

        def done(freed: int) -> None:
            if row.source == SOURCE_REFERENCE:
                operations.say(
                    f"Removed {row.repo_id} from the library; its files stay at {row.model.root}.", ok=True
                )
            else:
                operations.say(f"Deleted {row.repo_id}: {format_bytes(freed)} freed.", ok=True)
                if row.source == SOURCE_LIBRARY:
                    self.deleted.emit(row.repo_id)
            self.disk_changed.emit()

        def failed(exc: BaseException) -> None:
            operations.say(f"Could not delete {row.repo_id}: {one_line(exc)}", error=True)
            self.disk_changed.emit()

        operations.run(operation, run, done, failed)
