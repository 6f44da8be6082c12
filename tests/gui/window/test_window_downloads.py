"""The window end to end against the emulator: download, pause/resume, cancel, and errors as actions."""

from __future__ import annotations

import pytest

from hfgui.core.types import FileState
from hfgui.gui.models.rows import Status
from tests.gui.helpers import MANIFEST, MODEL, WEIGHTS, expected_sha256, make_window, populate, sha256_of
from tests.gui.inputs import answer, click, open_tab

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound


@pytest.fixture
def window(hub_env, qtbot):
    hub_env.files = populate(hub_env)
    win = make_window(qtbot)
    qtbot.waitUntil(lambda: win.model.state("tiny-coreml").size is not None, timeout=WAIT)
    yield win
    win.manager.stop_all("test teardown")
    win.manager.wait_idle(WAIT)
    win.runner.wait(WAIT)
    win.size_runner.wait(WAIT)


def status(win, key):
    return win.model.state(key).status


def test_size_comes_from_tree_listing_and_access_problems_show(window, hub_env, qtbot):
    files = hub_env.files
    assert window.model.state("tiny-coreml").size == sum(
        len(c) if isinstance(c, bytes) else c.size for c in files.values()
    )
    # Anonymous: the gated repo's files need its license accepted, the private repo needs a token.
    qtbot.waitUntil(lambda: status(window, "gated-gguf") is Status.LICENSE_REQUIRED, timeout=WAIT)
    qtbot.waitUntil(lambda: status(window, "private-gguf") is Status.PRIVATE_OR_MISSING, timeout=WAIT)
    assert window.model.index_of("private-gguf", 4).data() == "—"
    assert window.model.index_of("gated-gguf", 4).data() == "50.0 kB"


def test_download_shows_files_advancing_then_installed_and_verified(window, hub_env, qtbot):
    hub = hub_env
    hub.faults.stall(WEIGHTS, after_bytes=2_500_000, seconds=0.6)  # guarantees a mid-file snapshot
    seen = []
    window.manager.refreshed.connect(lambda: seen.append(window.details.files.files()))
    window.select_key("tiny-coreml")
    assert window.act_download.isEnabled()
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window, "tiny-coreml") is Status.INSTALLED, timeout=WAIT)

    snapshots = [files for files in seen if files]
    assert snapshots, "the details panel showed per-file rows"
    assert {f.path for f in snapshots[-1]} == set(hub.files)
    weights = [f for files in snapshots for f in files if f.path == WEIGHTS]
    assert any(0 < f.bytes_done < f.bytes_total for f in weights), [(f.bytes_done, f.state) for f in weights]
    final = {f.path: f for f in window.details.files.files()}
    assert all(f.state in (FileState.DONE, FileState.SKIPPED) for f in final.values())

    root = window.services.library_root / "demo" / "coreml-tiny"
    for path, content in hub.files.items():
        assert sha256_of(root / path) == expected_sha256(content)
    assert not (root / "README.md").exists()  # only the package folder was selected
    assert window.notifications[-1][0] == "Download finished"
    assert window.model.index_of("tiny-coreml", 6).data() == "Installed"


def test_pause_keeps_partial_and_resume_continues_with_range(window, hub_env, qtbot):
    hub = hub_env
    hub.faults.stall(WEIGHTS, after_bytes=2_500_000, seconds=1.0)
    key = "tiny-coreml"
    window.select_key(key)
    window.act_download.trigger()

    def weights_started():
        progress = window.model.state(key).progress
        files = {f.path: f for f in progress.files} if progress else {}
        return WEIGHTS in files and files[WEIGHTS].bytes_done >= 2_000_000

    qtbot.waitUntil(weights_started, timeout=WAIT)
    window.act_pause.trigger()
    qtbot.waitUntil(lambda: status(window, key) is Status.PAUSED, timeout=WAIT)
    assert window.model.index_of(key, 6).data().startswith("Paused at")
    staging = window.services.library_root / ".hfgui-staging"
    assert any(p.suffix == ".part" and p.stat().st_size > 0 for p in staging.iterdir())
    assert window.act_resume.isEnabled()

    hub.clear_requests()
    window.act_resume.trigger()
    qtbot.waitUntil(lambda: status(window, key) is Status.INSTALLED, timeout=WAIT)
    ranges = [r.headers.get("Range") for r in hub.requests_for(WEIGHTS) if r.method == "GET"]
    assert any(r and not r.startswith("bytes=0-") for r in ranges), ranges
    root = window.services.library_root / "demo" / "coreml-tiny"
    assert sha256_of(root / WEIGHTS) == expected_sha256(hub.files[WEIGHTS])


def test_cancel_asks_then_discards_partials(window, hub_env, qtbot):
    hub = hub_env
    hub.faults.stall(WEIGHTS, after_bytes=2_500_000, seconds=1.0)
    key = "tiny-coreml"
    window.select_key(key)
    window.act_download.trigger()
    root = window.services.library_root / "demo" / "coreml-tiny"

    def small_files_in():
        progress = window.model.state(key).progress
        done = {f.path for f in progress.files if f.state.finished} if progress else set()
        return {MANIFEST, MODEL} <= done

    qtbot.waitUntil(small_files_in, timeout=WAIT)  # two files verified into the model folder, one mid-way
    assert (root / MODEL).is_file()
    window.act_cancel.trigger()
    dialog = window.pending_dialog
    assert dialog is not None and "delete what was downloaded" in dialog.text()
    answer(qtbot, dialog, "Cancel download")
    qtbot.waitUntil(lambda: status(window, key) is Status.AVAILABLE, timeout=WAIT)
    window.manager.wait_idle(WAIT)
    staging = window.services.library_root / ".hfgui-staging"
    leftovers = [p for p in staging.iterdir() if p.suffix == ".part"] if staging.exists() else []
    assert leftovers == []
    assert not root.exists()  # the finished files went too: nothing of the model is left
    assert window.model.state(key).progress is None
    window.refresh_library()  # a rescan agrees: it is not an interrupted download to resume
    window.runner.wait(WAIT)
    qtbot.wait(50)
    assert status(window, key) is Status.AVAILABLE


