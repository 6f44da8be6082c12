"""The Search tab: find models on the Hub, see a result's download choices, add or download one."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from PySide6 import QtCore, QtWidgets

from hfgui.core.catalog import CatalogEntry, add_user_model, load_catalog
from hfgui.core.errors import NetworkError
from hfgui.core.grouping import DownloadItem, group_files
from hfgui.core.hub import SEARCH_FORMAT_TAGS, SEARCH_SORTS, HubClient
from hfgui.core.types import ModelSummary, TreeEntry
from hfgui.gui.dialogs.choice_entry import entry_for_choice
from hfgui.gui.dialogs.choice_rules import choice_hint
from hfgui.gui.dialogs.download_choice import DownloadChoice
from hfgui.gui.dialogs.repo_files import InstalledFiles, installed_reader
from hfgui.gui.search.search_model import (
    SUMMARY_ROLE,
    ResultPages,
    SearchQuery,
    SearchResultsModel,
)
from hfgui.gui.services import Services
from hfgui.gui.widgets.columns import fit_columns
from hfgui.gui.workers import TaskRunner

DEBOUNCE_MS = 300
PAGE_SIZE = 50
SORT_LABELS = {
    "downloads": "Most downloads",
    "likes": "Most likes",
    "trending": "Trending",
    "recent": "Recent",
}
FORMAT_LABELS = {
    "gguf": "GGUF",
    "coreml": "Core ML",
    "onnx": "ONNX",
    "mlx": "MLX",
    "safetensors": "safetensors",
}
ERROR_STYLE = "color: #c62828;"


class SearchPanel(QtWidgets.QWidget):
    """Hub search with debounced typing, paged results, and the chosen download of a result.

    ``SearchPanel(services, parent=None)``; the window puts it in a tab. Both signals carry a
    `CatalogEntry` that is already saved in the user's model list (like `AddModelDialog.added`), or
    the existing catalog entry when one already selects the same files of the same repository:
      - ``add_requested(entry)``: "Add to library" — show it in the models view.
      - ``download_requested(entry)``: "Download" — show it and start downloading it.
    ``installed_files(repo_id)`` gives the repository paths already on this computer, to mark installed
    quantisations; it is called on a worker (default: the library and the Hugging Face cache).
    """

    add_requested = QtCore.Signal(object)
    download_requested = QtCore.Signal(object)

    def __init__(
        self,
        services: Services,
        parent: QtWidgets.QWidget | None = None,
        *,
        page_size: int = PAGE_SIZE,
        debounce_ms: int = DEBOUNCE_MS,
        installed_files: InstalledFiles | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.installed_files = installed_files or installed_reader(services)
        self.page_size = page_size
        # Own pools: a slow search must not queue behind downloads' or sizes' work in the window's.
        self.runner = TaskRunner(2, self)
        self.files_runner = TaskRunner(2, self)
        self.query: SearchQuery | None = None  # the search the results belong to
        self.selected: ModelSummary | None = None
        self.tree: tuple[TreeEntry, ...] = ()
        self._files_generation = 0
        self.last_error: BaseException | None = None

        self.debounce = QtCore.QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(debounce_ms)
        self.debounce.timeout.connect(self.search_now)

        self.results = SearchResultsModel(self.runner, self)
        self.results.loading_changed.connect(lambda _busy: self._show_result_status())
        self.results.page_loaded.connect(lambda _n: self._show_result_status())
        self.results.failed.connect(self._search_failed)
        self.results.modelReset.connect(self._results_reset)

        self._build()

    # --- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.query_edit = QtWidgets.QLineEdit()
        self.query_edit.setPlaceholderText("Search models on the Hub (e.g. llama gguf)…")
        self.query_edit.setClearButtonEnabled(True)
        self.author_edit = QtWidgets.QLineEdit()
        self.author_edit.setPlaceholderText("Author or organisation")
        self.author_edit.setClearButtonEnabled(True)
        self.format_combo = QtWidgets.QComboBox()
        self.format_combo.addItem("Any format", None)
        for key in SEARCH_FORMAT_TAGS:
            self.format_combo.addItem(FORMAT_LABELS.get(key, key), key)
        self.sort_combo = QtWidgets.QComboBox()
        for key in SEARCH_SORTS:
            self.sort_combo.addItem(SORT_LABELS[key], key)
        for edit in (self.query_edit, self.author_edit):
            edit.textChanged.connect(lambda _text: self.debounce.start())
            edit.returnPressed.connect(self.search_now)
        self.format_combo.currentIndexChanged.connect(lambda _i: self.search_now())
        self.sort_combo.currentIndexChanged.connect(lambda _i: self.search_now())

        self.view = QtWidgets.QTableView()
        self.view.setModel(self.results)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        fit_columns(self.view, stretch=0)
        self.view.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._row_changed(current)
        )
        self.result_status = QtWidgets.QLabel("Type to search the Hugging Face Hub.")
        self.result_status.setWordWrap(True)

        self.model_title = QtWidgets.QLabel("")
        self.model_title.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.model_title.font()
        font.setBold(True)
        self.model_title.setFont(font)
        self.choice = DownloadChoice()
        self.choice.changed.connect(self._update_buttons)
        self.files_status = QtWidgets.QLabel("Select a model to see what it offers.")
        self.files_status.setWordWrap(True)
        self.add_button = QtWidgets.QPushButton("Add to library")
        self.add_button.setToolTip("Keep this choice in your models list to download later")
        self.add_button.clicked.connect(lambda: self._store(self.add_requested))
        self.download_button = QtWidgets.QPushButton("Download")
        self.download_button.setToolTip("Add this choice to your models and start downloading it")
        self.download_button.clicked.connect(lambda: self._store(self.download_requested))

        filters = QtWidgets.QHBoxLayout()
        filters.addWidget(self.query_edit, 3)
        filters.addWidget(self.author_edit, 1)
        filters.addWidget(self.format_combo)
        filters.addWidget(self.sort_combo)

        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.result_status)

        right = QtWidgets.QWidget()
        right_layout = QtWidgets.QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.model_title)
        right_layout.addWidget(self.files_status)
        right_layout.addWidget(self.choice, 1)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.download_button)
        right_layout.addLayout(buttons)

        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # --- searching -------------------------------------------------------------------------------

    def current_query(self) -> SearchQuery:
        return SearchQuery(
            text=" ".join(self.query_edit.text().split()),
            author=self.author_edit.text().strip(),
            format=self.format_combo.currentData(),
            sort=self.sort_combo.currentData(),
        )

    def search_now(self) -> None:
        """Search for what the boxes say now (typing calls this once it pauses)."""
        self.debounce.stop()
        query = self.current_query()
        problem = _query_problem(query)
        if problem:
            self.query = None
            self.results.start(None)
            self._set_status(self.result_status, problem, error=True)
            return
        self.query = query
        self.last_error = None
        self.results.start(ResultPages(self._quick_client, query, self.page_size))
        self._show_result_status()

    def _quick_client(self) -> HubClient:
        """A person waits on every request of this tab: an unreachable Hub must fail within seconds, as
        the window's other questions do, not after the downloads' patient backoff (12–23 s)."""
        return self.services.make_client(quick=True)

    def _results_reset(self) -> None:
        self._show_model(None)

    def _search_failed(self, exc: BaseException) -> None:
        self.last_error = exc
        self._set_status(self.result_status, _failure_text(exc), error=True)

    def _show_result_status(self) -> None:
        if self.results.last_error is not None or self.query is None:
            return
        count = self.results.rowCount()
        if self.results.loading:
            text = "Searching the Hub…" if count == 0 else f"{count:,} models; loading more…"
        elif count == 0:
            text = "No models found. Try fewer words, another format or no author."
        else:
            text = f"{count:,} models" + (" (scroll for more)" if self.results.has_more else "")
        self._set_status(self.result_status, text)

    # --- the selected result ----------------------------------------------------------------------

    def _row_changed(self, current: QtCore.QModelIndex) -> None:
        summary = current.siblingAtColumn(0).data(SUMMARY_ROLE) if current.isValid() else None
        if summary != self.selected:
            self._show_model(summary)

    def select_row(self, row: int) -> None:
        self.view.setCurrentIndex(self.results.index(row, 0))

    def _show_model(self, summary: ModelSummary | None) -> None:
        self._files_generation += 1
        generation = self._files_generation
        self.selected = summary
        self.tree = ()
        self.choice.clear_items()
        if summary is None:
            self.model_title.setText("")
            self._set_status(self.files_status, "Select a model to see what it offers.")
            return
        self.model_title.setText(summary.repo_id)
        self._set_status(self.files_status, f"Listing the files of {summary.repo_id}…")
        make_client, installed_files = self._quick_client, self.installed_files
        repo_id = summary.repo_id

        def listing() -> tuple[tuple[TreeEntry, ...], Collection[str]]:
            client = make_client()
            try:
                tree = tuple(e for e in client.iter_tree(repo_id, "main", recursive=True) if e.is_file)
            finally:
                client.close()
            return tree, installed_files(repo_id)

        self.files_runner.submit(
            listing,
            lambda result: self._files_listed(generation, summary, *result),
            lambda exc: self._files_failed(generation, exc),
        )

    def _files_listed(
        self,
        generation: int,
        summary: ModelSummary,
        tree: tuple[TreeEntry, ...],
        installed: Collection[str] = (),
    ) -> None:
        if generation != self._files_generation:
            return
        self.tree = tree
        items = group_files(tree, library_name=summary.library_name, tags=summary.tags)
        self.choice.set_items(items, installed=installed)
        if not items:
            self._set_status(self.files_status, f"{summary.repo_id} has no files yet.")
            return
        hint = choice_hint(items)
        gated = " It is gated: accept its license on the Hub and add a token." if summary.gated else ""
        self._set_status(self.files_status, f"{len(tree)} files. {hint}{gated}")

    def _files_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._files_generation:
            self.last_error = exc
            self._set_status(self.files_status, _failure_text(exc), error=True)

    def chosen_items(self) -> list[DownloadItem]:
        return self.choice.chosen_items()

    def _update_buttons(self) -> None:
        ready = self.selected is not None and bool(self.choice.chosen_items())
        self.add_button.setEnabled(ready)
        self.download_button.setEnabled(ready)

    # --- add / download --------------------------------------------------------------------------

    def build_entry(self, taken_ids: Iterable[str] = ()) -> CatalogEntry:
        assert self.selected is not None
        return entry_for_choice(
            self.selected.repo_id,
            self.choice.chosen_items(),
            revision="main",
            tags=self.selected.tags,
            taken_ids=taken_ids,
        )

    def _store(self, signal: QtCore.SignalInstance) -> None:
        if self.selected is None or not self.choice.chosen_items():
            return
        summary, chosen = self.selected, self.choice.chosen_items()
        paths, builtin = self.services.paths, self.services.builtin_catalog_file

        def store() -> CatalogEntry:
            catalog = load_catalog(paths, builtin_file=builtin)
            entry = entry_for_choice(
                summary.repo_id, chosen, tags=summary.tags, taken_ids=[e.id for e in catalog]
            )
            same = next((e for e in catalog if _same_selection(e, entry)), None)
            return same if same is not None else add_user_model(paths, entry, builtin_file=builtin)

        def stored(entry: CatalogEntry) -> None:
            self._update_buttons()
            self._set_status(self.files_status, f"{entry.name} is in your models list.")
            signal.emit(entry)

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            self.last_error = exc
            self._set_status(self.files_status, _one_line(exc), error=True)

        self.add_button.setEnabled(False)
        self.download_button.setEnabled(False)
        self.runner.submit(store, stored, failed)

    # --- helpers ---------------------------------------------------------------------------------

    def _set_status(self, label: QtWidgets.QLabel, text: str, *, error: bool = False) -> None:
        label.setStyleSheet(ERROR_STYLE if error else "")
        label.setText(text)

    def wait_idle(self, msecs: int = -1) -> bool:
        """Block until background work is done (shutdown and tests)."""
        return self.runner.wait(msecs) and self.files_runner.wait(msecs)


def _same_selection(a: CatalogEntry, b: CatalogEntry) -> bool:
    return (a.repo, a.revision, a.patterns()) == (b.repo, b.revision, b.patterns())


def _query_problem(query: SearchQuery) -> str | None:
    if len(query.text) > 250:
        return "The search text is too long: use at most 250 characters."
    if query.author and ("/" in query.author or " " in query.author):
        return f"Author takes a user or organisation name, not '{query.author}'."
    return None


def _failure_text(exc: BaseException) -> str:
    """One line saying what failed and what to do next, in the window's words (not the command line's)."""
    if isinstance(exc, NetworkError):
        what = "did not answer in time" if exc.timed_out else "could not be reached"
        return (
            f"The Hub {what} ({exc.endpoint}: {exc.detail}). Check your connection, or the proxy in"
            " Settings → Network, then press Enter to search again."
        )
    return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
