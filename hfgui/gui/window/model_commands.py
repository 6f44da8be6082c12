"""What the window's model actions do to the selected model: download (or wait for the Hub), pause,
cancel, delete, forget, reveal, open on the Hub, and the status-bar line that confirms them. A mixin of
MainWindow."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from hfgui.core.errors import format_bytes
from hfgui.core.library.catalog import remove_user_model
from hfgui.gui.models.library_scan import delete_model
from hfgui.gui.models.rows import Status
from hfgui.gui.widgets.reveal import reveal_folder


class ModelCommands:
    """Needs from the window: models, model, manager, hub_watch, services, runner, library_state,
    open_url(), ask(), notify(), show_status(), refresh_library(), update_actions()."""

    def download_selected(self) -> None:
        """Download, Resume and Retry alike: partial files are picked up again."""
        key = self.selected_key()
        if key is not None:
            self.start_download(key)

    def start_download(self, key: str) -> None:
        """Now, or once the Hub answers when it cannot be reached."""
        if self.hub_watch.offline:
            error = self.hub_watch.error
            self.manager.hold(key, error.message if error is not None else "The Hub cannot be reached.")
            self.hub_watch.probe_now()  # perhaps it is back already
        else:
            self.manager.start(key)

    def pause_selected(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.manager.pause(key)

    def cancel_selected(self) -> None:
        state = self.selected_state()
        if state is None:
            return
        done = state.progress.bytes_done if state.progress else 0
        text = f"Stop downloading {state.entry.name} and delete what was downloaded so far"
        text += f" ({format_bytes(done)})?" if done else "?"
        key = state.entry.key
        self.ask(
            "Cancel download",
            text,
            (("Cancel download", lambda: self.manager.cancel(key)), ("Keep downloading", None)),
        )

    def _activated(self, _index: QtCore.QModelIndex) -> None:
        """A double click: show an installed model's files, pause a running download, else start."""
        state = self.selected_state()
        if state is None:
            return
        if state.status is Status.INSTALLED:
            self.reveal_selected()
        elif self.manager.is_active(state.entry.key):
            self.pause_selected()
        else:
            self.start_download(state.entry.key)

    def _download_stopped(self, key: str, how: str) -> None:
        state = self.model.state(key)
        name = state.entry.name if state is not None else key
        if how == "pause":
            self.show_status(f"Paused {name}: its partial files are kept, Resume continues.", 10_000)
        else:
            self.show_status(f"Cancelled {name}: what it had downloaded is deleted.", 10_000)

    # --- what is on disk -----------------------------------------------------------------------------

    def delete_selected(self) -> None:
        state = self.selected_state()
        if state is None:
            return
        repo = state.entry.repo_id
        freed = self.library_state.sizes.get(repo)  # bytes on disk, partial downloads included
        if freed is None:  # not scanned yet: what the download has so far, else the model's size
            freed = state.progress.bytes_done if state.progress is not None else state.size or 0
        key = state.entry.key
        others = [s.entry.name for s in self.model.states() if s.entry.repo_id == repo and s.entry.key != key]
        text = f"Delete {state.entry.name} ({repo}) from the library? This frees {format_bytes(freed)}."
        if others:
            text += " The files are shared with: " + ", ".join(others) + "."
        self.ask("Delete model", text, (("Delete", lambda: self._delete(repo)), ("Keep", None)))

    def _delete(self, repo_id: str) -> None:
        root = self.services.library_root

        def deleted(freed: int) -> None:
            self._repo_deleted(repo_id)
            self.notify("Model deleted", f"{repo_id} was deleted; {format_bytes(freed)} freed.")
            self.refresh_library()

        self.runner.submit(lambda: delete_model(root, repo_id), deleted, self._show_plain_error)

    def _repo_deleted(self, repo_id: str) -> None:
        """Its rows are downloadable again: nothing of it is left to resume (partials went with it)."""
        for state in self.model.states():
            if state.entry.repo_id == repo_id and not self.manager.is_active(state.entry.key):
                self.manager.forget(state.entry.key)
                self.model.update(state.entry.key, status=Status.AVAILABLE, progress=None, error=None)
        self.update_actions()

    def remove_selected_entry(self) -> None:
        """Forget a model the user added (built-in ones stay); its downloaded files are not touched."""
        state = self.selected_state()
        if state is None or not state.entry.user_added:
            return
        key, name, paths = state.entry.key, state.entry.name, self.services.paths
        on_disk = state.status in (Status.INSTALLED, Status.PAUSED, Status.FAILED)
        kept = " Its downloaded files stay in the library (Delete removes them)." if on_disk else ""

        def removed(_found: bool) -> None:
            self.manager.forget(key)
            self.model.remove_entry(key)
            self.details.show_state(self.selected_state())
            self.update_actions()

        def remove() -> None:
            self.runner.submit(lambda: remove_user_model(paths, key), removed, self._show_plain_error)

        self.ask(
            "Remove from list",
            f"Remove {name} from the list of models?{kept}",
            (("Remove", remove), ("Keep", None)),
        )

    def reveal_selected(self) -> None:
        state = self.selected_state()
        if state is None:
            return
        problem = reveal_folder(self.open_url, self.model_folder(state.entry.key))
        if problem is not None:
            self.show_status(problem, 15_000)

    def model_folder(self, key: str) -> Path:
        """Where the model's files are: the library folder, or its place in the HF cache / an import."""
        state = self.model.state(key)
        where = self.library_state.elsewhere.get(key)
        if where is not None and state is not None and state.location:
            return where.root
        return self.services.library_root / self.model.state(key).entry.repo_id

    def open_selected_on_hub(self) -> None:
        state = self.selected_state()
        if state is not None:
            self.open_url(QtCore.QUrl(f"{self.services.endpoint}/{state.entry.repo_id}"))
