"""The window's life cycle and per-model actions: quitting with downloads running, resuming on the next
start, Delete, Reveal, the actions' enabled states, models installed elsewhere, and no token in logs."""

from __future__ import annotations

import dataclasses
import json
import logging

from PySide6 import QtCore

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import format_bytes
from hfgui.core.library.catalog import CatalogEntry
from hfgui.core.library.importer import import_model
from hfgui.core.settings import save_settings
from hfgui.core.wire.hub import HubClient
from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, expected_sha256, make_window, open_settings, populate, sha256_of
from tests.gui.inputs import answer

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"


def tray_entry(window, text: str) -> None:
    """Choose an entry of the tray icon's menu (the desktop shows it on a right-click of the icon)."""
    entries = {a.text(): a for a in window.tray.contextMenu().actions()}
    entries[text].trigger()


def button(dialog, text):
    return next(b for b in dialog.buttons() if b.text() == text)


def status(window, key=KEY):
    return window.model.state(key).status


def actions(window) -> dict[str, bool]:
    names = ("download", "pause", "resume", "cancel", "retry", "delete", "reveal")
    return {name: getattr(window, f"act_{name}").isEnabled() for name in names}


def finish(window) -> None:
    window.manager.stop_all("test teardown")
    window.manager.wait_idle(WAIT)
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)


def start_download_and_wait_for_weights(window, qtbot, key=KEY) -> None:
    window.select_key(key)
    window.act_download.trigger()

    def weights_started():
        progress = window.model.state(key).progress
        files = {f.path: f for f in progress.files} if progress else {}
        return WEIGHTS in files and files[WEIGHTS].bytes_done > 0

    qtbot.waitUntil(weights_started, timeout=WAIT)


def test_pause_and_quit_keeps_partials_and_next_start_resumes_them(hub_env, qtbot):
    files = populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    quits = []
    window = make_window(qtbot, start=False, quit_app=lambda: quits.append(True))
    start_download_and_wait_for_weights(window, qtbot)

    window.close()
    dialog = window.pending_dialog
    assert dialog is not None and dialog.windowTitle() == "Downloads in progress"
    assert window.isVisible()  # nothing happens until the person answers
    assert [b.text() for b in dialog.buttons()] == ["Pause and quit", "Don't quit"]  # no tray here
    answer(qtbot, dialog, "Pause and quit")
    qtbot.waitUntil(lambda: quits == [True], timeout=WAIT)
    assert not window.isVisible()
    staging = window.services.library_root / ".hfgui-staging"
    assert any(p.suffix == ".part" and p.stat().st_size > 0 for p in staging.iterdir())
    queue = json.loads(window.manager.queue_file.read_text())
    assert {"key": KEY, "state": "active"} in queue["downloads"]

    # Next start with auto-resume on (the default): listed, then resumed and completed.
    hub_env.clear_requests()
    again = make_window(qtbot)
    qtbot.waitUntil(
        lambda: status(again) in (Status.QUEUED, Status.DOWNLOADING, Status.INSTALLED), timeout=WAIT
    )
    qtbot.waitUntil(lambda: status(again) is Status.INSTALLED, timeout=WAIT)
    assert "Resuming 1 interrupted download." in again.statusBar().currentMessage() or again.notifications
    ranges = [r.headers.get("Range") for r in hub_env.requests_for(WEIGHTS) if r.method == "GET"]
    assert any(r and not r.startswith("bytes=0-") for r in ranges), ranges
    root = again.services.library_root / "demo" / "coreml-tiny"
    assert sha256_of(root / WEIGHTS) == expected_sha256(files[WEIGHTS])
    finish(again)


