"""The main window: models grouped by format with their download state, the selected model's files,
toolbar/context-menu actions, filters and the storage line. Errors turned into actions and the
close/tray life cycle are its mixins (`error_actions`, `life_cycle`)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui import __version__
from hfgui.core.catalog import CatalogEntry, ModelReference, load_catalog, path_matches, remove_user_model
from hfgui.core.errors import (
    DownloadCancelledError,
    GatedRepoError,
    HfGuiError,
    NetworkError,
    RepoNotFoundError,
    format_bytes,
)
from hfgui.core.launch import models_to_open
from hfgui.core.settings import Settings
from hfgui.core.sizes import SizeCache
from hfgui.core.tls import CertificateError
from hfgui.core.words import counted
from hfgui.gui.dialogs import questions
from hfgui.gui.dialogs.add_model_dialog import AddModelDialog
from hfgui.gui.dialogs.import_dialog import FilePicker, ImportDialog
from hfgui.gui.dialogs.settings_dialog import SettingsDialog
from hfgui.gui.library.library_panel import LibraryPanel
from hfgui.gui.library.library_scan import LibraryState, delete_model, installed_files, scan_library
from hfgui.gui.models.details_panel import DetailsPanel
from hfgui.gui.models.download_manager import DownloadManager
from hfgui.gui.models.entries import model_entries, model_entry
from hfgui.gui.models.models_filter import ModelsFilterProxy
from hfgui.gui.models.models_model import ModelsModel, column_widths
from hfgui.gui.models.rows import RowState, Status
from hfgui.gui.models.size_probe import EntryProbe, probe_entry
from hfgui.gui.search.search_panel import SearchPanel
from hfgui.gui.services import Services
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.banner import Banner
from hfgui.gui.widgets.elided import ElidedLabel, elide_message
from hfgui.gui.widgets.icons import app_icon
from hfgui.gui.window.error_actions import ErrorActions
from hfgui.gui.window.free_space import FreeSpace
from hfgui.gui.window.hub_watch import HubWatch
from hfgui.gui.window.life_cycle import LifeCycle
from hfgui.gui.window.reveal import reveal_folder
from hfgui.gui.workers import TaskRunner

log = logging.getLogger(__name__)

FILTER_DELAY_MS = 150
STATUS_MIN_WIDTH = 215  # a bar and "58 %  ·  526.3 kB/s"; longer states are cut with … (whole in details)
STATUS_MAX_WIDTH = 280
DAMAGED_MESSAGE = "Some of its files are missing or damaged. Download (or Retry) fetches just those."

# States a Download can start from (Not found: there is nothing to fetch until the Hub says otherwise).
DOWNLOADABLE = frozenset(
    {Status.AVAILABLE, Status.PRIVATE_OR_MISSING, Status.LICENSE_REQUIRED, Status.OFFLINE, Status.FAILED}
)

STATUS_FILTERS: tuple[tuple[str, frozenset[Status] | None], ...] = (
    ("All states", None),
    ("Installed", frozenset({Status.INSTALLED})),
    ("Downloading", frozenset({Status.QUEUED, Status.WAITING, Status.DOWNLOADING, Status.VERIFYING})),
    ("Paused", frozenset({Status.PAUSED})),
    ("Failed", frozenset({Status.FAILED})),
    ("Available", frozenset({Status.AVAILABLE})),
    ("Needs token or license", frozenset({Status.PRIVATE_OR_MISSING, Status.LICENSE_REQUIRED})),
    ("Not found or offline", frozenset({Status.NOT_FOUND, Status.OFFLINE})),
)


class MainWindow(ErrorActions, LifeCycle, QtWidgets.QMainWindow):
    """Construction reads only the local catalog files; everything else starts in `start_background()`."""

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
        # Injectable so tests can act on what would reach the desktop (file manager, tray, app exit).
        self.open_url = open_url or QtGui.QDesktopServices.openUrl
        self.tray_available = tray_available or QtWidgets.QSystemTrayIcon.isSystemTrayAvailable
        self.quit_app = quit_app or QtWidgets.QApplication.quit
        self.pick_file = pick_file  # None: the desktop's file dialog (Import…)
        self.setWindowTitle("hfgui — Hugging Face models")
        self.setWindowIcon(app_icon())  # also the tray icon's
        self.resize(1280, 800)
        self.runner = TaskRunner(4, self)
        self.size_runner = TaskRunner(2, self)
        self.library_state = LibraryState(services.library_root)
        self.pending_dialog: QtWidgets.QDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.add_dialog: AddModelDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self.notifications: list[tuple[str, str]] = []
        self.tray: QtWidgets.QSystemTrayIcon | None = None
        self.catalog_warnings: list[str] = []
        self._quitting = False
        self._quit_requested = False  # File → Quit: end the app once the window has closed
        self._size_generation = 0
        self._private_or_missing: set[str] = set()  # rows the anonymous Hub answered 401 for
        self._token_failed: set[str] = set()  # rows failed by a rejected token (cleared by a new one)
        self._token_dialog: QtWidgets.QMessageBox | None = None  # the one "Token rejected" question

        self.model = ModelsModel(self)
        self.proxy = ModelsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.manager = DownloadManager(services, self.model, self)
        self.manager.installed.connect(self._on_installed)
        self.manager.failed.connect(self._on_failed)
        self.manager.refreshed.connect(self._refresh_details_tick)
        self.manager.problem.connect(lambda text: self.show_status(text, 15000))
        self.manager.stopped.connect(self._download_stopped)
        self.manager.activity_changed.connect(lambda _n: self.update_actions())
        self.hub_watch = HubWatch(services, self)
        self.hub_watch.went_offline.connect(self._went_offline)
        self.hub_watch.came_online.connect(self._came_online)
        self.manager.hub_unreachable.connect(self.hub_watch.report_failure)
        self.manager.hub_answered.connect(self.hub_watch.report_answer)
        services.on_settings_changed(self._on_settings_changed)

        self._build_view()
        self._build_actions()
        self._build_layout()
        self.load_catalog(catalog)

    # --- construction ----------------------------------------------------------------------------

    def _build_view(self) -> None:
        view = QtWidgets.QTreeView()
        view.setModel(self.proxy)
        # No Python delegate: progress bars are cell pixmaps (progress_bars.bar_decoration), so
        # repaints during downloads never wait for the GIL.
        view.setUniformRowHeights(True)
        view.setAlternatingRowColors(True)
        view.setSortingEnabled(False)
        view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        view.doubleClicked.connect(self._double_clicked)
        header = view.header()
        header.setStretchLastSection(False)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort_by)
        # Status (bar and text) right after the name, so a narrow window still shows downloads;
        # the repository takes what is left (see _fit_columns).
        header.moveSection(ModelsModel.COL_STATUS, 1)
        for column in range(ModelsModel(self).columnCount()):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ModelsModel.COL_REPO, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self._content_widths = column_widths(view.fontMetrics(), [])
        view.viewport().installEventFilter(self)  # resized: fit the columns again
        view.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.proxy.rowsInserted.connect(self._groups_inserted)
        self.proxy.modelReset.connect(self._expand_groups)
        self.proxy.layoutChanged.connect(self._expand_groups)
        # Group headers count what the filter shows; recounted once after a burst of changes.
        self.count_timer = QtCore.QTimer(self)
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(0)
        self.count_timer.timeout.connect(self._count_shown)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(lambda *_: self.count_timer.start())
        self.model.row_changed.connect(self._row_changed)
        self.view = view

    def _build_actions(self) -> None:
        style = self.style()
        sp = QtWidgets.QStyle.StandardPixmap

        def action(
            name: str, text: str, slot: Callable[[], None], pixmap=None, shortcut: str | None = None, short=""
        ):
            act = QtGui.QAction(text, self)
            act.setObjectName(name)
            if short:
                act.setIconText(short)  # the tool button's text; menus show the full one
            if pixmap is not None:
                act.setIcon(style.standardIcon(pixmap))
            if shortcut:
                act.setShortcut(QtGui.QKeySequence(shortcut))
            # `triggered` passes the `checked` flag; the slots take their own arguments (or none).
            act.triggered.connect(lambda _checked=False, run=slot: run())
            return act

        self.act_add = action("add", "Add model…", self.add_model, sp.SP_FileDialogNewFolder, "Ctrl+N", "Add")
        self.act_import = action("import", "Import…", self.import_model, sp.SP_DialogOpenButton, "Ctrl+I")
        self.act_download = action("download", "Download", self.download_selected, sp.SP_ArrowDown, "Ctrl+D")
        self.act_pause = action("pause", "Pause", self.pause_selected, sp.SP_MediaPause)
        self.act_resume = action("resume", "Resume", self.resume_selected, sp.SP_MediaPlay)
        self.act_cancel = action("cancel", "Cancel", self.cancel_selected, sp.SP_DialogCancelButton)
        self.act_retry = action("retry", "Retry", self.retry_selected, sp.SP_BrowserReload)
        self.act_delete = action("delete", "Delete…", self.delete_selected, sp.SP_TrashIcon, "Del", "Delete")
        self.act_reveal = action(
            "reveal", "Reveal in file manager", self.reveal_selected, sp.SP_DirOpenIcon, short="Show files"
        )
        self.act_open_hub = action(
            "hub-page",
            "Open on Hugging Face",
            self.open_selected_on_hub,
            sp.SP_DialogHelpButton,
            short="Hub page",
        )
        self.act_settings = action(
            "settings", "Settings…", self.open_settings, sp.SP_FileDialogDetailedView, "Ctrl+,", "Settings"
        )
        self.act_remove_entry = action("remove-entry", "Remove from list…", self.remove_selected_entry)
        self.act_quit = action("quit", "Quit", self.quit_requested, None, "Ctrl+Q")
        self.act_quit.setMenuRole(QtGui.QAction.MenuRole.QuitRole)
        self.act_about = action("about", "About hfgui", self.show_about)
        self.act_about.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        # The toolbar's one start button: Download, Resume or Retry, whichever the selected model needs
        # (the menus keep the three apart). It keeps the toolbar within a 1024-px window.
        self.act_start = action("start", "Download", self.download_selected, sp.SP_ArrowDown)
        self.model_actions = (
            self.act_download,
            self.act_pause,
            self.act_resume,
            self.act_cancel,
            self.act_retry,
            self.act_delete,
            self.act_reveal,
            self.act_open_hub,
        )
        self._build_menus()
        toolbar = self.addToolBar("Actions")
        toolbar.setObjectName("actions")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.act_add)
        toolbar.addAction(self.act_import)
        toolbar.addSeparator()
        self.toolbar_model_actions = (
            self.act_start,
            self.act_pause,
            self.act_cancel,
            self.act_delete,
            self.act_reveal,
            self.act_open_hub,
        )
        for act in self.toolbar_model_actions:
            toolbar.addAction(act)
        spacer = QtWidgets.QWidget()
        spacer.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.act_settings)
        self.toolbar = toolbar

    def _build_menus(self) -> None:
        """Every action is in a menu too: reachable by keyboard (Alt) however narrow the toolbar."""
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_add, self.act_import])
        file_menu.addSeparator()
        file_menu.addAction(self.act_settings)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        model_menu = bar.addMenu("&Model")
        model_menu.addActions(list(self.model_actions[:5]))
        model_menu.addSeparator()
        model_menu.addActions(list(self.model_actions[5:]))
        model_menu.addSeparator()
        model_menu.addAction(self.act_remove_entry)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_about)
        self.model_menu = model_menu

    def _build_layout(self) -> None:
        self.banner = Banner()
        self.filter_edit = QtWidgets.QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, repository, format or quantisation…")
        self.filter_edit.setClearButtonEnabled(True)
        # Filter ~150 ms after the last keystroke, not on every one (each still costs little).
        self.filter_timer = QtCore.QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self.filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.format_combo = QtWidgets.QComboBox()
        self.format_combo.addItem("All formats", None)
        self.format_combo.currentIndexChanged.connect(self._format_filter_changed)
        self.status_combo = QtWidgets.QComboBox()
        for label, statuses in STATUS_FILTERS:
            self.status_combo.addItem(label, statuses)
        self.status_combo.currentIndexChanged.connect(
            lambda i: self.proxy.set_statuses(self.status_combo.itemData(i))
        )
        filters = QtWidgets.QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.format_combo)
        filters.addWidget(self.status_combo)

        self.details = DetailsPanel()
        self.details.retry_requested.connect(self.start_download)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([460, 260])

        models_page = QtWidgets.QWidget()
        models_layout = QtWidgets.QVBoxLayout(models_page)
        models_layout.setContentsMargins(0, 6, 0, 0)
        models_layout.addLayout(filters)
        models_layout.addWidget(splitter, 1)

        self.search_panel = SearchPanel(self.services, self)
        self.search_panel.add_requested.connect(self._search_added)
        self.search_panel.download_requested.connect(self._search_download)
        self.free_space = FreeSpace(self)
        self.free_space.changed.connect(self._show_storage)
        self.library_panel = LibraryPanel(
            self.services,
            self,
            open_url=lambda url: self.open_url(url),
            queued_repos=self._queued_repos,
            free_space=self.free_space,
        )
        self.library_panel.changed.connect(self.refresh_library)
        self.library_panel.deleted.connect(self._repo_deleted)
        self.library_panel.download_requested.connect(self._library_download)
        self._library_scanned = False

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(models_page, "Models")
        self.tabs.addTab(self.search_panel, "Search")
        self.tabs.addTab(self.library_panel, "Library")
        self.tabs.currentChanged.connect(self._tab_changed)

        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.storage_label = ElidedLabel()
        self.statusBar().addPermanentWidget(self.storage_label)
        self._show_storage()
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
        self.model.set_entries(model_entries(catalog))
        self._measure_columns()
        labels = sorted({self.model.group_label(g) for g in range(self.model.rowCount())})
        self.format_combo.blockSignals(True)
        self.format_combo.clear()
        self.format_combo.addItem("All formats", None)
        for label in labels:
            self.format_combo.addItem(label, label)
        self.format_combo.blockSignals(False)
        if self.catalog_warnings:
            self.show_status(self.catalog_warnings[0], 15000)

    def start_background(self) -> None:
        """After the window is shown: scan the library, fetch sizes, restore interrupted downloads."""
        self.refresh_library(then=lambda: self.manager.restore(self._restored))
        self.fetch_sizes()
        self.runner.submit(self.services.secure_proxy_password)
        for warning in self.services.settings_warnings:
            self.show_status(warning, 15000)

    # --- view helpers ----------------------------------------------------------------------------

    def _expand_groups(self) -> None:
        # Only the few group rows: expandAll() would also ask each of 10,000 models for children.
        for row in range(self.proxy.rowCount()):
            self._show_group(row)

    def _groups_inserted(self, parent: QtCore.QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        for row in range(first, last + 1):
            self._show_group(row)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QtCore.QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Short columns (format, quantisation, size, RAM) as wide as their texts, the status as wide as
        a bar and a speed need (less in a narrow window), the name up to its texts' width but never
        more than half of what remains; the repository stretches over the rest."""
        fit = self._content_widths
        width = self.view.viewport().width()
        header = self.view.header()
        short = (ModelsModel.COL_FORMAT, ModelsModel.COL_QUANT, ModelsModel.COL_SIZE, ModelsModel.COL_RAM)
        for column in short:
            header.resizeSection(column, fit[column])
        status = max(STATUS_MIN_WIDTH, min(STATUS_MAX_WIDTH, int(width * 0.2)))
        header.resizeSection(ModelsModel.COL_STATUS, status)
        rest = width - status - sum(fit[c] for c in short)
        header.resizeSection(ModelsModel.COL_NAME, max(120, min(fit[ModelsModel.COL_NAME], rest // 2)))

    def _measure_columns(self) -> None:
        """Measure the texts once per change of the list (10,000 names take a while), then fit."""
        self._content_widths = column_widths(self.view.fontMetrics(), [s.entry for s in self.model.states()])
        self._fit_columns()

    def _count_shown(self) -> None:
        if not self.proxy.filtering:
            self.model.set_shown_counts(None)
            return
        counts = {}
        for row in range(self.proxy.rowCount()):
            group = self.proxy.index(row, 0)
            counts[group.data(roles.KEY_ROLE)] = self.proxy.rowCount(group)
        for label in set(self.model.group_labels()) - set(counts):
            counts[label] = 0
        self.model.set_shown_counts(counts)

    def _show_group(self, row: int) -> None:
        self.view.expand(self.proxy.index(row, 0))
        self.view.setFirstColumnSpanned(row, QtCore.QModelIndex(), True)  # its label may be long

    def _sort_by(self, column: int) -> None:
        header = self.view.header()
        order = (
            header.sortIndicatorOrder()
            if header.isSortIndicatorShown()
            else QtCore.Qt.SortOrder.AscendingOrder
        )
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
            order = (
                QtCore.Qt.SortOrder.DescendingOrder
                if order == QtCore.Qt.SortOrder.AscendingOrder
                else QtCore.Qt.SortOrder.AscendingOrder
            )
        else:
            order = QtCore.Qt.SortOrder.AscendingOrder
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, order)
        self.proxy.sort(column, order)

    def apply_filter(self) -> None:
        """Apply the filter box now (the debounce timer calls this)."""
        self.filter_timer.stop()
        self.proxy.set_text(self.filter_edit.text())

    def _format_filter_changed(self, index: int) -> None:
        label = self.format_combo.itemData(index)
        self.proxy.set_formats(None if label is None else {label})

    def selected_key(self) -> str | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.data(roles.IS_GROUP_ROLE):
            return None
        return index.siblingAtColumn(0).data(roles.KEY_ROLE)

    def selected_state(self) -> RowState | None:
        key = self.selected_key()
        return self.model.state(key) if key else None

    def select_key(self, key: str) -> None:
        index = self.proxy.mapFromSource(self.model.index_of(key))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def _selection_changed(self) -> None:
        state = self.selected_state()
        self.details.show_state(state)
        self.update_actions()
        if state is not None and state.status is Status.INSTALLED and state.progress is None:
            self._list_installed_files(state)

    def _list_installed_files(self, state: RowState) -> None:
        """An installed model's files in the details, from its manifest (read on a worker)."""
        key, entry, root = state.entry.key, state.entry, self.services.library_root
        where = self.library_state.elsewhere.get(key)
        self.runner.submit(
            lambda: installed_files(root, entry, where),
            lambda found: self.details.show_installed_files(key, *found),
        )

    def _row_changed(self, key: str) -> None:
        if key == self.details.key:
            self._refresh_details()
            self.update_actions()

    def _refresh_details(self) -> None:
        key = self.details.key
        if key is not None:
            self.details.show_state(self.model.state(key))

    def _refresh_details_tick(self) -> None:
        key = self.details.key
        if key is not None and key in self.manager.changed_files:
            self.details.show_state(self.model.state(key), self.manager.changed_files[key])

    def update_actions(self) -> None:
        state = self.selected_state()
        status = state.status if state else None
        active = state is not None and self.manager.is_active(state.entry.key)
        self.act_download.setEnabled(state is not None and not active and status in DOWNLOADABLE)
        self.act_pause.setEnabled(active)
        self.act_resume.setEnabled(status is Status.PAUSED)
        start = (
            self.act_retry
            if status is Status.FAILED
            else self.act_resume
            if status is Status.PAUSED
            else None
        )
        self.act_start.setText(start.text() if start is not None else self.act_download.text())
        self.act_start.setIcon((start or self.act_download).icon())
        self.act_start.setEnabled((start or self.act_download).isEnabled())
        self.act_cancel.setEnabled(active or status is Status.PAUSED)
        self.act_retry.setEnabled(status is Status.FAILED)
        self.act_delete.setEnabled(
            state is not None
            and not active
            and status in (Status.INSTALLED, Status.PAUSED)
            and state.location != "hf-cache"  # the shared cache belongs to huggingface_hub
        )
        self.act_reveal.setEnabled(state is not None and status is Status.INSTALLED)
        self.act_open_hub.setEnabled(state is not None)
        self.act_remove_entry.setEnabled(state is not None and state.entry.user_added and not active)
        start = {Status.FAILED: self.act_retry, Status.PAUSED: self.act_resume}.get(status, self.act_download)
        self.act_start.setText(start.text())
        self.act_start.setIcon(start.icon())
        self.act_start.setEnabled(start.isEnabled())

    def _context_menu(self, pos: QtCore.QPoint) -> None:
        if self.selected_key() is None:
            return
        menu = QtWidgets.QMenu(self)
        for act in self.model_actions:
            menu.addAction(act)
        if self.act_remove_entry.isEnabled():
            menu.addSeparator()
            menu.addAction(self.act_remove_entry)
        menu.popup(self.view.viewport().mapToGlobal(pos))
        self.context_menu = menu

    def _double_clicked(self, index: QtCore.QModelIndex) -> None:
        state = self.selected_state()
        if state is None:
            return
        if state.status is Status.INSTALLED:
            self.reveal_selected()
        elif self.manager.is_active(state.entry.key):
            self.pause_selected()
        else:
            self.start_download(state.entry.key)

    # --- actions ---------------------------------------------------------------------------------

    def download_selected(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.start_download(key)

    def start_download(self, key: str) -> None:
        """Download, Resume and Retry: now, or once the Hub answers when it cannot be reached."""
        if self.hub_watch.offline:
            error = self.hub_watch.error
            self.manager.hold(key, error.message if error is not None else "The Hub cannot be reached.")
            self.hub_watch.probe_now()  # perhaps it is back already
        else:
            self.manager.start(key)

    resume_selected = download_selected
    retry_selected = download_selected

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

    def delete_selected(self) -> None:
        state = self.selected_state()
        if state is None:
            return
        repo = state.entry.repo_id
        freed = self.library_state.sizes.get(repo)  # bytes on disk, partial downloads included
        if freed is None:  # not scanned yet: what the download has so far, else the model's size
            freed = state.progress.bytes_done if state.progress is not None else state.size or 0
        others = [
            s.entry.name
            for s in self.model.states()
            if s.entry.repo_id == repo and s.entry.key != state.entry.key
        ]
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

        self.ask(
            "Remove from list",
            f"Remove {name} from the list of models?{kept}",
            (
                (
                    "Remove",
                    lambda: self.runner.submit(
                        lambda: remove_user_model(paths, key), removed, self._show_plain_error
                    ),
                ),
                ("Keep", None),
            ),
        )

    def _repo_deleted(self, repo_id: str) -> None:
        """Its rows are downloadable again: nothing of it is left to resume (partials went with it)."""
        for state in self.model.states():
            if state.entry.repo_id == repo_id and not self.manager.is_active(state.entry.key):
                self.manager.forget(state.entry.key)
                self.model.update(state.entry.key, status=Status.AVAILABLE, progress=None, error=None)
        self.update_actions()

    def reveal_selected(self) -> None:
        state = self.selected_state()
        if state is None:
            return
        problem = reveal_folder(self.open_url, self.model_folder(state.entry.key))
        if problem is not None:
            self.show_status(problem, 15_000)

    def model_folder(self, key: str):
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
        matches = [s.entry.key for s in self.model.states() if s.entry.repo_id.lower() == ref.repo_id.lower()]
        if ref.path:
            exact = [
                k
                for k in matches
                if path_matches(
                    ref.path, self.model.state(k).entry.include, self.model.state(k).entry.exclude
                )
            ]
            matches = exact or matches
        if not matches:
            return False
        self.show_models_tab()
        self.select_key(matches[0])
        return True

    def _open_next_reference(self) -> None:
        if not getattr(self, "_to_open", None):
            return
        ref = self._to_open.pop(0)
        text = (
            ref.repo_id
            if ref.revision in ("", "main")
            else f"{self.services.endpoint}/{ref.repo_id}/tree/{ref.revision}"
        )
        if ref.path and ref.revision in ("", "main"):
            text = f"{self.services.endpoint}/{ref.repo_id}/blob/main/{ref.path}"
        dialog = self.add_model(text)
        dialog.finished.connect(lambda _result: self._open_next_reference())
        dialog.check()

    def show_models_tab(self) -> None:
        """Bring the models list to the front (the window may show another tab)."""
        self.tabs.setCurrentIndex(0)

    # --- the Search and Library tabs -------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.library_panel and not self._library_scanned:
            self._library_scanned = True
            self.library_panel.refresh()
        is_models = index == 0
        for act in (*self.model_actions, *self.toolbar_model_actions):
            act.setVisible(is_models)
        self.model_menu.menuAction().setVisible(is_models)  # its entries act on the Models tab

    def _search_added(self, entry: CatalogEntry) -> None:
        self._model_added(entry)

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

    def _queued_repos(self) -> list[str]:
        return sorted({self.model.state(k).entry.repo_id for k in self.manager.remembered_keys()})

    def _model_added(self, entry: CatalogEntry) -> None:
        row = model_entry(entry)
        self.model.add_entry(row)
        self._measure_columns()
        if self.format_combo.findData(row.format) < 0:
            self.format_combo.addItem(row.format, row.format)
        self.select_key(row.key)
        self.fetch_sizes([row.key])
        self.refresh_library()

    def open_settings(self, focus: str = "token") -> SettingsDialog:
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
        if focus == "library":
            dialog.focus_library()
        elif focus == "network":
            dialog.focus_network()
        else:
            dialog.focus_token()
        return dialog

    def show_about(self) -> QtWidgets.QMessageBox:
        text = (
            f"hfgui {__version__} — a desktop model manager for the Hugging Face Hub.\n\n"
            f"Hub: {self.services.endpoint}\nLibrary: {self.services.library_root}"
        )
        return questions.ask(self, "About hfgui", text, (("Close", None),), default=0, icon="information")

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        """A status-bar message, cut with "…" to the room left of the storage line (whole in its tooltip;
        an address is dropped whole rather than cut mid-path)."""
        bar = self.statusBar()
        room = max(80, bar.width() - self.storage_label.width() - 40)
        shown = elide_message(bar.fontMetrics(), text, room)
        bar.setToolTip(text if shown != text else "")
        bar.showMessage(shown, timeout_ms)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self.storage_label.setMaximumWidth(max(200, int(self.width() * 0.45)))  # messages get the rest

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

    # --- background refreshes --------------------------------------------------------------------

    def refresh_library(self, then: Callable[[], None] | None = None) -> None:
        root = self.services.library_root
        entries = [s.entry for s in self.model.states()]

        def apply(state: LibraryState) -> None:
            self.library_state = state
            self.free_space.report(state.root, state.free_bytes)
            for row in self.model.states():
                key = row.entry.key
                if self.manager.is_active(key):
                    continue
                if key in state.installed:
                    if row.size is None and key in state.entry_sizes:  # known without the Hub
                        self.model.update(key, size=state.entry_sizes[key])
                    where = state.elsewhere.get(key)
                    location = where.source if where is not None else ""
                    if row.status is not Status.INSTALLED or row.location != location or row.error:
                        self.model.update(key, status=Status.INSTALLED, error=None, location=location)
                elif key in state.damaged:
                    if row.status is not Status.FAILED or row.error != DAMAGED_MESSAGE:
                        self.model.update(key, status=Status.FAILED, error=DAMAGED_MESSAGE, location="")
                elif key in state.incomplete and row.status in (Status.AVAILABLE, Status.INSTALLED):
                    self.model.update(key, status=Status.PAUSED, location="")
                elif row.status is Status.INSTALLED or row.error == DAMAGED_MESSAGE:
                    self.model.update(key, status=Status.AVAILABLE, location="", error=None)
            self._show_storage()
            self.update_actions()
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            log.warning("Could not read the library at %s: %s", root, exc)
            if then is not None:
                then()

        self.runner.submit(lambda: scan_library(root, entries), apply, failed)

    def _show_storage(self) -> None:
        state = self.library_state
        self.storage_label.setText(
            f"Library: {state.root}  ·  models use {format_bytes(state.used_bytes)}"
            f"  ·  {self.free_space.text()} on that disk"
        )

    def fetch_sizes(self, keys: list[str] | None = None) -> None:
        """Sizes from the tree listing (through the size cache), one Hub client shared by the fetches.

        The size last seen (kept in the size cache) shows at once, before the Hub answers or when it
        cannot be reached. Each probe gives up after one retry: the offline watch asks again later.
        """
        self._size_generation += 1
        generation = self._size_generation
        wanted = [s for s in self.model.states() if keys is None or s.entry.key in keys]
        wanted = [s for s in wanted if s.entry.catalog is not None]
        if not wanted:
            return
        cache = SizeCache(self.services.paths)
        services = self.services
        unknown = {s.entry.key: s.entry.catalog for s in wanted if s.size is None}

        def last_known() -> dict[str, int]:
            found = {key: cache.last_known(entry) for key, entry in unknown.items()}
            return {key: size.total_bytes for key, size in found.items() if size is not None}

        def have_client(client) -> None:
            self._size_client = client
            for state in wanted:
                entry = state.entry

                def fetch(catalog=entry.catalog):
                    return probe_entry(client, catalog, cache)

                self.size_runner.submit(
                    fetch,
                    lambda size, key=entry.key: self._size_known(generation, key, size),
                    lambda exc, key=entry.key: self._size_failed(generation, key, exc),
                )

        if unknown:
            self.runner.submit(last_known, self._sizes_remembered)
        self.runner.submit(lambda: services.make_client(quick=True), have_client, self._show_plain_error)

    def _sizes_remembered(self, sizes: dict[str, int]) -> None:
        for key, size in sizes.items():
            state = self.model.state(key)
            if state is not None and state.size is None:
                self.model.update(key, size=size)

    def _size_known(self, generation: int, key: str, probe: EntryProbe) -> None:
        self.hub_watch.report_answer()
        if probe.token_rejected is not None:
            self._show_invalid_token(probe.token_rejected)  # once, however many probes met it
        self.model.update(key, size=probe.size.total_bytes)
        state = self.model.state(key)
        if state is None or generation != self._size_generation or not state.status.hub_decides:
            return
        if probe.gated is not None:
            self.model.update(key, status=Status.LICENSE_REQUIRED, error=probe.gated.message)
        else:
            self.model.update(key, status=Status.AVAILABLE, error=None)
        self._forget_private(key)

    def _size_failed(self, generation: int, key: str, exc: BaseException) -> None:
        state = self.model.state(key)
        if state is None or generation != self._size_generation:
            return
        if isinstance(exc, NetworkError) and not isinstance(exc, CertificateError):
            self.hub_watch.report_failure(exc)  # rows turn Offline; the watch asks again later
            if state.status.hub_decides:
                self.model.update(key, status=Status.OFFLINE, error=None)
            return
        if not isinstance(exc, DownloadCancelledError):
            self.hub_watch.report_answer()  # whatever it said, the Hub answered
        if not state.status.hub_decides:
            return
        if isinstance(exc, GatedRepoError):
            self.model.update(key, status=Status.LICENSE_REQUIRED, error=exc.message)
        elif isinstance(exc, RepoNotFoundError) and exc.authenticated:
            self.model.update(key, status=Status.NOT_FOUND, error=exc.message)
        elif isinstance(exc, RepoNotFoundError):
            self.model.update(key, status=Status.PRIVATE_OR_MISSING, error=exc.message)
            self._private_or_missing.add(key)
            self._say_add_token()
        elif isinstance(exc, CertificateError):
            self.model.update(key, status=Status.OFFLINE, error=exc.message)
            self.banner.show_message("network", exc.message, (("Settings", self._open_network),))
        else:
            log.info("No size for %s: %s", key, exc)

    def _say_add_token(self) -> None:
        """Once for all the rows the Hub would not show without a token (not one "Needs token" each)."""
        if self.banner.kind not in ("", "private"):
            return  # offline or rate limited says more
        count = len(self._private_or_missing)
        self.banner.show_message(
            "private",
            f"{counted(count, 'model')} not found or private. The Hub shows private models only to"
            " their owner's token — add a token to download them.",
            (("Add token", lambda: self.open_settings("token")),),
        )

    def _forget_private(self, key: str) -> None:
        self._private_or_missing.discard(key)
        if not self._private_or_missing and self.banner.kind == "private":
            self.banner.dismiss()

    def _download_stopped(self, key: str, how: str) -> None:
        state = self.model.state(key)
        name = state.entry.name if state is not None else key
        if how == "pause":
            self.show_status(f"Paused {name}: its partial files are kept, Resume continues.", 10_000)
        else:
            self.show_status(f"Cancelled {name}: what it had downloaded is deleted.", 10_000)

    def _restored(self, resumed: list[str]) -> None:
        if resumed:
            self.show_status(f"Resuming {counted(len(resumed), 'interrupted download')}.", 10000)

    # --- outcomes --------------------------------------------------------------------------------

    def _on_installed(self, key: str) -> None:
        self.hub_watch.report_answer()
        state = self.model.state(key)
        name = state.entry.name if state else key
        self.notify("Download finished", f"{name} is installed and verified.")
        self.refresh_library()
        if self._library_scanned:
            self.library_panel.refresh()

    def _on_failed(self, key: str, error: HfGuiError | None) -> None:
        state = self.model.state(key)
        name = state.entry.name if state else key
        if error is None:
            return
        self.notify("Download failed", f"{name}: {error}")
        self.present_error(key, error)

    def notify(self, title: str, message: str) -> None:
        """A tray message when the tray icon is shown, else a status-bar message."""
        self.notifications.append((title, message))
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage(title, message)
        else:
            self.show_status(f"{title}: {message}", 10000)

    def _token_changed(self, message: str = "") -> None:
        if message:
            self.show_status(message, 10_000)  # "Token saved in the OS keyring.", also once Settings closed
        # Statuses such as "Not found or private" depend on the token: look again with the new one.
        self._forget_token_failures()
        self._private_or_missing.clear()
        if self.banner.kind == "private":
            self.banner.dismiss()
        self.fetch_sizes()

    def _on_settings_changed(self, old: Settings, new: Settings) -> None:
        self.manager._pump()
        if old.library_dir != new.library_dir:
            self.library_state = LibraryState(self.services.library_root)
            self._show_storage()
            self.refresh_library()
        if old.endpoint != new.endpoint:
            self.fetch_sizes()
