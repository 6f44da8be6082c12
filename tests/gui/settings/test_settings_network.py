"""Settings: proxy mode and address, no-proxy list and CA bundle are checked before saving; the Hugging Face
cache option and the bandwidth limit persist; an unusable network setting never crashes client creation."""

from __future__ import annotations

import dataclasses
import json

import pytest
from PySide6 import QtCore

from hfgui.core.errors import HfGuiError
from hfgui.core.settings import load_settings
from hfgui.core.store.paths import AppPaths
from hfgui.gui.services import Services
from hfgui.gui.settings.settings_dialog import PAGE_NETWORK, SettingsDialog
from hfgui.gui.workers import TaskRunner
from tests.gui.inputs import click, open_tab, pick

WAIT = 60_000
PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


@pytest.fixture
def services(hub_env):
    return Services.from_environment()


@pytest.fixture
def dialog(services, qtbot):
    runner = TaskRunner(2)
    dlg = SettingsDialog(services, runner)
    qtbot.addWidget(dlg)
    dlg.open()
    qtbot.waitUntil(lambda: dlg.keyring_available is not None, timeout=WAIT)
    yield dlg
    runner.wait(WAIT)


def saved_settings():
    return load_settings(AppPaths.from_environment())


def retype(qtbot, edit, text: str) -> None:
    """Select what the field holds and type over it."""
    qtbot.keyClick(edit, QtCore.Qt.Key.Key_A, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    assert edit.text() == text


def press_ok(dlg, qtbot) -> None:
    click(qtbot, dlg.ok_button)
    qtbot.waitUntil(lambda: dlg.ok_button.isEnabled() or not dlg.isVisible(), timeout=WAIT)


def test_manual_proxy_fields_follow_the_mode(dialog):
    assert dialog.proxy_mode == "system"
    assert not dialog.proxy_url_edit.isEnabled() and not dialog.no_proxy_edit.isEnabled()
    dialog.set_proxy_mode("manual")
    assert dialog.proxy_url_edit.isEnabled() and dialog.no_proxy_edit.isEnabled()
    dialog.set_proxy_mode("none")
    assert not dialog.proxy_url_edit.isEnabled() and not dialog.no_proxy_edit.isEnabled()
    assert dialog.ca_bundle_edit.isEnabled()  # a CA bundle applies in every mode
    assert [dialog.proxy_mode_combo.itemText(i) for i in range(3)] == [
        "System settings",
        "No proxy",
        "Manual",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [("ftp://proxy.example:21", "uses 'ftp'"), ("http://proxy.example:99999", "invalid port"), ("", "needs")],
)
def test_malformed_proxy_url_is_refused_inline(dialog, qtbot, url, expected):
    open_tab(qtbot, dialog.pages, PAGE_NETWORK)
    pick(qtbot, dialog.proxy_mode_combo, "Manual")
    qtbot.keyClicks(dialog.proxy_url_edit, url)
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.network_error.isVisible()
    text = dialog.network_error.text()
    assert "not usable" in text and expected in text and "\n" not in text
    assert not AppPaths.from_environment().settings_file.exists()
    # Typing a new address takes the message away at once (before OK is pressed again).
    retype(qtbot, dialog.proxy_url_edit, "proxy.example:3128")
    assert not dialog.network_error.isVisible() and dialog.network_error.text() == ""
    # Fixed, the dialog saves.
    press_ok(dialog, qtbot)
    assert not dialog.isVisible()
    saved = saved_settings()
    assert saved.proxy_mode == "manual" and saved.proxy_url == "proxy.example:3128"


def test_proxy_password_never_shown_in_the_error(dialog, qtbot):
    dialog.set_proxy_mode("manual")
    dialog.proxy_url_edit.setText("gopher://bob:s3cretPass@proxy.example:8080")
    click(qtbot, dialog.ok_button)
    assert "not usable" in dialog.network_error.text()
    assert "s3cretPass" not in dialog.network_error.text()


def test_proxy_password_goes_to_the_keyring_not_the_settings_file(dialog, services, qtbot, memory_keyring):
    dialog.set_proxy_mode("manual")
    dialog.proxy_url_edit.setText("http://bob@proxy.example:3128")
    dialog.proxy_password_edit.setText("p@ss word")
    assert dialog.proxy_password_edit.echoMode() == dialog.proxy_password_edit.EchoMode.Password
    press_ok(dialog, qtbot)
    assert not dialog.isVisible()

    on_disk = AppPaths.from_environment().settings_file.read_text()
    assert "p@ss" not in on_disk and "p%40ss" not in on_disk
    assert memory_keyring.passwords[("hfgui", "proxy-password")] == "p%40ss%20word"
    saved = saved_settings()
    assert saved.proxy_url == "http://bob@proxy.example:3128" and saved.proxy_password_saved
    # The next start reads the address from the file and the password from the keyring.
    restarted = Services.from_environment()
    assert restarted.network().proxy_url == "http://bob:p%40ss%20word@proxy.example:3128"
    # Its dialog shows the address without the password, and saving untouched keeps the password.
    runner = TaskRunner(2)
    again = SettingsDialog(restarted, runner)
    qtbot.addWidget(again)
    again.open()
    assert again.proxy_url_edit.text() == "http://bob@proxy.example:3128"
    assert again.proxy_password_edit.text() == "" and "keyring" in again.proxy_password_edit.placeholderText()
    press_ok(again, qtbot)
    runner.wait(WAIT)
    assert saved_settings().proxy_password_saved
    assert memory_keyring.passwords[("hfgui", "proxy-password")] == "p%40ss%20word"


def test_a_proxy_password_without_a_user_name_is_refused_inline(dialog, qtbot):
    dialog.set_proxy_mode("manual")
    dialog.proxy_url_edit.setText("http://proxy.example:3128")
    dialog.proxy_password_edit.setText("s3cret")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "needs a user name" in dialog.network_error.text()
    assert "s3cret" not in dialog.network_error.text()
    assert not AppPaths.from_environment().settings_file.exists()


def test_a_password_an_older_version_saved_in_the_file_moves_to_the_keyring(hub_env, memory_keyring):
    paths = AppPaths.from_environment()
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(
        json.dumps({"proxy_mode": "manual", "proxy_url": "http://bob:old-secret@proxy.example:3128"})
    )
    services = Services.from_environment()

    assert services.secure_proxy_password()

    assert "old-secret" not in paths.settings_file.read_text()
    assert memory_keyring.passwords[("hfgui", "proxy-password")] == "old-secret"
    assert Services.from_environment().network().proxy_url == "http://bob:old-secret@proxy.example:3128"
    assert not Services.from_environment().secure_proxy_password()  # nothing left to move


def test_bad_no_proxy_entry_is_refused(dialog, qtbot):
    dialog.set_proxy_mode("manual")
    dialog.proxy_url_edit.setText("http://proxy.example:3128")
    dialog.no_proxy_edit.setText("localhost, 10.0.0.0/99")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible() and "10.0.0.0/99" in dialog.network_error.text()


def test_missing_or_non_pem_ca_bundle_is_refused_then_a_real_one_saved(dialog, qtbot, tmp_path):
    dialog.ca_bundle_edit.setText(str(tmp_path / "nope.pem"))
    press_ok(dialog, qtbot)
    assert dialog.isVisible() and "does not exist" in dialog.network_error.text()
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    dialog.ca_bundle_edit.setText(str(junk))
    press_ok(dialog, qtbot)
    assert dialog.isVisible() and "no PEM certificate" in dialog.network_error.text()
    good = tmp_path / "corp.pem"
    good.write_bytes(PEM)
    dialog.ca_bundle_edit.setText(str(good))
    press_ok(dialog, qtbot)
    assert not dialog.isVisible()
    assert saved_settings().ca_bundle == str(good)


def test_cache_option_and_bandwidth_limit_persist(dialog, qtbot, services):
    assert str(services.hf_cache_dir) in dialog.cache_path_label.text()
    assert dialog.bandwidth_spin.text() == "Unlimited"
    dialog.use_hf_cache.setChecked(True)
    dialog.bandwidth_spin.setValue(2.5)
    press_ok(dialog, qtbot)
    assert not dialog.isVisible()
    saved = saved_settings()
    assert saved.use_hf_cache is True
    assert saved.bandwidth_limit == 2_500_000
    assert services.settings.bandwidth_limit == 2_500_000
    assert services.limiter.rate == 2_500_000  # running downloads slow down at once


def test_saved_values_are_shown_again(services, qtbot, tmp_path):
    services.apply_settings(
        dataclasses.replace(
            services.settings,
            use_hf_cache=True,
            bandwidth_limit=1_500_000,
            proxy_mode="manual",
            proxy_url="http://proxy.example:3128",
            no_proxy="localhost, .corp.example",
        )
    )
    runner = TaskRunner(1)
    dlg = SettingsDialog(services, runner)
    qtbot.addWidget(dlg)
    assert dlg.use_hf_cache.isChecked()
    assert dlg.bandwidth_spin.value() == pytest.approx(1.5)
    assert dlg.proxy_mode == "manual" and dlg.proxy_url_edit.isEnabled()
    assert dlg.proxy_url_edit.text() == "http://proxy.example:3128"
    assert dlg.no_proxy_edit.text() == "localhost, .corp.example"
    runner.wait(WAIT)


def test_make_client_uses_network_settings_and_refuses_unusable_ones(services, tmp_path):
    services.apply_settings(dataclasses.replace(services.settings, proxy_mode="none"))
    client = services.make_client()
    try:
        assert client.network.proxy_mode == "none"
        assert client.session.trust_env is False
    finally:
        client.close()
    services.apply_settings(
        dataclasses.replace(services.settings, proxy_mode="manual", proxy_url="http://u:pw123@:80")
    )
    with pytest.raises(HfGuiError) as caught:
        services.make_client()
    assert "network settings are not usable" in str(caught.value) and "pw123" not in str(caught.value)
    services.apply_settings(
        dataclasses.replace(services.settings, proxy_mode="system", ca_bundle=str(tmp_path / "gone.pem"))
    )
    with pytest.raises(HfGuiError, match="does not exist"):
        services.make_client()
