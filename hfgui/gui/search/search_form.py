"""The Search tab's form: the query, author, format and sort boxes, and when typing becomes a search."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.wire.hub import SEARCH_FORMAT_TAGS, SEARCH_SORTS
from hfgui.gui.search.search_model import SearchQuery

DEBOUNCE_MS = 300
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


class SearchForm(QtWidgets.QWidget):
    """One row of boxes. Signal: ``search_requested()`` once typing pauses (``debounce_ms``), on Enter,
    or when the format or the sort changes; `query()` then says what to search for."""

    search_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
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
        # One search once typing pauses, not one request per keystroke.
        self.debounce = QtCore.QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(debounce_ms)
        self.debounce.timeout.connect(self.search_requested)
        for edit in (self.query_edit, self.author_edit):
            edit.textChanged.connect(lambda _text: self.debounce.start())
            edit.returnPressed.connect(self.search_requested)
        self.format_combo.currentIndexChanged.connect(lambda _i: self.search_requested.emit())
        self.sort_combo.currentIndexChanged.connect(lambda _i: self.search_requested.emit())

        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query_edit, 3)
        layout.addWidget(self.author_edit, 1)
        layout.addWidget(self.format_combo)
        layout.addWidget(self.sort_combo)

    def query(self) -> SearchQuery:
        return SearchQuery(
            text=" ".join(self.query_edit.text().split()),
            author=self.author_edit.text().strip(),
            format=self.format_combo.currentData(),
            sort=self.sort_combo.currentData(),
        )


def query_problem(query: SearchQuery) -> str | None:
    """Why the Hub would refuse or misread this query, in one line; None when it is fine."""
    if len(query.text) > 250:
        return "The search text is too long: use at most 250 characters."
    if query.author and ("/" in query.author or " " in query.author):
        return f"Author takes a user or organisation name, not '{query.author}'."
    return None
