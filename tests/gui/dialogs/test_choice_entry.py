"""The catalog entry a download choice becomes: named by its quantisation, selecting exactly its files."""

from __future__ import annotations

from hfgui.core.library.catalog import entry_from_dict, select_files
from hfgui.core.library.grouping import group_files
from hfgui.gui.dialogs.choice_entry import entry_for_choice
from hfgui.gui.dialogs.choice_rules import default_choice
from tests.gui.dialogs.choice_trees import GGUF, MLX, PROJECTOR, by_label


def test_quant_with_its_vision_projector_is_named_by_the_quant():
    items = group_files(GGUF)
    chosen = [by_label(items, "Q8_0"), by_label(items, PROJECTOR)]
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
