"""The details panel: texts that change ten times a second must not re-lay out the window."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState
from hfgui.gui.models.details_panel import DetailsPanel
from hfgui.gui.models.rows import ModelEntry, RowState, Status

ENTRY = ModelEntry("k", "Some Model", "org/some-model", "GGUF (llama.cpp)")
TOTAL = 3_000_000_000


def downloading(done: int, speed: float) -> RowState:
    files = (
        FileProgress("a.gguf", done, TOTAL, FileState.DOWNLOADING, speed),
        FileProgress("README.md", 10, 10, FileState.DONE),
    )
    progress = ModelProgress(
        ENTRY.repo_id, ModelState.DOWNLOADING, done + 10, TOTAL + 10, 1, 2, speed, 5.0, files
    )
    return RowState(ENTRY, Status.DOWNLOADING, TOTAL + 10, progress)


class LayoutRequests(QtCore.QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QtCore.QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_refreshing_texts_asks_for_no_new_layout(qtbot):
    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(QtWidgets.QLabel("above"))
    panel = DetailsPanel()
    layout.addWidget(panel)
    window.resize(900, 300)
    window.show()
    qtbot.waitExposed(window)
    panel.show_state(downloading(0, 0.0))
    qtbot.wait(50)  # the first layout settles

    watcher = LayoutRequests()
    for widget in (window, panel):
        widget.installEventFilter(watcher)
    shown = set()
    # Texts of very different widths: a label would ask every parent for a new layout on each.
    for done, speed in ((1, 1.0), (123_456_789, 98_765_432.0), (2_000_000_000, 5.0), (2_999_999_999, 0.0)):
        panel.show_state(downloading(done, speed))
        QtWidgets.QApplication.processEvents()
        shown.add((panel.title.text(), panel.total.text()))
    assert len(shown) == 4, shown  # every refresh changed the texts
    assert panel.total.text().startswith("3.0 GB of 3.0 GB  ·  1 of 2 files")
    assert watcher.count == 0


def test_long_texts_show_their_start_and_full_text_on_hover(qtbot):
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 200)
    panel.show()
    state = downloading(5, 1.0)
    long_name = state.with_(entry=ModelEntry("k", "A model with a very long name " * 4, "o/r", "GGUF"))
    panel.show_state(long_name)
    assert panel.title.text().startswith("A model with a very long name")
    assert panel.title.cursorPosition() == 0  # the field shows the start, not the end
    assert panel.title.toolTip() == panel.title.text()
