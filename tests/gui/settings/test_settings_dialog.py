"""Settings: a token validated with whoami, kept in the keyring and never leaked; other settings persist."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from hfgui.core.settings import load_settings
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.auth import KEYRING_SERVICE, KEYRING_USERNAME
from tests.gui.helpers import make_window, open_settings, settle
from tests.gui.inputs import click

WAIT = 60_000
TOKEN = "hf_aliceSecretToken0123456789"


@pytest.fixture
def dialog(hub_env, qtbot, caplog):
    caplog.set_level(logging.DEBUG)
    hub_env.add_user("alice", TOKEN, role="read")
    window = make_window(qtbot, start=False)
    dlg = open_settings(qtbot, window)
    qtbot.waitUntil(lambda: dlg.keyring_available is not None, timeout=WAIT)
    yield dlg
    window.runner.wait(WAIT)


def test_validate_save_and_remove_token_in_keyring(dialog, memory_keyring, qtbot, caplog, gui_home):
    assert dialog.token_intro.isVisible()  # the Account page is the one the window opens
    assert "Public models download without a token" in dialog.token_intro.text()
    dialog.token_edit.setText(TOKEN)
    assert dialog.token_edit.echoMode() == dialog.token_edit.EchoMode.Password
    click(qtbot, dialog.show_token)
    assert dialog.token_edit.echoMode() == dialog.token_edit.EchoMode.Normal

    click(qtbot, dialog.validate_button)
    qtbot.waitUntil(lambda: "alice" in dialog.token_result.text(), timeout=WAIT)
    assert "token role: read" in dialog.token_result.text()

    click(qtbot, dialog.save_token_button)
    qtbot.waitUntil(lambda: (KEYRING_SERVICE, KEYRING_USERNAME) in memory_keyring.passwords, timeout=WAIT)
    assert memory_keyring.passwords[(KEYRING_SERVICE, KEYRING_USERNAME)] == TOKEN
    qtbot.waitUntil(lambda: "saved in the OS keyring" in dialog.stored_label.text(), timeout=WAIT)
    assert dialog.token_edit.text() == ""

    click(qtbot, dialog.remove_token_button)
    qtbot.waitUntil(lambda: "Token removed" in dialog.token_result.text(), timeout=WAIT)
    assert (KEYRING_SERVICE, KEYRING_USERNAME) not in memory_keyring.passwords

    assert TOKEN not in caplog.text
    for path in gui_home.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    settle(dialog.parent(), qtbot)  # saving and removing the token fetched sizes again


def test_invalid_token_shows_one_line_error(dialog, qtbot, caplog):
    dialog.token_edit.setText("hf_notAValidToken")
    click(qtbot, dialog.validate_button)
    qtbot.waitUntil(lambda: "rejected" in dialog.token_result.text(), timeout=WAIT)
    assert "\n" not in dialog.token_result.text()
    assert "hf_notAValidToken" not in dialog.token_result.text()
    assert "hf_notAValidToken" not in caplog.text


def test_hf_token_env_is_said_to_override(hub_env, qtbot, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    window = make_window(qtbot, start=False)
    dlg = open_settings(qtbot, window)
    assert dlg.env_notice.isVisible()
    assert "HF_TOKEN" in dlg.env_notice.text() and "overrides" in dlg.env_notice.text()
    qtbot.waitUntil(lambda: dlg.keyring_available is not None, timeout=WAIT)
    window.runner.wait(WAIT)


def test_without_keyring_token_is_kept_for_session_only(hub_env, qtbot, gui_home, caplog):
    keyring.set_keyring(keyring.backends.fail.Keyring())  # restored by the memory_keyring fixture
    hub_env.add_user("alice", TOKEN, role="read")
    window = make_window(qtbot, start=False)
    dlg = open_settings(qtbot, window)
    qtbot.waitUntil(lambda: dlg.keyring_available is False, timeout=WAIT)
    assert "session only" in dlg.stored_label.text()
    dlg.token_edit.setText(TOKEN)
    click(qtbot, dlg.save_token_button)
    qtbot.waitUntil(lambda: "this session only" in dlg.token_result.text(), timeout=WAIT)
    assert window.services.token_store.get() == TOKEN
    for path in gui_home.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in caplog.text
    settle(window, qtbot)


def test_a_token_the_hub_rejects_is_not_saved_and_ok_saves_a_typed_one(dialog, hub_env, qtbot):
    dialog.token_edit.setText("hf_notAnAccountsToken000000000000")
    click(qtbot, dialog.save_token_button)
    qtbot.waitUntil(lambda: "not saved" in dialog.token_result.text(), timeout=WAIT)
    assert dialog.services.token_store.get() is None
    # Typed and OK pressed without "Save": it is checked and kept, then the dialog closes.
    dialog.token_edit.setText(TOKEN)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert dialog.services.token_store.get() == TOKEN
    settle(dialog.parent(), qtbot)  # the new token fetches sizes: let that end with the test


def test_other_settings_persist(hub_env, qtbot, tmp_path):
    window = make_window(qtbot, start=False)
    dlg = open_settings(qtbot, window)
    library = tmp_path / "elsewhere"
    dlg.library_edit.setText(str(library))
    dlg.parallel_spin.setValue(3)
    # Files at once and connections per file are measured unless a number is chosen.
    assert dlg.files_spin.text() == dlg.segments_spin.text() == "Automatic"
    dlg.files_spin.setValue(6)
    dlg.segments_spin.setValue(1)
    dlg.endpoint_edit.setText(hub_env.url + "/")  # a mirror URL; the trailing slash is dropped
    dlg.auto_resume.setChecked(False)
    click(qtbot, dlg.ok_button)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=WAIT)
    saved = load_settings(AppPaths.from_environment())
    assert saved.library_dir == str(library)
    assert saved.parallel_models == 3
    assert (saved.parallel_files, saved.segments_per_file) == (6, 1)
    assert saved.endpoint == hub_env.url
    assert saved.auto_resume is False
    assert window.services.library_root == library
    window.runner.wait(WAIT)


@pytest.mark.parametrize("kind", ["file", "read-only", "relative"])
def test_a_library_folder_that_cannot_hold_models_is_refused(hub_env, qtbot, tmp_path, kind):
    if kind == "file":
        chosen, says = tmp_path / "a-file", "is a file, not a folder"
        chosen.write_text("x")
    elif kind == "read-only":
        if os.geteuid() == 0:  # root writes anywhere: use a place no one can create folders in
            chosen, says = Path("/proc/hfgui-models"), "cannot be stored in /proc/hfgui-models"
        else:
            locked = tmp_path / "locked"
            locked.mkdir(mode=0o500)
            chosen, says = locked / "models", "cannot be stored in"
    else:
        chosen, says = Path("relative/models"), "is not a full path"
    window = make_window(qtbot, start=False)
    dlg = open_settings(qtbot, window)
    dlg.library_edit.setText(str(chosen))
    click(qtbot, dlg.ok_button)
    qtbot.waitUntil(lambda: dlg.settings_error.text() != "", timeout=WAIT)
    assert dlg.isVisible() and dlg.ok_button.isEnabled()
    assert says in dlg.settings_error.text() and "Choose a folder" in dlg.settings_error.text()
    assert load_settings(AppPaths.from_environment()).library_dir is None  # nothing was saved
    window.runner.wait(WAIT)


def test_bad_endpoint_is_refused_with_a_message(hub_env, qtbot):
    window = make_window(qtbot, start=False)
    dlg = open_settings(qtbot, window)
    dlg.endpoint_edit.setText("mirror.example.org")
    click(qtbot, dlg.ok_button)
    assert dlg.isVisible()
    assert "not a web address" in dlg.settings_error.text()
    window.runner.wait(WAIT)


@pytest.mark.secret_service
@pytest.mark.skipif(
    os.environ.get("HFGUI_SECRET_SERVICE") != "1",
    reason="needs gnome-keyring under dbus-run-session (scripts/test.sh sets HFGUI_SECRET_SERVICE=1)",
)
def test_token_round_trip_through_real_secret_service(hub_env, qtbot):
    from keyring.backends import SecretService

    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    try:
        hub_env.add_user("alice", TOKEN)
        window = make_window(qtbot, start=False)
        dlg = open_settings(qtbot, window)
        qtbot.waitUntil(lambda: dlg.keyring_available is True, timeout=WAIT)
        dlg.token_edit.setText(TOKEN)
        click(qtbot, dlg.save_token_button)
        qtbot.waitUntil(lambda: "saved in the OS keyring" in dlg.stored_label.text(), timeout=WAIT)
        assert keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME) == TOKEN
        click(qtbot, dlg.remove_token_button)
        qtbot.waitUntil(lambda: "Token removed" in dlg.token_result.text(), timeout=WAIT)
        assert keyring.get_password(KEYRING_SERVICE, KEYRING_USERNAME) is None
        window.runner.wait(WAIT)
    finally:
        keyring.set_keyring(previous)
