"""Problems every download can meet, as the window presents them: rate limits, offline, disk space,
a rejected token, and the notification a failure leaves."""

from __future__ import annotations

import re
import socket

from PySide6 import QtWidgets

from hfgui.core.library.catalog import CatalogEntry
from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, make_window, populate
from tests.gui.inputs import answer, click, press
from tests.hubemu import unservable_content

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound


def button(dialog, text):
    return next(b for b in dialog.buttons() if b.text() == text)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


def test_rate_limit_shows_a_countdown_that_decreases_and_suggests_a_token(hub_env, qtbot):
    populate(hub_env)
    hub_env.rate_limit(bucket="resolvers", quota=1, window=3600)
    window = make_window(qtbot, start=False)
    window.select_key("tiny-coreml")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.banner.kind == "rate-limit", timeout=WAIT)
    banner = window.banner
    assert banner.isVisible()
    first = banner.remaining
    assert first > 60 and f"Retrying in {first} s" in banner.label.text()
    assert "token" in banner.label.text()  # anonymous: a token raises the limit
    assert banner.primary.isVisible() and banner.primary.text() == "Add token"
    banner.timer.timeout.emit()  # one second passes
    assert banner.remaining == first - 1
    assert f"Retrying in {first - 1} s" in banner.label.text()
    assert window.model.state("tiny-coreml").status is Status.FAILED
    click(qtbot, banner.primary)
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()
    window.settings_dialog.reject()
    window.runner.wait(WAIT)


def test_not_enough_space_shows_the_numbers_and_change_folder(hub_env, qtbot):
    size = 10 * 2**40
    hub_env.add_repo("big/model", files={"config.json": b"{}", "model.safetensors": unservable_content(size)})
    entries = [CatalogEntry("big", "Big model", "big/model", "transformers", "safetensors")]
    window = make_window(qtbot, start=False, entries=entries)
    window.select_key("big")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    dialog = window.pending_dialog
    assert dialog.windowTitle() == "Not enough disk space"
    # 10 TiB plus the safety margin, and what the library's disk has free.
    assert re.search(r"needs 11\.0 TB but only [\d.]+ [kMGT]?B is free on ", dialog.text()), dialog.text()
    assert not [r for r in hub_env.requests if "/resolve/" in r.path]  # refused before any byte
    answer(qtbot, dialog, "Change folder")
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()
    window.settings_dialog.reject()
    window.runner.wait(WAIT)


def test_rejected_token_offers_fix_token_which_opens_settings(hub_env, qtbot, monkeypatch):
    populate(hub_env)
    monkeypatch.setenv("HF_TOKEN", "hf_notAValidTokenAtAll000000000000")
    window = make_window(qtbot, start=False)
    window.select_key("tiny-coreml")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    dialog = window.pending_dialog
    assert dialog.windowTitle() == "Token rejected"
    assert "hf_notAValid" not in dialog.text()
    answer(qtbot, dialog, "Fix token")
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()
    window.settings_dialog.reject()
    window.runner.wait(WAIT)


def test_a_rejected_token_is_reported_once_and_public_sizes_still_load(hub_env, qtbot, monkeypatch):
    files = populate(hub_env)
    monkeypatch.setenv("HF_TOKEN", "hf_notAValidTokenAtAll000000000000")
    window = make_window(qtbot)  # starts the size probes: every one of them meets the rejected token
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").size is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)  # said before any download
    assert window.pending_dialog.windowTitle() == "Token rejected"
    assert window.model.state("tiny-coreml").size == sum(
        len(c) if isinstance(c, bytes) else c.size for c in files.values()
    )
    window.select_key("tiny-coreml")
    window.act_download.trigger()  # and one more failure
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").status is Status.FAILED, timeout=WAIT)
    window.size_runner.wait(WAIT)
    qtbot.wait(50)
    boxes = [w for w in window.findChildren(QtWidgets.QMessageBox) if w.isVisible()]
    assert [b.windowTitle() for b in boxes] == ["Token rejected"]


