"""Check for updates (newer commits on the Hub) and Update (download only the files that changed)."""

from __future__ import annotations

from PySide6 import QtCore

from hfgui.core.errors import DownloadCancelledError
from hfgui.core.library.care import UpdateInfo, UpdateResult, check_updates, update_model
from hfgui.core.library.installed import Library
from hfgui.core.words import counted
from hfgui.gui.library.library_model import LibraryRow, LibraryTableModel
from hfgui.gui.library.operations import OperationRunner, one_line
from hfgui.gui.services import Services


class Updater(QtCore.QObject):
    """Puts what a check found into the table (`LibraryTableModel.set_updates`), then emits ``checked()``;
    ``disk_changed()`` after an update changed files; ``rescan_needed()`` after one failed."""

    checked = QtCore.Signal()
    disk_changed = QtCore.Signal()
    rescan_needed = QtCore.Signal()

    def __init__(
        self,
        services: Services,
        operations: OperationRunner,
        table: LibraryTableModel,
        parent: QtCore.QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._operations = operations
        self._table = table

    def check(self) -> None:
        """One request per model downloaded from the Hub; a model that fails is reported, not fatal."""
        operations = self._operations
        models = [row.model for row in self._table.rows() if row.updatable]
        if not models:
            operations.say("No model downloaded from the Hub to check.")
            return
        operation = operations.begin("check", "Checking for updates", indeterminate=True)
        if operation is None:
            return
        services = self._services
        root = services.library_root

        def run() -> list[UpdateInfo]:
            client = services.make_client()
            try:
                return check_updates(Library(root), client, models=models)
            finally:
                client.close()

        def done(found: list[UpdateInfo]) -> None:
            self._table.set_updates(found)
            newer = [info.repo_id for info in found if info.has_update]
            errors = [info for info in found if info.error]
            parts = []
            if newer:
                parts.append(f"Updates available for {', '.join(newer)}.")
            else:
                parts.append(_up_to_date(len(found) - len(errors)))
            if errors:
                parts.append(f"{len(errors)} could not be checked: {errors[0].error}")
            operations.say(" ".join(parts), error=bool(errors), ok=not errors and not newer)
            self.checked.emit()

        def failed(exc: BaseException) -> None:
            operations.say(f"Could not check for updates: {one_line(exc)}", error=True)

        operations.run(operation, run, done, failed)

    def update(self, row: LibraryRow) -> None:
        """Move the model to the newer commit the last check found; cancelled or failed, the installed
        copy is unchanged and the files fetched so far are kept for the next try."""
        info = self._table.update_info(row)
        if info is None or not info.has_update:
            return
        operations = self._operations
        operation = operations.begin("update", f"Updating {row.repo_id}", cancelable=True)
        if operation is None:
            return
        services = self._services
        settings = services.settings
        root = services.library_root

        def run() -> UpdateResult:
            client = services.make_client()
            try:
                return update_model(
                    client,
                    root,
                    row.repo_id,
                    revision=info.revision,
                    workers=settings.parallel_files,
                    on_progress=lambda progress: operations.report(operation, progress),
                    cancel=operation.cancel,
                    segments=settings.segments_per_file,
                    stall_timeout=float(settings.stall_timeout_seconds),
                    limiter=services.limiter,
                )
            finally:
                client.close()

        def done(result: UpdateResult) -> None:
            if not result.updated:
                operations.say(f"{row.repo_id} is already up to date.", ok=True)
            else:
                removed = f", {len(result.removed)} removed" if result.removed else ""
                operations.say(
                    f"Updated {row.repo_id} to {result.new_commit[:8]}: "
                    f"{counted(len(result.downloaded), 'file')} downloaded,"
                    f" {len(result.kept)} unchanged{removed}.",
                    ok=True,
                )
            self.disk_changed.emit()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DownloadCancelledError):
                operations.say(
                    f"Update of {row.repo_id} was cancelled; the installed copy is unchanged. "
                    "Update again to resume."
                )
            else:
                operations.say(
                    f"Update of {row.repo_id} failed; the installed copy is unchanged. {one_line(exc)}",
                    error=True,
                )
            self.rescan_needed.emit()

        operations.run(operation, run, done, failed)


def _up_to_date(count: int) -> str:
    return "The checked model is up to date." if count == 1 else f"All {count} checked models are up to date."
