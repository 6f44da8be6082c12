"""The details panel: texts that change ten times a second must not re-lay out the window."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState
from hfgui.gui.models.details_panel import DetailsPanel
from hfgui.gui.models.files_model import FilesModel
from hfgui.gui.models.rows import ModelEntry, RowState, Status
from tests.gui.helpers import MANIFEST, MODEL, WEIGHTS, make_window, populate, settle
from tests.gui.inputs import click, toolbar_click

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"
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


def shown_states(window) -> dict[str, str]:
    """Path -> the State column's text, as the details table shows them."""
    view = window.details.ordered
    return {
        view.index(r, FilesModel.COL_PATH).data(): view.index(r, FilesModel.COL_STATE).data()
        for r in range(view.rowCount())
    }


def test_retry_after_a_failed_download_downloads_it_again(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.status(MANIFEST, 404, times=None, host="hub")
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.FAILED, timeout=WAIT)
    assert window.details.error.isVisible() and window.details.retry.isVisible()
    hub_env.faults.clear()  # the Hub mended
    click(qtbot, window.details.retry)
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)
    assert not window.details.retry.isVisible() and window.details.error.text() == ""
    settle(window, qtbot)


def test_files_fetched_before_a_pause_say_done_after_the_resume(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_000_000, seconds=30)
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    window.act_download.trigger()

    def small_files_done() -> bool:
        progress = window.model.state(KEY).progress
        finished = {f.path for f in progress.files if f.state.finished} if progress else set()
        return {MANIFEST, MODEL} <= finished

    qtbot.waitUntil(small_files_done, timeout=WAIT)
    toolbar_click(qtbot, window.toolbar, window.act_pause)
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.PAUSED, timeout=WAIT)
    hub_env.faults.clear()
    assert window.act_start.text() == "Resume"
    toolbar_click(qtbot, window.toolbar, window.act_start)
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)
    states = {f.path: f.state for f in window.details.files.files()}
    assert states[MANIFEST] is FileState.SKIPPED  # verified by the run before the pause
    shown = shown_states(window)
    assert shown[MANIFEST] == shown[MODEL] == shown[WEIGHTS] == "Done", shown
    settle(window, qtbot)
