"""What the window opens: Add model, Import, Settings and About, models named by an address (the
command line, a second launch), and models handed over by the Search and Library tabs. A mixin of
MainWindow."""

from __future__ import annotations

from PySide6 import QtWidgets

from hfgui import __version__
from hfgui.core.errors import HfGuiError
from hfgui.core.library.catalog import CatalogEntry, ModelReference, path_matches
from hfgui.core.library.launch import models_to_open
from hfgui.core.settings import Settings
from hfgui.gui.dialogs.add_model_dialog import AddModelDialog
from hfgui.gui.dialogs.import_dialog import ImportDialog
from hfgui.gui.models.entries import model_entry
from hfgui.gui.models.library_scan import LibraryState
from hfgui.gui.settings.settings_dialog import SettingsDialog
from hfgui.gui.widgets import questions


class Opening:
    """Needs from the window: services, runner, models, model, manager, sizes, tabs, library_panel,
    pick_file, ask(), show_status(), refresh_library(), start_download(), fetch_sizes()."""

    def add_model(self, text: str = "") -> AddModelDialog:
        rows = [s.entry for s in self.model.states()]
        dialog = AddModelDialog(self.services, self.runner, self.model.keys(), self, text=text, existing=rows)
        dialog.added.connect(self._model_added)
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def import_model(self) -> ImportDialog:
        """A model already on disk, copied into the library or referenced in place (Library tab shows it)."""
        dialog = ImportDialog(self.services, self, pick=self.pick_file)
        dialog.imported.connect(self._model_imported)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _model_imported(self, result) -> None:
        self.show_status(f"Imported {result.repo_id} ({result.mode}).", 10_000)
        self.refresh_library()
        self.library_panel.refresh()

    def open_settings(self, focus: str = "token") -> SettingsDialog:
        """Settings on the page for ``focus``: "token", "library" or "network"."""
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            dialog = self.settings_dialog
        else:
            dialog = SettingsDialog(self.services, self.runner, self)
            dialog.token_changed.connect(self._token_changed)
            dialog.settings_saved.connect(
                lambda _s, d=dialog: d.save_warning and self.show_status(d.save_warning, 15000)
            )
            self.settings_dialog = dialog
            dialog.open()
        {"library": dialog.focus_library, "network": dialog.focus_network}.get(focus, dialog.focus_token)()
        return dialog

    def show_about(self) -> QtWidgets.QMessageBox:
        text = (
            f"hfgui {__version__} — a desktop model manager for the Hugging Face Hub.\n\n"
            f"Hub: {self.services.endpoint}\nLibrary: {self.services.library_root}"
        )
        return questions.ask(self, "About hfgui", text, (("Close", None),), default=0, icon="information")

    def _token_changed(self, message: str = "") -> None:
        if message:
            self.show_status(message, 10_000)  # "Token saved in the OS keyring.", also once Settings closed
        # Statuses such as "Not found or private" depend on the token: look again with the new one.
        self._forget_token_failures()
        self.sizes.forget_access()
        self.fetch_sizes()

    def _on_settings_changed(self, old: Settings, new: Settings) -> None:
        self.manager.settings_changed()
        if old.library_dir != new.library_dir:
            self.library_state = LibraryState(self.services.library_root)
            self._show_storage()
            self.refresh_library()
        if old.endpoint != new.endpoint:
            self.fetch_sizes()

    # --- models named by an address ------------------------------------------------------------------

    def open_addresses(self, args: list[str]) -> None:
        """Models named on the command line (`hfgui https://huggingface.co/owner/name`): select the
        row of one already in the list, else open Add model prefilled and checking."""
        try:
            refs = models_to_open(args, self.services.endpoint)
        except HfGuiError as exc:
            self.ask("Cannot open that address", str(exc), (("Close", None),), icon="warning")
            return
        self._to_open = [ref for ref in refs if not self._select_reference(ref)]
        self._open_next_reference()

    def _select_reference(self, ref: ModelReference) -> bool:
        states = [s for s in self.model.states() if s.entry.repo_id.lower() == ref.repo_id.lower()]
        if ref.path:
            exact = [s for s in states if path_matches(ref.path, s.entry.include, s.entry.exclude)]
            states = exact or states
        if not states:
            return False
        self.show_models_tab()
        self.select_key(states[0].entry.key)
        return True

    def _open_next_reference(self) -> None:
        if not getattr(self, "_to_open", None):
            return
        ref = self._to_open.pop(0)
        endpoint = self.services.endpoint
        text = (
            ref.repo_id if ref.revision in ("", "main") else f"{endpoint}/{ref.repo_id}/tree/{ref.revision}"
        )
        if ref.path and ref.revision in ("", "main"):
            text = f"{endpoint}/{ref.repo_id}/blob/main/{ref.path}"
        dialog = self.add_model(text)
        dialog.finished.connect(lambda _result: self._open_next_reference())
        dialog.check()

    # --- models the Search and Library tabs hand over ------------------------------------------------

    def show_models_tab(self) -> None:
        """Bring the models list to the front (the window may show another tab)."""
        self.tabs.setCurrentIndex(0)

    def _search_download(self, entry: CatalogEntry) -> None:
        self._model_added(entry)
        self.show_models_tab()
        self.start_download(entry.id)

    def _library_download(self, repo_id: object) -> None:
        """The library asks to fetch a model again (e.g. files damaged): resume its catalog row."""
        keys = [s.entry.key for s in self.model.states() if s.entry.repo_id == repo_id]
        self.show_models_tab()
        if keys:
            self.select_key(keys[0])
            self.start_download(keys[0])
        else:
            self.add_model(str(repo_id))

    def _model_added(self, entry: CatalogEntry) -> None:
        row = model_entry(entry)
        self.models.add_entry(row)
        self.select_key(row.key)
        self.fetch_sizes([row.key])
        self.refresh_library()
