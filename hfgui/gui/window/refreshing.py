"""The window's background work and its outcomes: the library scan and the size probes at start and
after changes, the queue of interrupted downloads restored, a finished or failed download announced,
the Library tab scanned the first time it shows. A mixin of MainWindow."""

from __future__ import annotations

import logging
from collections.abc import Callable

from hfgui.core.errors import HfGuiError
from hfgui.gui.models.library_scan import LibraryState, scan_library
from hfgui.gui.models.library_sync import apply_library_state

log = logging.getLogger(__name__)


class Refreshing:
    """Needs from the window: services, runner, model, manager, sizes, hub_watch, tabs, library_panel,
    free_space, notify(), show_status(), present_error(), update_actions(), show_model_actions()."""

    def start_background(self) -> None:
        """After the window is shown: scan the library, fetch sizes, restore interrupted downloads."""
        self.refresh_library(then=lambda: self.manager.restore(self._restored))
        self.fetch_sizes()
        self.runner.submit(self.services.secure_proxy_password)
        for warning in self.services.settings_warnings:
            self.show_status(warning, 15000)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.library_panel and not self._library_scanned:
            self._library_scanned = True
            self.library_panel.refresh()
        self.show_model_actions(index == 0)

    def _queued_repos(self) -> list[str]:
        return sorted({self.model.state(k).entry.repo_id for k in self.manager.remembered_keys()})

    def fetch_sizes(self, keys: list[str] | None = None) -> None:
        self.sizes.fetch(keys)

    def refresh_library(self, then: Callable[[], None] | None = None) -> None:
        root = self.services.library_root
        entries = [s.entry for s in self.model.states()]

        def apply(state: LibraryState) -> None:
            self.library_state = state
            self.free_space.report(state.root, state.free_bytes)
            apply_library_state(self.model, state, self.manager.is_active)
            self._show_storage()
            self.update_actions()
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            log.warning("Could not read the library at %s: %s", root, exc)
            if then is not None:
                then()

        self.runner.submit(lambda: scan_library(root, entries), apply, failed)

    def _on_installed(self, key: str) -> None:
        self.hub_watch.report_answer()
        state = self.model.state(key)
        self.notify("Download finished", f"{state.entry.name if state else key} is installed and verified.")
        self.refresh_library()
        if self._library_scanned:
            self.library_panel.refresh()

    def _on_failed(self, key: str, error: HfGuiError | None) -> None:
        if error is None:
            return
        state = self.model.state(key)
        self.notify("Download failed", f"{state.entry.name if state else key}: {error}")
        self.present_error(key, error)
