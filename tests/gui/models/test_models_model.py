"""The models tree, its filter proxy and the files table pass Qt's model checks and show the right state."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState
from hfgui.gui.models.files_model import FilesModel
from hfgui.gui.models.models_filter import ModelsFilterProxy
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.rows import ModelEntry, Status
from hfgui.gui.widgets import roles
from hfgui.gui.widgets.progress_bars import BAR_SIZE, FILL_COLOURS


def entries():
    return [
        ModelEntry(
            "openelm",
            "OpenELM 270M",
            "corenet-community/coreml-OpenELM-270M-Instruct",
            "Core ML",
            quantization="Float32",
        ),
        ModelEntry(
            "tiny-q4",
            "TinyLlama Q4_K_M",
            "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF",
            "GGUF (llama.cpp)",
            quantization="Q4_K_M",
        ),
        ModelEntry(
            "tiny-q8",
            "TinyLlama Q8_0",
            "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF",
            "GGUF (llama.cpp)",
            quantization="Q8_0",
        ),
        ModelEntry(
            "phi3", "Phi-3 mini", "microsoft/Phi-3-mini-4k-instruct-onnx", "ONNX", quantization="int4"
        ),
    ]


def progress(done: int, total: int) -> ModelProgress:
    return ModelProgress("x/y", ModelState.DOWNLOADING, done, total, 0, 1)


def test_models_model_passes_qt_checks_through_changes(qapp, qtmodeltester):
    model = ModelsModel()
    model.set_entries(entries())
    qtmodeltester.check(model)
    model.add_entry(ModelEntry("mlx", "Mistral 4bit", "mlx-community/Mistral-7B-Instruct-v0.3-4bit", "MLX"))
    model.add_entry(
        ModelEntry("tiny-q5", "TinyLlama Q5", "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF", "GGUF (llama.cpp)")
    )
    model.update("openelm", status=Status.DOWNLOADING)
    model.set_progress("openelm", progress(5, 10))
    model.flush()
    model.remove_entry("mlx")
    model.remove_entry("tiny-q8")
    qtmodeltester.check(model)
    assert model.keys() == ["openelm", "tiny-q4", "tiny-q5", "phi3"]


def test_groups_follow_format_order_and_count_models():
    model = ModelsModel()
    model.set_entries(entries())
    groups = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert groups == ["Core ML  (1 model)", "GGUF (llama.cpp)  (2 models)", "ONNX  (1 model)"]
    model.update("tiny-q4", status=Status.INSTALLED)
    assert model.index(1, 0).data() == "GGUF (llama.cpp)  (2 models, 1 installed)"


def test_row_shows_size_placeholder_then_size_and_status_texts():
    model = ModelsModel()
    model.set_entries(entries())
    size = model.index_of("openelm", ModelsModel.COL_SIZE)
    status = model.index_of("openelm", ModelsModel.COL_STATUS)
    assert size.data() == "—"
    assert status.data() == "Available"
    model.update("openelm", size=1_234_000_000)
    assert size.data() == "1.2 GB"
    assert size.data(roles.SORT_ROLE) == 1_234_000_000  # sizes sort as ints, not text
    model.update("openelm", status=Status.FAILED, error="The Hub answered HTTP 500.")
    assert status.data() == "Failed (The Hub answered HTTP 500.)"


def test_progress_reaches_view_only_on_flush(qtbot):
    model = ModelsModel()
    model.set_entries(entries())
    model.update("openelm", status=Status.DOWNLOADING)
    status = model.index_of("openelm", ModelsModel.COL_STATUS)
    changed: list[QtCore.QModelIndex] = []
    model.dataChanged.connect(lambda top, bottom, _roles: changed.append(top))
    big = 5 * 1024**3  # more than a 32-bit int can hold
    model.set_progress("openelm", progress(big // 2, big))
    model.set_progress("openelm", progress(big // 2 + 1, big))
    assert changed == []
    assert model.flush() == 1
    assert {index.parent().row() for index in changed if index.parent().isValid()} == {0}
    assert status.data() == "50 %"  # beside its bar; the details title says "Downloading 50 %"
    assert model.state("openelm").status_text == "Downloading 50 %"
    assert status.data(roles.PROGRESS_ROLE) == 500
    assert model.flush() == 0


def test_filter_by_words_format_and_status(qtmodeltester):
    model = ModelsModel()
    model.set_entries(entries())
    proxy = ModelsFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)

    def visible():
        return sorted(
            proxy.index(row, 0, proxy.index(group, 0)).data(roles.KEY_ROLE)
            for group in range(proxy.rowCount())
            for row in range(proxy.rowCount(proxy.index(group, 0)))
        )

    assert visible() == ["openelm", "phi3", "tiny-q4", "tiny-q8"]
    proxy.set_text("tinyllama q8")
    assert visible() == ["tiny-q8"]
    assert proxy.rowCount() == 1  # empty groups disappear
    proxy.set_text("")
    proxy.set_formats({"Core ML", "ONNX"})
    assert visible() == ["openelm", "phi3"]
    proxy.set_formats(None)
    proxy.set_statuses({Status.INSTALLED})
    assert visible() == []
    model.update("phi3", status=Status.INSTALLED)  # dynamic filtering follows status changes
    assert visible() == ["phi3"]
    qtmodeltester.check(proxy)


def test_sorting_by_size_uses_bytes():
    model = ModelsModel()
    model.set_entries(entries())
    model.update("tiny-q4", size=900_000_000)
    model.update("tiny-q8", size=95_000_000)
    proxy = ModelsFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(ModelsModel.COL_SIZE, QtCore.Qt.SortOrder.AscendingOrder)
    gguf = proxy.index(1, 0)
    assert [proxy.index(r, 0, gguf).data(roles.KEY_ROLE) for r in range(2)] == ["tiny-q8", "tiny-q4"]


def test_files_model_updates_rows_in_place(qtmodeltester):
    files = FilesModel()
    first = (
        FileProgress("a.mlpackage/Manifest.json", 0, 600, FileState.QUEUED),
        FileProgress("a.mlpackage/Data/weight.bin", 10, 3 * 1024**3, FileState.DOWNLOADING, speed=2e6),
    )
    files.set_files(first)
    qtmodeltester.check(files)
    resets: list[bool] = []
    files.modelReset.connect(lambda: resets.append(True))
    second = (first[0], FileProgress(first[1].path, 1024**3, 3 * 1024**3, FileState.DOWNLOADING, speed=2e6))
    files.set_files(second)
    assert resets == []
    assert files.index(1, FilesModel.COL_PROGRESS).data(roles.PROGRESS_ROLE) == 333
    assert files.index(1, FilesModel.COL_SPEED).data() == "2.0 MB/s"
    failed = (first[0], FileProgress(first[1].path, 5, 9, FileState.FAILED, error="Disk full."))
    files.set_files(failed)
    assert files.index(1, FilesModel.COL_STATE).data() == "Failed: Disk full."
    qtmodeltester.check(files)


def test_view_paints_status_bars_filled_to_the_progress(qtbot):
    model = ModelsModel()
    model.set_entries(entries())
    for key, done in (("openelm", 3), ("tiny-q4", 1)):
        model.update(key, status=Status.DOWNLOADING)
        model.set_progress(key, progress(done, 4))
    model.flush()
    view = QtWidgets.QTreeView()  # Qt's own delegate, as in the window
    qtbot.addWidget(view)
    view.setModel(model)
    view.expandAll()
    view.resize(1000, 300)
    image = view.viewport().grab().toImage()
    fill = FILL_COLOURS["active"].rgb()

    def filled_pixels(key: str) -> int:
        rect = view.visualRect(model.index_of(key, ModelsModel.COL_STATUS))
        y = rect.center().y()
        return sum(image.pixelColor(x, y).rgb() == fill for x in range(rect.left(), rect.right()))

    inner = BAR_SIZE.width() - 2
    assert abs(filled_pixels("openelm") - inner * 0.75) <= 3
    assert abs(filled_pixels("tiny-q4") - inner * 0.25) <= 3
    assert filled_pixels("tiny-q8") == 0  # no download, no bar
