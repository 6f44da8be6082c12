"""The Add model dialog against the emulator: the Search panel's download choices, stored entries."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from hfgui.core.library.catalog import load_user_models, select_files
from hfgui.gui.dialogs.add_model_dialog import AddModelDialog
from hfgui.gui.dialogs.choice_cells import INSTALLED_MARK
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner
from tests.gui.helpers import PACKAGE, populate
from tests.gui.inputs import click
from tests.hubemu import generated_content

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
SMALL_SCREEN = QtCore.QSize(1024, 640)  # a 1024×700 screen less a 60-px panel
FRAME = QtCore.QSize(20, 60)  # title bar and borders the window manager adds


@pytest.fixture
def services(hub_env):
    populate(hub_env)
    hub_env.add_repo(
        "acme/llama-gguf",
        files={
            "llama-Q2_K.gguf": generated_content(3_000, seed=1),
            "llama-Q4_K_M.gguf": generated_content(5_000, seed=2),
            "llama-Q8_0.gguf": generated_content(9_000, seed=3),
            "mmproj-llama-F16.gguf": generated_content(2_000, seed=4),
            "README.md": b"# llama\n",
        },
    )
    hub_env.add_repo(
        "acme/plain",
        files={"model.safetensors": generated_content(4_000, seed=5), "config.json": b"{}", "notes.md": b"x"},
    )
    return Services.from_environment()


@pytest.fixture
def runner():
    pool = TaskRunner(2)
    yield pool
    pool.wait(WAIT)


def checked(qtbot, services, runner, text: str, taken=()) -> AddModelDialog:
    dialog = AddModelDialog(services, runner, taken, text=text)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: dialog.info is not None or dialog.last_error is not None, timeout=WAIT)
    return dialog


def add(qtbot, dialog: AddModelDialog):
    with qtbot.waitSignal(dialog.added, timeout=WAIT) as blocker:
        click(qtbot, dialog.add_button)
    return blocker.args[0]


def test_gguf_repo_offers_one_quant_with_the_recommended_one_chosen(qtbot, services, runner, hub_env):
    dialog = checked(qtbot, services, runner, "acme/llama-gguf", taken=["acme-llama-gguf-q4_k_m"])
    assert dialog.single_choice
    labels = [i.label for i in dialog.files.items()]
    assert labels[:3] == ["Q4_K_M", "Q2_K", "Q8_0"]
    assert "Whole repository" in labels
    assert dialog.chosen_paths() == ["llama-Q4_K_M.gguf"]
    assert dialog.add_button.isEnabled()

    # The vision projector goes with a quant; another quant replaces the first.
    click(qtbot, dialog.files.button("mmproj-llama-F16.gguf (vision projector)"))
    click(qtbot, dialog.files.button("Q8_0"))
    assert sorted(dialog.chosen_paths()) == ["llama-Q8_0.gguf", "mmproj-llama-F16.gguf"]

    click(qtbot, dialog.files.button("Q4_K_M"))
    click(qtbot, dialog.files.button("mmproj-llama-F16.gguf (vision projector)"))
    entry = add(qtbot, dialog)
    assert entry.id == "acme-llama-gguf-q4_k_m-2", "an id not yet taken"
    assert entry.files == ("llama-Q4_K_M.gguf",) and entry.quantization == "Q4_K_M"
    assert (entry.framework, entry.format) == ("llama.cpp", "gguf")
    assert [e.id for e in load_user_models(services.paths)] == [entry.id]


def test_a_core_ml_package_is_one_folder_entry(qtbot, services, runner):
    dialog = checked(qtbot, services, runner, "https://huggingface.co/demo/coreml-tiny")
    assert [i.label for i in dialog.files.chosen_items()] == [PACKAGE]
    assert not dialog.single_choice
    entry = add(qtbot, dialog)
    assert entry.folder == PACKAGE and entry.files == ()
    assert (entry.framework, entry.format) == ("coreml", "mlpackage")


def test_a_file_address_preselects_the_item_holding_it(qtbot, services, runner, hub_env):
    dialog = checked(qtbot, services, runner, f"{hub_env.url}/acme/llama-gguf/blob/main/llama-Q8_0.gguf")
    assert dialog.chosen_paths() == ["llama-Q8_0.gguf"]


def test_plain_weights_come_with_their_config_and_select_exactly_those(qtbot, services, runner):
    dialog = checked(qtbot, services, runner, "acme/plain")
    assert sorted(dialog.chosen_paths()) == ["config.json", "model.safetensors"]
    dialog.name_edit.setText("My plain model")
    entry = add(qtbot, dialog)
    assert entry.name == "My plain model" and entry.format == "safetensors"
    client = services.make_client()
    try:
        tree = client.list_tree("acme/plain")
    finally:
        client.close()
    assert sorted(t.path for t in select_files(entry, tree)) == ["config.json", "model.safetensors"]

    again = checked(qtbot, services, runner, "acme/plain", taken=[entry.id])
    click(qtbot, again.files.button("Whole repository"))
    whole = add(qtbot, again)
    assert whole.include == ("*",) and whole.id == "acme-plain-2"
    assert len(select_files(whole, tree)) == 3


def test_bad_reference_and_missing_repo_show_one_line(qtbot, services, runner):
    dialog = checked(qtbot, services, runner, "https://example.com/not/a-model")
    assert "not a Hugging Face model address" in dialog.status.text()
    assert not dialog.add_button.isEnabled()

    missing = checked(qtbot, services, runner, "acme/does-not-exist")
    text = missing.status.text()
    assert "acme/does-not-exist" in text and "\n" not in text
    assert not missing.add_button.isEnabled()


def test_the_same_files_twice_are_refused_other_files_of_the_repo_are_not(qtbot, services, runner):
    from hfgui.gui.models.entries import model_entry

    first = add(qtbot, checked(qtbot, services, runner, "acme/llama-gguf"))  # the recommended Q4_K_M
    listed = [model_entry(first)]
    dialog = AddModelDialog(services, runner, [first.id], text="acme/llama-gguf", existing=listed)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=WAIT)
    click(qtbot, dialog.add_button)
    assert "already in the list as" in dialog.status.text() and "\n" not in dialog.status.text()
    assert [e.id for e in load_user_models(services.paths)] == [first.id]  # nothing stored
    click(qtbot, dialog.files.button("Q8_0"))
    second = add(qtbot, dialog)
    assert second.files == ("llama-Q8_0.gguf",)


def test_the_caller_says_what_is_installed_and_it_is_marked(qtbot, services, runner):
    asked = []

    def installed_files(repo_id):
        asked.append(repo_id)
        return {"llama-Q2_K.gguf", "README.md"}

    dialog = AddModelDialog(services, runner, (), text="acme/llama-gguf", installed_files=installed_files)
    qtbot.addWidget(dialog)
    dialog.show()
    click(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=WAIT)
    assert asked == ["acme/llama-gguf"]
    assert INSTALLED_MARK in dialog.files.button("Q2_K").text()
    assert INSTALLED_MARK not in dialog.files.button("Q4_K_M").text()


def test_a_repo_of_json_files_is_other_here_and_in_the_library_tab(qtbot, services, runner, hub_env):
    from hfgui.core.engine.model_download import download_model
    from hfgui.core.engine.planner import DownloadRequest
    from hfgui.core.library.importer import detect_format
    from hfgui.gui.models.entries import model_entry
    from hfgui.gui.widgets.formatting import format_label

    hub_env.add_repo("acme/configs", files={"config.json": b"{}", "tokenizer.json": b'{"a": 1}'})
    dialog = checked(qtbot, services, runner, "acme/configs")
    entry = add(qtbot, dialog)
    assert (entry.framework, entry.format) == ("other", "other")
    row = model_entry(entry)
    assert (row.format, row.format_label) == ("Other", "other")  # the Models tab's group and column

    client = services.make_client()
    try:
        download_model(
            client, DownloadRequest(entry.repo, include=entry.patterns()[0]), services.library_root
        )
    finally:
        client.close()
    on_disk = detect_format(services.library_root / "acme" / "configs")
    assert format_label(on_disk) == row.format_label  # the Library tab's Format column


def test_it_fits_a_1024_by_700_screen_with_a_repository_checked(qtbot, services, runner):
    dialog = checked(qtbot, services, runner, "acme/llama-gguf")
    assert dialog.files.items(), "the choices are listed"
    for size in (dialog.sizeHint().expandedTo(dialog.minimumSize()), dialog.size()):
        framed = size + FRAME
        assert framed.width() <= SMALL_SCREEN.width() and framed.height() <= SMALL_SCREEN.height(), framed
