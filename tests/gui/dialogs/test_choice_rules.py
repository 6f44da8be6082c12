"""The choice rules without a widget: one quantisation or the whole repository, what combines beside it,
and what is chosen first."""

from __future__ import annotations

import subprocess
import sys

from hfgui.core.library.grouping import group_files
from hfgui.gui.dialogs.choice_rules import (
    NO_QUANT_LABEL,
    ONLY_TICKED_LABEL,
    Choice,
    choice_hint,
    choice_rows,
    default_choice,
)
from tests.gui.dialogs.choice_trees import GGUF, ONNX, PROJECTOR, by_label, labels


def test_quants_and_the_whole_repository_are_one_of_what_combines_sits_between():
    rows = choice_rows(group_files(GGUF))
    assert [(row.label, row.one_of) for row in rows] == [
        ("Q4_K_M", True),
        ("Q8_0", True),
        (PROJECTOR, False),  # a projector is no model alone: no "no quantisation" row to pick it with
        ("Whole repository", True),
    ]
    assert ONLY_TICKED_LABEL in [row.label for row in choice_rows(group_files(ONNX))]
    assert NO_QUANT_LABEL not in [row.label for row in rows]


def test_the_whole_repository_hides_the_ticks_and_gives_them_back():
    items = group_files(GGUF)
    choice = Choice(choice_rows(items))
    choice.select([by_label(items, "Q8_0"), by_label(items, PROJECTOR)])
    assert labels(choice.items()) == ["Q8_0", PROJECTOR]

    choice.picked = choice.whole_row
    assert choice.whole_chosen() and labels(choice.items()) == ["Whole repository"]
    choice.picked = 0
    assert labels(choice.items()) == ["Q4_K_M", PROJECTOR], "the tick outlived the whole repository"


def test_wanting_only_what_combines_keeps_a_one_of_choice():
    onnx = group_files(ONNX)
    choice = Choice(choice_rows(onnx))
    choice.select([by_label(onnx, "model_q4.onnx")])
    assert choice.rows[choice.picked].label == ONLY_TICKED_LABEL
    assert labels(choice.items()) == ["model_q4.onnx"]

    gguf = group_files(GGUF)
    choice = Choice(choice_rows(gguf))
    choice.select([by_label(gguf, PROJECTOR)])  # nothing current yet: the recommended quant
    assert labels(choice.items()) == ["Q4_K_M", PROJECTOR]
    choice.picked = 1
    choice.select([])  # names no one-of item: the current one stays, the tick goes
    assert labels(choice.items()) == ["Q8_0"]


def test_a_pointed_at_folder_or_file_is_chosen_first():
    items = group_files(GGUF)
    assert labels(default_choice(items, "m-Q8_0.gguf")) == ["Q8_0"]
    assert labels(default_choice(items, "README.md")) == ["Whole repository"]
    assert labels(default_choice(items, "missing.bin")) == ["Q4_K_M"]


def test_the_hint_says_what_the_rows_allow():
    assert choice_hint(group_files(GGUF)) == "Pick one quantisation."
    assert choice_hint(group_files(ONNX)).startswith("Tick what you want")
    assert choice_hint(group_files(GGUF[:1])) == "Choose what to download."


def test_the_rules_the_entry_and_the_repository_reads_need_no_qt():
    code = (
        "import sys\n"
        "from hfgui.gui.dialogs import choice_entry, choice_rules, repo_files\n"
        "assert 'PySide6' not in sys.modules, sorted(m for m in sys.modules if 'PySide6' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
