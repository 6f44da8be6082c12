"""The Search tab: assembles the form, the results list and the picked result, and runs the searches."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.wire.hub import HubClient
from hfgui.gui.dialogs.repo_files import InstalledFiles, installed_reader
from hfgui.gui.search.picked_result import PickedResult
from hfgui.gui.search.search_form import DEBOUNCE_MS, SearchForm, query_problem
from hfgui.gui.search.search_model import SUMMARY_ROLE, ResultPages, SearchQuery, SearchResultsModel
from hfgui.gui.search.status_line import failure_text, set_status
from hfgui.gui.services import Services
from hfgui.gui.widgets.columns import fit_columns
from hfgui.gui.workers import TaskRunner

PAGE_SIZE = 50


class SearchPanel(QtWidgets.QWidget):
    """Hub search with debounced typing, paged results, and the chosen download of a result.

    ``SearchPanel(services, parent=None)``; the window puts it in a tab. Both signals carry a
    `CatalogEntry` that is already saved in the user's model list (like `AddModelDialog.added`), or
    the existing catalog entry when one already selects the same files of the same repository:
      - ``add_requested(entry)``: "Add to library" — show it in the models view.
      - ``download_requested(entry)``: "Download" — show it and start downloading it.
    ``installed_files(repo_id)`` gives the repository paths already on this computer, to mark installed
    quantisations; it is called on a worker (default: the library and the Hugging Face cache).

    Parts: ``form`` (`SearchForm`), the results list (``results`` in ``view``, ``result_status``) and
    ``picked`` (`PickedResult`, the selected result's files and buttons).
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
        self.page_size = page_size
        # Own pool: a slow search must not queue behind downloads' or sizes' work in the window's.
        self.runner = TaskRunner(2, self)
        self.query: SearchQuery | None = None  # the search the results belong to
        self.last_error: BaseException | None = None

        self.form = SearchForm(debounce_ms=debounce_ms)
        self.form.search_requested.connect(self.search_now)
        self.picked = PickedResult(services, installed_files or installed_reader(services))
        self.picked.add_requested.connect(self.add_requested)
        self.picked.download_requested.connect(self.download_requested)
        self.results = SearchResultsModel(self.runner, self)
        self.results.loading_changed.connect(lambda _busy: self._show_result_status())
        self.results.page_loaded.connect(lambda _n: self._show_result_status())
        self.results.failed.connect(self._search_failed)
        self.results.modelReset.connect(lambda: self.picked.show_model(None))
        self._build()

    def _build(self) -> None:
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

        left = QtWidgets.QWidget()
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.result_status)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.picked)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(splitter, 1)

    # --- searching -------------------------------------------------------------------------------

    def search_now(self) -> None:
        """Search for what the boxes say now (typing calls this once it pauses)."""
        self.form.debounce.stop()
        query = self.form.query()
        problem = query_problem(query)
        if problem:
            self.query = None
            self.results.start(None)
            set_status(self.result_status, problem, error=True)
            return
        self.query = query
        self.last_error = None
        self.results.start(ResultPages(self._quick_client, query, self.page_size))
        self._show_result_status()

    def _quick_client(self) -> HubClient:
        """A person waits on every request of this tab: an unreachable Hub must fail within seconds, as
        the window's other questions do, not after the downloads' patient backoff (12–23 s)."""
        return self.services.make_client(quick=True)

    def _search_failed(self, exc: BaseException) -> None:
        self.last_error = exc
        set_status(self.result_status, failure_text(exc), error=True)

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
        set_status(self.result_status, text)

    # --- the results list ------------------------------------------------------------------------

    def _row_changed(self, current: QtCore.QModelIndex) -> None:
        summary = current.siblingAtColumn(0).data(SUMMARY_ROLE) if current.isValid() else None
        if summary != self.picked.selected:
            self.picked.show_model(summary)

    def select_row(self, row: int) -> None:
        self.view.setCurrentIndex(self.results.index(row, 0))

    def wait_idle(self, msecs: int = -1) -> bool:
        """Block until background work is done (shutdown and tests)."""
        return self.runner.wait(msecs) and self.picked.wait_idle(msecs)
