"""The shared download choice: defaults, exclusive choices and the catalog entry a choice becomes."""

from __future__ import annotations

from hfgui.core.catalog import entry_from_dict, select_files
from hfgui.core.grouping import group_files
from hfgui.core.types import TreeEntry
from hfgui.gui.download_choice import CHECKED, DownloadChoice, default_choice, entry_for_choice

GGUF = [
    TreeEntry("m-Q4_K_M.gguf", "file", 400),
    TreeEntry("m-Q8_0.gguf", "file", 800),
    TreeEntry("mmproj-m-F16.gguf", "file", 50),
    TreeEntry("README.md", "file", 5),
]
MLX = [
    TreeEntry("model.safetensors", "file", 1000),
    TreeEntry("config.json", "file", 10),
    TreeEntry("tokenizer.json", "file", 10),
    TreeEntry("README.md", "file", 5),
]


def by_label(items, label):
    return next(i for i in items if i.label == label)


def test_quant_with_its_vision_projector_is_named_by_the_quant():
    items = group_files(GGUF)
    chosen = [by_label(items, "Q8_0"), by_label(items, "mmproj-m-F16.gguf (vision projector)")]
    entry = entry_for_choice("acme/m", chosen, taken_ids=["acme-m-q8_0"])
    assert entry.quantization == "Q8_0" and entry.id == "acme-m-q8_0-2" and entry.name == "m Q8_0"
    assert [t.path for t in select_files(entry, GGUF)] == ["m-Q8_0.gguf", "mmproj-m-F16.gguf"]
    # It is a valid catalog entry (what add_user_model checks before storing it).
    assert entry_from_dict(entry.to_dict(), where="test") == entry


def test_an_mlx_folder_becomes_an_mlx_entry_with_its_config():
    items = group_files(MLX, library_name="mlx")
    chosen = default_choice(items)
    assert [i.kind for i in chosen] == ["mlx"]
    entry = entry_for_choice("mlx-community/m-4bit", chosen, tags=["mlx"])
    assert (entry.framework, entry.format) == ("mlx", "mlx")
    assert sorted(t.path for t in select_files(entry, MLX)) == [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
    ]


def test_the_widget_keeps_quants_exclusive_and_whole_repository_alone(qtbot):
    widget = DownloadChoice()
    qtbot.addWidget(widget)
    widget.set_items(group_files(GGUF))
    assert [i.label for i in widget.chosen_items()] == ["Q4_K_M"]
    labels = [i.label for i in widget.items()]
    rows = widget.rows()
    with qtbot.waitSignal(widget.changed):
        rows[labels.index("mmproj-m-F16.gguf (vision projector)")].setCheckState(0, CHECKED)
    assert len(widget.chosen_items()) == 2
    rows[labels.index("Whole repository")].setCheckState(0, CHECKED)
    assert [i.label for i in widget.chosen_items()] == ["Whole repository"]
    rows[labels.index("Q8_0")].setCheckState(0, CHECKED)
    assert [i.label for i in widget.chosen_items()] == ["Q8_0"]


def test_a_pointed_at_folder_or_file_is_chosen_first():
    items = group_files(GGUF)
    assert [i.label for i in default_choice(items, "m-Q8_0.gguf")] == ["Q8_0"]
    assert [i.label for i in default_choice(items, "README.md")] == ["Whole repository"]
    assert [i.label for i in default_choice(items, "missing.bin")] == ["Q4_K_M"]
