"""The download picker widget: radio buttons for one-of choices, check boxes for what combines, marks for
what is installed, a memory hint per quantisation."""

from __future__ import annotations

import pytest
from PySide6 import QtWidgets

from hfgui.core.library.grouping import group_files
from hfgui.core.types import TreeEntry
from hfgui.gui.dialogs.choice_cells import COL_FIT, COL_SIZE, INSTALLED_MARK
from hfgui.gui.dialogs.choice_rules import NO_QUANT_LABEL, ONLY_TICKED_LABEL
from hfgui.gui.dialogs.download_choice import DownloadChoice
from tests.gui.dialogs.choice_trees import GB, GGUF, ONNX, by_label, labels
from tests.gui.inputs import click

RAM = 16 * GB  # injected: the hints must not depend on the machine running the tests


@pytest.fixture
def choice(qtbot):
    widget = DownloadChoice(ram_bytes=RAM)
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.show()
    return widget


def test_quants_and_the_whole_repository_are_radio_buttons_the_projector_a_check_box(choice, qtbot):
    choice.set_items(group_files(GGUF))
    projector = "mmproj-m-F16.gguf (vision projector)"
    assert isinstance(choice.button("Q4_K_M"), QtWidgets.QRadioButton)
    assert isinstance(choice.button("Q8_0"), QtWidgets.QRadioButton)
    assert isinstance(choice.button("Whole repository"), QtWidgets.QRadioButton)
    assert isinstance(choice.button(projector), QtWidgets.QCheckBox)
    # A projector is no use alone: there is no "no quantisation" choice to pick it with.
    with pytest.raises(KeyError):
        choice.button(NO_QUANT_LABEL)
    assert labels(choice.chosen_items()) == ["Q4_K_M"]

    with qtbot.waitSignal(choice.changed):
        click(qtbot, choice.button(projector))
    assert labels(choice.chosen_items()) == ["Q4_K_M", projector]
    click(qtbot, choice.button("Q8_0"))
    assert labels(choice.chosen_items()) == ["Q8_0", projector], "the projector goes with any quant"
    assert not choice.button("Q4_K_M").isChecked()

    # The whole repository includes everything: the check box shows ticked and cannot be changed.
    click(qtbot, choice.button("Whole repository"))
    assert labels(choice.chosen_items()) == ["Whole repository"]
    box = choice.button(projector)
    assert box.isChecked() and not box.isEnabled()

    # Back to a quant: the tick is what it was before.
    click(qtbot, choice.button("Q4_K_M"))
    assert labels(choice.chosen_items()) == ["Q4_K_M", projector]
    assert box.isEnabled()


def test_without_quants_only_what_is_ticked_stands_against_the_whole_repository(choice, qtbot):
    choice.set_items(group_files(ONNX))
    assert isinstance(choice.button(ONLY_TICKED_LABEL), QtWidgets.QRadioButton)
    assert isinstance(choice.button("model.onnx"), QtWidgets.QCheckBox)
    assert choice.button(ONLY_TICKED_LABEL).isChecked()
    assert labels(choice.chosen_items()) == ["model.onnx"]
    click(qtbot, choice.button("model_q4.onnx"))
    assert labels(choice.chosen_items()) == ["model.onnx", "model_q4.onnx"], "variants combine freely"
    click(qtbot, choice.button("model.onnx"))
    click(qtbot, choice.button("model_q4.onnx"))
    assert choice.chosen_items() == [], "nothing ticked: nothing to download"
    click(qtbot, choice.button("Whole repository"))
    assert labels(choice.chosen_items()) == ["Whole repository"]


def test_a_quant_repo_with_other_weights_can_choose_no_quant(choice, qtbot):
    files = [*GGUF, TreeEntry("model.safetensors", "file", 3_000), TreeEntry("config.json", "file", 10)]
    choice.set_items(group_files(files))
    click(qtbot, choice.button(NO_QUANT_LABEL))
    assert choice.chosen_items() == []
    click(qtbot, choice.button("model.safetensors"))
    assert labels(choice.chosen_items()) == ["model.safetensors"]


def test_installed_quantisations_are_marked(choice):
    choice.set_items(group_files(GGUF), installed={"m-Q8_0.gguf", "README.md"})
    items = choice.items()
    assert choice.is_installed(by_label(items, "Q8_0"))
    assert not choice.is_installed(by_label(items, "Q4_K_M"))
    assert not choice.is_installed(by_label(items, "Whole repository")), "only part of it is here"
    assert INSTALLED_MARK in choice.button("Q8_0").text()
    assert INSTALLED_MARK not in choice.button("Q4_K_M").text()
    choice.set_installed({"m-Q4_K_M.gguf"})
    assert INSTALLED_MARK in choice.button("Q4_K_M").text()
    assert INSTALLED_MARK not in choice.button("Q8_0").text()


def test_each_quant_shows_its_size_and_whether_it_fits_this_ram(choice):
    files = [
        TreeEntry("big-Q2_K.gguf", "file", 5 * GB),
        TreeEntry("big-Q4_K_M.gguf", "file", 12 * GB),
        TreeEntry("big-Q8_0.gguf", "file", 20 * GB),
        TreeEntry("mmproj-big-F16.gguf", "file", GB),
    ]
    choice.set_items(group_files(files))
    cells = {
        label: (choice.row_of(label).text(COL_SIZE), choice.row_of(label).text(COL_FIT))
        for label in (
            "Q2_K",
            "Q4_K_M",
            "Q8_0",
        )
    }
    # 16 GB of RAM: 5 GB needs 6.5 GB (fits), 12 GB needs 14.2 GB (tight), 20 GB needs 23 GB (too big).
    assert cells == {
        "Q2_K": ("5.0 GB", "fits"),
        "Q4_K_M": ("12.0 GB", "tight"),
        "Q8_0": ("20.0 GB", "too big"),
    }
    assert "16.0 GB" in choice.row_of("Q8_0").toolTip(COL_FIT)
    # Neither the projector nor the whole repository is a model to fit on its own.
    assert choice.row_of("mmproj-big-F16.gguf (vision projector)").text(COL_FIT) == ""
    assert choice.row_of("Whole repository").text(COL_FIT) == ""


def test_unknown_ram_says_so_instead_of_guessing(qtbot):
    widget = DownloadChoice(ram_bytes=None)
    qtbot.addWidget(widget)
    widget.set_items(group_files(GGUF))
    assert widget.row_of("Q4_K_M").text(COL_FIT) == "—"
    assert "could not be read" in widget.row_of("Q4_K_M").toolTip(COL_FIT)


def test_a_pointed_at_projector_is_chosen_with_the_recommended_quant(choice):
    # A projector is no model alone: the quant the rules pick stays beside it.
    choice.set_items(group_files(GGUF), wanted_path="mmproj-m-F16.gguf")
    assert labels(choice.chosen_items()) == ["Q4_K_M", "mmproj-m-F16.gguf (vision projector)"]
