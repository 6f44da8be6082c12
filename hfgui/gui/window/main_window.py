"""The main window assembles the tabs (Models, Search, Library), the banner and the status line, and
connects the downloads, the size probes and the offline watch to them. What its actions do, what it
opens, how failures become actions, the status line and the close/tray life cycle are its mixins."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core.errors import HfGuiError
from hfgui.core.library.catalog import CatalogEntry, load_catalog
from hfgui.gui.dialogs.import_dialog import FilePicker
from hfgui.gui.hub_watch import HubWatch
from hfgui.gui.library.library_panel import LibraryPanel
from hfgui.gui.models.download_manager import DownloadManager
from hfgui.gui.models.entries import model_entries
from hfgui.gui.models.library_scan import LibraryState, installed_files
from hfgui.gui.models.models_view import ModelsView
from hfgui.gui.models.rows import RowState, Status
from hfgui.gui.models.size_probes import SizeProbes
from hfgui.gui.search.search_panel import SearchPanel
from hfgui.gui.services import Services
from hfgui.gui.widgets import questions
from hfgui.gui.widgets.banner import Banner
from hfgui.gui.widgets.free_space import FreeSpace
from hfgui.gui.widgets.icons import app_icon
from hfgui.gui.window.actions import WindowActions
from hfgui.gui.window.error_actions import ErrorActions
from hfgui.gui.window.hub_banners import HubBanners
from hfgui.gui.window.life_cycle import LifeCycle
from hfgui.gui.window.model_commands import ModelCommands
from hfgui.gui.window.opening import Opening
from hfgui.gui.window.refreshing import Refreshing
from hfgui.gui.window.status_line import StatusLine
from hfgui.gui.workers import TaskRunner

log = logging.getLogger(__name__)


class MainWindow(
    WindowActions,
    ModelCommands,
    Opening,
    Refreshing,
    ErrorActions,
    HubBanners,
    StatusLine,
    LifeCycle,
    QtWidgets.QMainWindow,
):
    """Construction reads only the local catalog files; everything else starts in `start_background()`.

    ``open_url``, ``tray_available``, ``quit_app`` and ``pick_file`` stand for the desktop (file
    manager, tray, app exit, file dialog): tests act on what would reach it.
    """

    def __init__(
        self,
        services: Services,
        *,
        open_url: Callable[[QtCore.QUrl], object] | None = None,
        catalog: list[CatalogEntry] | None = None,
        tray_available: Callable[[], bool] | None = None,
        quit_app: Callable[[], None] | None = None,
        pick_file: FilePicker | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.open_url = open_url or QtGui.QDesktopServices.openUrl
        self.tray_available = tray_available or QtWidgets.QSystemTrayIcon.isSystemTrayAvailable
        self.quit_app = quit_app or QtWidgets.QApplication.quit
        self.pick_file = pick_file  # None: the desktop's file dialog (Import…)
        self.setWindowTitle("hfgui — Hugging Face models")
        self.setWindowIcon(app_icon())  # also the tray icon's
        self.resize(1280, 800)
        self.runner = TaskRunner(4, self)
        self.library_state = LibraryState(services.library_root)
        self.pending_dialog = self.settings_dialog = self.add_dialog = self.import_dialog = None
        self.notifications: list[tuple[str, str]] = []
        self.tray: QtWidgets.QSystemTrayIcon | None = None
        self.catalog_warnings: list[str] = []
        self._quitting = False
        self._quit_requested = False  # File → Quit: end the app once the window has closed
        self._library_scanned = False
        self._token_failed: set[str] = set()  # rows failed by a rejected token (cleared by a new one)
        self._token_dialog: QtWidgets.QMessageBox | None = None  # the one "Token rejected" question

        self.models = ModelsView()
        self.model, self.proxy, self.view = self.models.model, self.models.proxy, self.models.tree
        self.details = self.models.details
        self.filter_edit = self.models.filter_edit
        self.hub_watch = HubWatch(services, self)
        self.manager = DownloadManager(services, self.model, self)
        self.sizes = SizeProbes(services, self.model, self.hub_watch, self)
        self.size_runner = self.sizes.runner
        self.free_space = FreeSpace(self)
        self._build_actions()
        self._build_layout()
        self._connect()
        self.load_catalog(catalog)

    def _build_layout(self) -> None:
        self.banner = Banner()
        self.search_panel = SearchPanel(self.services, self)
        self.library_panel = LibraryPanel(
            self.services,
            self,
            open_url=lambda url: self.open_url(url),
            queued_repos=self._queued_repos,
            free_space=self.free_space,
        )
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.models, "Models")
        self.tabs.addTab(self.search_panel, "Search")
        self.tabs.addTab(self.library_panel, "Library")
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_status_line()

    def _connect(self) -> None:
        manager, models = self.manager, self.models
        manager.installed.connect(self._on_installed)
        manager.failed.connect(self._on_failed)
        manager.refreshed.connect(lambda: models.refresh_details(manager.changed_files))
        manager.problem.connect(lambda text: self.show_status(text, 15000))
        manager.stopped.connect(self._download_stopped)
        manager.activity_changed.connect(lambda _n: self.update_actions())
        manager.hub_unreachable.connect(self.hub_watch.report_failure)
        manager.hub_answered.connect(self.hub_watch.report_answer)
        self.hub_watch.went_offline.connect(self._went_offline)
        self.hub_watch.came_online.connect(self._came_online)
        self.sizes.token_rejected.connect(self._show_invalid_token)  # once, however many probes met it
        self.sizes.private_or_missing.connect(self._say_add_token)
        self.sizes.certificate_problem.connect(self._show_certificate_problem)
        models.selection_changed.connect(self._selection_changed)
        models.selected_row_changed.connect(self.update_actions)
        models.details.retry_requested.connect(self.start_download)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(self._activated)
        self.search_panel.add_requested.connect(self._model_added)
        self.search_panel.download_requested.connect(self._search_download)
        self.library_panel.changed.connect(self.refresh_library)
        self.library_panel.deleted.connect(self._repo_deleted)
        self.library_panel.download_requested.connect(self._library_download)
        self.free_space.changed.connect(self._show_storage)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.services.on_settings_changed(self._on_settings_changed)
        self.update_actions()

    def load_catalog(self, catalog: list[CatalogEntry] | None = None) -> None:
        """Built-in + user models (small local JSON files) into the view."""
        if catalog is None:
            self.catalog_warnings = []
            try:
                catalog = load_catalog(
                    self.services.paths,
                    self.catalog_warnings,
                    builtin_file=self.services.builtin_catalog_file,
                )
            except HfGuiError as exc:
                catalog = []
                self.catalog_warnings.append(str(exc))
        self.models.set_entries(model_entries(catalog))
        if self.catalog_warnings:
            self.show_status(self.catalog_warnings[0], 15000)

    # --- the selected model ----------------------------------------------------------------------

    def selected_key(self) -> str | None:
        return self.models.selected_key()

    def selected_state(self) -> RowState | None:
        return self.models.selected_state()

    def select_key(self, key: str) -> None:
        self.models.select_key(key)

    def _selection_changed(self) -> None:
        self.update_actions()
        state = self.selected_state()
        if state is not None and state.status is Status.INSTALLED and state.progress is None:
            key, entry, root = state.entry.key, state.entry, self.services.library_root
            where = self.library_state.elsewhere.get(key)  # its manifest, read on a worker
            self.runner.submit(
                lambda: installed_files(root, entry, where),
                lambda found: self.details.show_installed_files(key, *found),
            )

    def ask(
        self,
        title: str,
        text: str,
        buttons: tuple[tuple[str, Callable[[], None] | None], ...],
        *,
        icon: str = "question",
    ) -> QtWidgets.QMessageBox:
        """A non-blocking question (``icon="warning"`` for a problem); open in `pending_dialog`."""
        return questions.ask(self, title, text, buttons, default=0, icon=icon)