def test_a_new_token_clears_the_failures_the_rejected_one_caused(hub_env, qtbot, memory_keyring):
    populate(hub_env)
    good = "hf_aliceGoodToken00000000000000"
    hub_env.add_user("alice", good, role="read")
    window = make_window(qtbot, start=False)
    window.services.token_store.set("hf_notAValidTokenAtAll000000000000")  # saved in an earlier session
    window.select_key("tiny-coreml")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").status is Status.FAILED, timeout=WAIT)
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    answer(qtbot, window.pending_dialog, "Fix token")
    settings = window.settings_dialog
    qtbot.waitUntil(lambda: settings.keyring_available is not None, timeout=WAIT)
    qtbot.keyClicks(settings.token_edit, good)
    click(qtbot, settings.save_token_button)
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").status is Status.AVAILABLE, timeout=WAIT)
    assert window.model.state("tiny-coreml").error is None
    assert (
        window.statusBar().currentMessage().startswith("Token saved in the OS keyring.")
    )  # said outside too
    # The new token fetches sizes again: let that finish before the emulator goes away.
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").size is not None, timeout=WAIT)
    settings.reject()
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)


def test_failure_leaves_a_status_bar_notification_and_retry_state(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.status("Tiny.mlpackage/Manifest.json", 404, times=100, host="hub")
    window = make_window(qtbot, start=False)
    window.select_key("tiny-coreml")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").status is Status.FAILED, timeout=WAIT)
    title, message = window.notifications[-1]
    assert title == "Download failed" and message.startswith("Tiny (Core ML):")
    assert window.statusBar().currentMessage().startswith("Download failed: Tiny (Core ML):")
    assert window.act_retry.isEnabled() and not window.act_pause.isEnabled()
    assert window.details.retry.isVisibleTo(window.details)
    window.manager.wait_idle(WAIT)


def test_a_queue_file_that_cannot_be_written_is_reported(hub_env, qtbot):
    populate(hub_env)
    window = make_window(qtbot, start=False)
    queue_file = window.manager.queue_file
    queue_file.mkdir(parents=True)  # a folder where the file should go: every write fails
    window.select_key("tiny-coreml")
    window.act_download.trigger()
    window.manager.io.wait(WAIT)
    bar = window.statusBar()
    qtbot.waitUntil(lambda: "download queue" in bar.currentMessage(), timeout=WAIT)
    # Cut to fit beside the storage line if need be; whole in the tooltip then.
    assert str(queue_file) in (bar.toolTip() or bar.currentMessage())
    assert bar.fontMetrics().horizontalAdvance(bar.currentMessage()) < bar.width()
    window.manager.stop_all("test teardown")
    window.manager.wait_idle(WAIT)
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)


def test_a_failed_download_shows_what_happened_and_what_to_do_next(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.corrupt(WEIGHTS, offset=1000, times=None)  # every copy is damaged: fails verification
    window = make_window(qtbot, start=False)
    window.select_key("tiny-coreml")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.model.state("tiny-coreml").status is Status.FAILED, timeout=WAIT)
    shown = window.details.error.text()
    assert "failed verification" in shown
    assert "Try again later" in shown  # the hint, not only the message
    assert "Try again later" in window.notifications[-1][1]
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)


def test_a_model_the_hub_will_not_show_asks_with_the_warning_icon(hub_env, qtbot):
    populate(hub_env)
    window = make_window(qtbot, start=False)
    window.select_key("private-gguf")
    press(qtbot, window.view, "Ctrl+D")
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    box = window.pending_dialog
    assert box.windowTitle() == "Model not found or private"
    assert box.icon() is QtWidgets.QMessageBox.Icon.Warning
    assert not box.iconPixmap().isNull()  # the style drew one
    answer(qtbot, box, "Close")
    window.manager.wait_idle(WAIT)
    window.runner.wait(WAIT)