def start_held(window, hub_env, qtbot, seconds: float) -> str:
    """Start tiny-coreml with its weights held `seconds` at 1 MB; returns its key once it downloads."""
    hub_env.faults.stall(WEIGHTS, after_bytes=1_000_000, seconds=seconds)
    key = "tiny-coreml"
    window.select_key(key)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window, key) is Status.DOWNLOADING, timeout=WAIT)
    return key


def test_a_cancel_confirmed_after_the_download_finished_changes_nothing(window, hub_env, qtbot):
    key = start_held(window, hub_env, qtbot, seconds=0.5)
    window.act_cancel.trigger()
    dialog = window.pending_dialog  # the person hesitates; the download finishes meanwhile
    qtbot.waitUntil(lambda: status(window, key) is Status.INSTALLED, timeout=WAIT)
    answer(qtbot, dialog, "Cancel download")
    window.manager.wait_idle(WAIT)
    qtbot.wait(20)
    assert status(window, key) is Status.INSTALLED
    root = window.services.library_root / "demo" / "coreml-tiny"
    assert sha256_of(root / WEIGHTS) == expected_sha256(hub_env.files[WEIGHTS])


def test_gated_model_offers_license_page_and_token(hub_env, qtbot):
    populate(hub_env)
    opened = []
    window = make_window(qtbot, opened, start=False)
    window.select_key("gated-gguf")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    dialog = window.pending_dialog
    assert dialog.windowTitle() == "License required"
    assert status(window, "gated-gguf") is Status.LICENSE_REQUIRED
    answer(qtbot, dialog, "Open model page")
    assert [u.toString() for u in opened] == [f"{hub_env.url}/demo/gated-llama"]


def test_private_model_add_token_opens_settings(hub_env, qtbot):
    populate(hub_env)
    window = make_window(qtbot, start=False)
    window.select_key("private-gguf")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    dialog = window.pending_dialog
    assert status(window, "private-gguf") is Status.PRIVATE_OR_MISSING
    answer(qtbot, dialog, "Add token")
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()
    window.settings_dialog.reject()
    window.runner.wait(WAIT)


def test_gated_model_with_a_token_not_granted_offers_no_add_token(hub_env, qtbot, monkeypatch):
    populate(hub_env)
    hub_env.add_user("bob", "hf_bobHasNoAccess000000000000000", role="read")
    monkeypatch.setenv("HF_TOKEN", "hf_bobHasNoAccess000000000000000")
    window = make_window(qtbot, start=False)
    window.select_key("gated-gguf")
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.pending_dialog is not None, timeout=WAIT)
    dialog = window.pending_dialog
    assert dialog.windowTitle() == "License required" and "Request access" in dialog.text()
    assert [b.text() for b in dialog.buttons()] == ["Open model page", "Close"]
    window.manager.wait_idle(WAIT)


def test_the_windows_download_holds_the_model_lock_against_other_processes(window, hub_env, qtbot):
    from hfgui.core.library.installed import Library
    from hfgui.core.store.model_lock import ModelBusyError

    key = start_held(window, hub_env, qtbot, seconds=1.0)
    with pytest.raises(ModelBusyError):  # what `hfgui delete` in a terminal would meet now
        Library(window.services.library_root).delete("demo/coreml-tiny")
    qtbot.waitUntil(lambda: status(window, key) is Status.INSTALLED, timeout=WAIT)


def test_deleting_a_paused_model_in_the_library_tab_makes_its_row_available(window, hub_env, qtbot):
    hub_env.faults.stall(WEIGHTS, after_bytes=2_500_000, seconds=1.0)
    key = "tiny-coreml"
    window.select_key(key)
    window.act_download.trigger()
    qtbot.waitUntil(
        lambda: (
            (window.model.state(key).progress is not None)
            and window.model.state(key).progress.bytes_done > 1_000_000
        ),
        timeout=WAIT,
    )
    window.act_pause.trigger()
    qtbot.waitUntil(lambda: status(window, key) is Status.PAUSED, timeout=WAIT)
    panel = window.library_panel
    open_tab(qtbot, window.tabs, "Library")
    qtbot.waitUntil(lambda: "library:demo/coreml-tiny" in panel.model.keys(), timeout=WAIT)
    panel.select("library:demo/coreml-tiny")
    click(qtbot, panel.delete_button)
    with qtbot.waitSignal(panel.deleted, timeout=WAIT):
        answer(qtbot, panel.pending_dialog, "Delete")
    open_tab(qtbot, window.tabs, "Models")
    assert status(window, key) is Status.AVAILABLE and window.act_download.isEnabled()
    assert key not in window.manager.remembered_keys()  # nothing left to resume at the next start
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
