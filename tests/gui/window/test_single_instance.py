"""A second launch of hfgui — from the menu or `hfgui https://huggingface.co/owner/repo` — brings the
running window to the front and hands it the model, instead of starting a second process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hfgui.gui.app import listen_for_launches
from hfgui.gui.window.single_instance import hand_over, instance_name
from tests.gui.helpers import make_window, populate, settle

ROOT = Path(__file__).resolve().parents[3]
WAIT = 60_000  # ms; only a guard against hanging, never a performance bound


def launch(*args: str) -> subprocess.Popen:
    """`hfgui ARGS` as a desktop or a terminal starts it, with this test's HFGUI_HOME and Hub."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "hfgui", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_second_launch_raises_the_window_and_opens_the_model_in_it(hub_env, qtbot):
    populate(hub_env)
    hub_env.add_repo("fresh/new-model", files={"model.gguf": b"GGUF" + bytes(100)})
    window = make_window(qtbot, start=False)
    instance = listen_for_launches(window, instance_name(window.services.paths))
    window.hide()  # e.g. downloading in the tray

    second = launch(f"{hub_env.url}/fresh/new-model")
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=WAIT)
    assert second.returncode == 0, second.stderr.read().decode()
    assert window.isVisible()
    dialog = window.add_dialog
    assert dialog is not None and dialog.isVisible() and dialog.reference.text() == "fresh/new-model"
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=WAIT)
    dialog.reject()

    third = launch(f"{hub_env.url}/demo/gated-llama")  # one already in the list: its row is selected
    qtbot.waitUntil(lambda: third.poll() is not None, timeout=WAIT)
    assert third.returncode == 0 and window.selected_key() == "gated-gguf"
    instance.close()
    settle(window, qtbot)


def test_without_a_running_window_nothing_answers_and_a_stale_socket_is_taken_over(hub_env, qtbot):
    window = make_window(qtbot, start=False)
    name = instance_name(window.services.paths)
    assert not hand_over(name, [])  # nobody listens: this launch opens its own window
    first = listen_for_launches(window, name)
    first.close()  # as if that window had crashed and left its socket behind
    second = listen_for_launches(window, name)
    assert second.server.isListening()
    second.close()


def test_windows_of_other_homes_do_not_answer_each_other(hub_env, qtbot, tmp_path):
    window = make_window(qtbot, start=False)
    listen_for_launches(window, instance_name(window.services.paths))
    from hfgui.core.store.paths import AppPaths

    other = AppPaths.from_environment({"HFGUI_HOME": str(tmp_path / "another-home")})
    assert instance_name(other) != instance_name(window.services.paths)
    assert not hand_over(instance_name(other), [])


def test_the_desktop_entry_passes_addresses_to_hfgui():
    entry = (ROOT / "resources/metadata/io.github.hfgui.HfGui.desktop").read_text(encoding="utf-8")
    assert "Exec=hfgui %U\n" in entry  # a link dropped on the launcher, or a browser's hand-off
