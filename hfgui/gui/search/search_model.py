"""Hub search results as a table model that fetches the next page on a worker when the view nears the end."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6 import QtCore

from hfgui.core.types import ModelSummary
from hfgui.core.wire.hub import SEARCH_FORMAT_TAGS, HubClient
from hfgui.gui.widgets.table_model import ListTableModel
from hfgui.gui.workers import TaskRunner

SUMMARY_ROLE = int(QtCore.Qt.ItemDataRole.UserRole) + 1
_RIGHT = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
DISPLAY = QtCore.Qt.ItemDataRole.DisplayRole
HEADER_TIPS = {3: "The library or runtime the model card names (transformers, gguf, mlx, diffusers…)"}


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    author: str = ""
    format: str | None = None  # a SEARCH_FORMAT_TAGS key, None for any
    sort: str = "downloads"  # one of SEARCH_SORTS


@dataclass(frozen=True)
class Page:
    models: tuple[ModelSummary, ...]
    more: bool  # whether another page may follow


class ResultPages:
    """Pulls search results one page at a time from a single `search_models` iterator.

    `next_page()` blocks (network): call it on a worker, one call at a time per instance. The Hub
    client is made on the first call (making one may read the keyring) and closed at the end; a person
    waits on it, so give it a quick client (`Services.make_client(quick=True)`): an unreachable Hub then
    fails in a second or two, not after the downloads' patient backoff.
    """

    def __init__(self, make_client: Callable[[], HubClient], query: SearchQuery, page_size: int = 50) -> None:
        self.query = query
        self.page_size = page_size
        self._make_client = make_client
        self._client: HubClient | None = None
        self._results: Iterator[ModelSummary] | None = None
        self._lock = threading.Lock()  # guards against a second caller, which a generator would refuse

    def next_page(self) -> Page:
        with self._lock:
            if self._results is None:
                self._client = self._make_client()
                q = self.query
                self._results = self._client.search_models(
                    q.text or None,
                    author=q.author or None,
                    filters=[SEARCH_FORMAT_TAGS[q.format]] if q.format else (),
                    sort=q.sort,
                    page_size=self.page_size,
                    full=True,  # the longer records carry lastModified
                )
            # islice stops after page_size items without asking for more, so this reads one Hub page.
            models = tuple(itertools.islice(self._results, self.page_size))
            more = len(models) == self.page_size
            if not more:
                self._close()
            return Page(models, more)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client, self._results = None, None


class SearchResultsModel(ListTableModel):
    """Rows of `ModelSummary`; `fetchMore` loads the next page of the current search on the runner.

    Results of a search that `start()` replaced are dropped when they arrive. Signals (GUI thread):
    loading_changed(bool), page_loaded(int rows added), failed(object exception).
    """

    HEADERS = ("Model", "Downloads", "Likes", "Framework", "Updated")  # the library_name the Hub reports
    loading_changed = QtCore.Signal(bool)
    page_loaded = QtCore.Signal(int)
    failed = QtCore.Signal(object)

    def __init__(self, runner: TaskRunner, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._rows: list[ModelSummary]
        self._pages: ResultPages | None = None
        self._more = False
        self._loading = False
        self._generation = 0
        self.last_error: BaseException | None = None

    # --- the search --------------------------------------------------------------------------------

    def start(self, pages: ResultPages | None) -> None:
        """Replace the results with those of ``pages`` (None: empty) and fetch its first page."""
        self._generation += 1
        self._discard(self._pages, busy=self._loading)
        self.beginResetModel()
        self._rows = []
        self._pages = pages
        self._more = pages is not None
        self.last_error = None
        self.endResetModel()
        self._set_loading(False)
        if pages is not None:
            self.fetchMore(QtCore.QModelIndex())

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_more(self) -> bool:
        return self._more

    def canFetchMore(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> bool:
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> None:
        if not self.canFetchMore(parent) or self._pages is None:
            return
        pages, generation = self._pages, self._generation
        self._set_loading(True)
        self.runner.submit(
            pages.next_page,
            lambda page: self._page_arrived(generation, pages, page),
            lambda exc: self._page_failed(generation, pages, exc),
        )

    def _page_arrived(self, generation: int, pages: ResultPages, page: Page) -> None:
        if generation != self._generation:
            self._discard(pages, busy=False)
            return
        self._set_loading(False)
        self._more = page.more
        if page.models:
            first = len(self._rows)
            self.beginInsertRows(QtCore.QModelIndex(), first, first + len(page.models) - 1)
            self._rows.extend(page.models)
            self.endInsertRows()
        self.page_loaded.emit(len(page.models))

    def _page_failed(self, generation: int, pages: ResultPages, exc: BaseException) -> None:
        self._discard(pages, busy=False)
        if generation != self._generation:
            return
        # A failed page ends this search; searching again (or scrolling after a retry) starts afresh.
        self._more = False
        self._set_loading(False)
        self.last_error = exc
        self.failed.emit(exc)

    def _discard(self, pages: ResultPages | None, *, busy: bool) -> None:
        # A page still being read closes its client when it comes back (see _page_arrived).
        if pages is not None and not busy:
            self.runner.submit(pages.close)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def headerData(self, section: int, orientation: QtCore.Qt.Orientation, role: int = DISPLAY):
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and orientation == QtCore.Qt.Orientation.Horizontal:
            return HEADER_TIPS.get(section)
        return super().headerData(section, orientation, role)

    # --- rows ------------------------------------------------------------------------------------

    def summary(self, row: int) -> ModelSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def summaries(self) -> list[ModelSummary]:
        return list(self._rows)

    def data(self, index: QtCore.QModelIndex, role: int = QtCore.Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._rows):
            return None
        model = self._rows[index.row()]
        column = index.column()
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return _cell(model, column)
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and column in (1, 2):
            return int(_RIGHT.value)
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            tags = ", ".join(model.tags[:20])
            lines = [model.repo_id, model.pipeline_tag or "", f"Tags: {tags}" if tags else ""]
            if model.gated:
                lines.append("Gated: accept its license on the Hub and add a token to download.")
            return "\n".join(line for line in lines if line)
        if role == SUMMARY_ROLE:
            return model
        return None

    def flags(self, index: QtCore.QModelIndex) -> QtCore.Qt.ItemFlag:
        if not index.isValid():
            return QtCore.Qt.ItemFlag.NoItemFlags
        return (
            QtCore.Qt.ItemFlag.ItemIsEnabled
            | QtCore.Qt.ItemFlag.ItemIsSelectable
            | (QtCore.Qt.ItemFlag.ItemNeverHasChildren)
        )


def _cell(model: ModelSummary, column: int) -> str:
    if column == 0:
        return model.repo_id + ("  🔒" if model.private else "") + ("  (gated)" if model.gated else "")
    if column == 1:
        return f"{model.downloads:,}"
    if column == 2:
        return f"{model.likes:,}"
    if column == 3:
        return model.library_name or ""
    if column == 4:
        return (model.last_modified or "")[:10]  # the day of an ISO timestamp
    return ""