def test_interrupted_downloads_stay_paused_when_auto_resume_is_off(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    window = make_window(qtbot, start=False)
    save_settings(window.services.paths, dataclasses.replace(window.services.settings, auto_resume=False))
    start_download_and_wait_for_weights(window, qtbot)
    window.close()
    answer(qtbot, window.pending_dialog, "Pause and quit")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
    window.manager.wait_idle(WAIT)

    hub_env.clear_requests()
    again = make_window(qtbot)
    qtbot.waitUntil(lambda: status(again) is Status.PAUSED, timeout=WAIT)
    again.manager.io.wait(WAIT)
    again.runner.wait(WAIT)
    assert status(again) is Status.PAUSED and not again.manager.is_active(KEY)
    assert not [r for r in hub_env.requests if r.method == "GET" and "/coreml-tiny/resolve/" in r.path]
    again.select_key(KEY)
    assert actions(again)["resume"]
    finish(again)


def test_keep_downloading_in_the_tray_hides_the_window(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=0.5)
    window = make_window(qtbot, start=False, tray_available=lambda: True)
    start_download_and_wait_for_weights(window, qtbot)
    window.close()
    dialog = window.pending_dialog
    assert dialog.buttons()[0].text() == "Keep downloading in the tray"
    answer(qtbot, dialog, "Keep downloading in the tray")
    assert not window.isVisible() and window.tray is not None
    assert window.manager.is_active(KEY)
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    assert window.notifications[-1][0] == "Download finished"
    tray_entry(window, "Show hfgui")
    assert window.isVisible()
    finish(window)


def test_actions_follow_the_row_state(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    idle = actions(window)
    assert idle == dict.fromkeys(idle, False) | {"download": True}

    start_download_and_wait_for_weights(window, qtbot)
    running = actions(window)
    assert running == dict.fromkeys(running, False) | {"pause": True, "cancel": True}

    window.act_pause.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.PAUSED, timeout=WAIT)
    paused = actions(window)
    assert paused == dict.fromkeys(paused, False) | {"resume": True, "cancel": True, "delete": True}

    window.act_resume.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    installed = actions(window)
    assert installed == dict.fromkeys(installed, False) | {"delete": True, "reveal": True}

    window.model.update(KEY, status=Status.FAILED, error="The Hub answered HTTP 500.")
    failed = actions(window)
    assert failed == dict.fromkeys(failed, False) | {"download": True, "retry": True}
    finish(window)


def test_delete_confirms_the_space_freed_and_removes_the_files(hub_env, qtbot):
    files = populate(hub_env)
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    root = window.services.library_root / "demo" / "coreml-tiny"
    qtbot.waitUntil(lambda: bool(window.library_state.sizes.get("demo/coreml-tiny")), timeout=WAIT)
    on_disk = window.library_state.sizes["demo/coreml-tiny"]
    assert on_disk >= sum(c.size if not isinstance(c, bytes) else len(c) for c in files.values())

    window.act_delete.trigger()
    dialog = window.pending_dialog
    assert dialog.windowTitle() == "Delete model"
    assert f"This frees {format_bytes(on_disk)}." in dialog.text()
    answer(qtbot, dialog, "Delete")
    qtbot.waitUntil(lambda: status(window) is Status.AVAILABLE, timeout=WAIT)
    assert not root.exists()
    assert window.notifications[-1][0] == "Model deleted"
    finish(window)


def test_reveal_opens_the_model_folder(hub_env, qtbot):
    populate(hub_env)
    opened = []
    window = make_window(qtbot, opened, start=False)
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    window.act_reveal.trigger()
    folder = window.services.library_root / "demo" / "coreml-tiny"
    assert opened == [QtCore.QUrl.fromLocalFile(str(folder))]
    assert folder.is_dir()
    finish(window)


def test_models_in_the_hf_cache_and_imported_ones_show_as_installed(hub_env, qtbot, tmp_path):
    populate(hub_env)
    hub_env.add_repo("other/local-gguf", files={"model.gguf": b"GGUF" + bytes(60)})
    # Another tool put the Core ML model into the shared Hugging Face cache.
    with HubClient(hub_env.url, token=False) as client:
        from hfgui.core.store.hfcache import hub_cache_dir

        request = DownloadRequest(
            "demo/coreml-tiny", include=("Tiny.mlpackage/*",), cache_dir=hub_cache_dir()
        )
        download_model(client, request, tmp_path / "unused-library")
    entries = [
        CatalogEntry(
            "tiny-coreml",
            "Tiny (Core ML)",
            "demo/coreml-tiny",
            "coreml",
            "mlpackage",
            folder="Tiny.mlpackage",
        ),
        CatalogEntry(
            "local-gguf", "Local GGUF", "other/local-gguf", "llama.cpp", "gguf", files=("model.gguf",)
        ),
    ]
    opened = []
    window = make_window(qtbot, opened, start=False, entries=entries)
    source = tmp_path / "model.gguf"
    source.write_bytes(b"GGUF" + bytes(60))
    import_model(source, window.services.library_root, repo_id="other/local-gguf", mode="reference")
    window.refresh_library()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    qtbot.waitUntil(lambda: status(window, "local-gguf") is Status.INSTALLED, timeout=WAIT)
    assert window.model.index_of(KEY, 6).data() == "Installed (Hugging Face cache)"
    assert window.model.index_of("local-gguf", 6).data() == "Installed (imported)"
    window.select_key(KEY)
    assert not window.act_delete.isEnabled() and window.act_reveal.isEnabled()
    window.act_reveal.trigger()
    revealed = opened[-1].toLocalFile()
    assert "models--demo--coreml-tiny" in revealed and "/snapshots/" in revealed
    finish(window)


def test_no_token_value_in_logs_or_files_during_a_session(hub_env, qtbot, capfd, caplog, monkeypatch):
    populate(hub_env)
    token = "hf_sessionSecretToken1234567890abcd"
    hub_env.add_user("alice", token, can_access=("someone/private-model",))
    hub_env.add_user("someone", "hf_ownerToken00000000000000000000000")
    monkeypatch.setenv("HF_TOKEN", token)
    caplog.set_level(logging.DEBUG)
    window = make_window(qtbot)
    for key in (KEY, "private-gguf"):
        window.manager.start(key)
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    qtbot.waitUntil(lambda: status(window, "private-gguf") in (Status.INSTALLED, Status.FAILED), timeout=WAIT)
    open_settings(qtbot, window).reject()
    finish(window)
    window.close()
    assert any(r.headers.get("Authorization") == f"Bearer {token}" for r in hub_env.requests)  # it was used
    out, err = capfd.readouterr()
    assert token not in caplog.text and token not in out and token not in err
    home = window.services.paths.data_dir.parent
    for path in home.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_quitting_right_after_cancel_still_forgets_the_cancelled_download(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    window = make_window(qtbot, start=False)
    start_download_and_wait_for_weights(window, qtbot)
    window.act_cancel.trigger()
    answer(qtbot, window.pending_dialog, "Cancel download")
    window.close()  # before the job has stopped: the user's Cancel must win over "Pause and quit"
    answer(qtbot, window.pending_dialog, "Pause and quit")
    qtbot.waitUntil(lambda: window.manager.running_count() == 0, timeout=WAIT)
    assert status(window) is Status.AVAILABLE
    assert KEY not in window.manager.remembered_keys()  # not resumed on the next start
    window.manager.wait_idle(WAIT)
    staging = window.services.library_root / ".hfgui-staging"
    assert [p for p in staging.iterdir() if p.suffix == ".part"] == []
    finish(window)


def test_pause_and_quit_from_the_tray_quits_the_hidden_window(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    quits = []
    window = make_window(qtbot, start=False, tray_available=lambda: True, quit_app=lambda: quits.append(1))
    start_download_and_wait_for_weights(window, qtbot)
    window.close()
    answer(qtbot, window.pending_dialog, "Keep downloading in the tray")
    assert not window.isVisible()
    tray_entry(window, "Pause and quit")
    qtbot.waitUntil(lambda: quits == [1], timeout=WAIT)
    assert KEY in window.manager.remembered_keys()
    staging = window.services.library_root / ".hfgui-staging"
    assert any(p.suffix == ".part" and p.stat().st_size > 0 for p in staging.iterdir())
    finish(window)


def test_deleting_a_paused_download_forgets_it(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    window = make_window(qtbot, start=False)
    start_download_and_wait_for_weights(window, qtbot)
    window.act_pause.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.PAUSED, timeout=WAIT)
    assert window.act_delete.isEnabled()
    window.act_delete.trigger()
    answer(qtbot, window.pending_dialog, "Delete")
    qtbot.waitUntil(lambda: status(window) is Status.AVAILABLE, timeout=WAIT)
    assert KEY not in window.manager.remembered_keys()  # not listed as Paused on the next start
    window.manager.io.wait(WAIT)
    queue = json.loads(window.manager.queue_file.read_text())
    assert all(item["key"] != KEY for item in queue["downloads"])
    finish(window)


def test_a_window_that_never_restored_keeps_the_recorded_queue(hub_env, qtbot):
    """The self-test builds and closes a window without restoring: the user's queue must survive."""
    populate(hub_env)
    window = make_window(qtbot, start=False)
    recorded = {"version": 1, "downloads": [{"key": KEY, "state": "paused"}]}
    window.manager.queue_file.parent.mkdir(parents=True, exist_ok=True)
    window.manager.queue_file.write_text(json.dumps(recorded))

    window.close()
    window.manager.wait_idle(WAIT)

    assert json.loads(window.manager.queue_file.read_text()) == recorded
