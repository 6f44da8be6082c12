"""The Models tab tells the truth when the Hub cannot be reached, does not know a repository, or will not
say without a token; downloads wait for the Hub instead of failing, and start when it answers."""

from __future__ import annotations

import dataclasses

from PySide6 import QtCore, QtGui

from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, expected_sha256, make_window, populate, settle, sha256_of
from tests.gui.inputs import click, press

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"
TOOLTIP = QtCore.Qt.ItemDataRole.ToolTipRole


def status(window, key: str = KEY) -> Status:
    return window.model.state(key).status


def cell(window, key: str, column: int, role=QtCore.Qt.ItemDataRole.DisplayRole):
    return window.model.index_of(key, column).data(role)


def test_offline_rows_say_so_keep_known_sizes_and_a_download_waits_for_the_hub(hub_env, qtbot):
    files = populate(hub_env)
    first = make_window(qtbot)
    qtbot.waitUntil(lambda: status(first, "private-gguf") is Status.PRIVATE_OR_MISSING, timeout=WAIT)
    qtbot.waitUntil(lambda: status(first, "gated-gguf") is Status.LICENSE_REQUIRED, timeout=WAIT)
    first.select_key("gated-gguf")
    settle(first, qtbot)
    first.close()

    hub_env.go_offline()  # and hfgui starts again with no network at all
    window = make_window(qtbot)
    for key in ("tiny-coreml", "gated-gguf", "private-gguf"):
        qtbot.waitUntil(lambda key=key: status(window, key) is Status.OFFLINE, timeout=WAIT)
    assert window.banner.kind == "offline" and "Offline" in window.banner.label.text()
    assert cell(window, "gated-gguf", ModelsModel.COL_SIZE) == "50.0 kB"  # the last listing seen
    assert cell(window, "private-gguf", ModelsModel.COL_SIZE) == "—"  # never listed
    assert "cannot be reached" in cell(window, "private-gguf", ModelsModel.COL_SIZE, TOOLTIP)
    assert cell(window, KEY, ModelsModel.COL_STATUS) == "Offline"
    total = sum(len(c) if isinstance(c, bytes) else c.size for c in files.values())
    assert window.model.state(KEY).size == total  # the listing of the first session

    window.select_key(KEY)
    assert window.act_download.isEnabled()
    press(qtbot, window.view, "Ctrl+D")
    qtbot.waitUntil(lambda: status(window) is Status.WAITING, timeout=WAIT)
    assert cell(window, KEY, ModelsModel.COL_STATUS) == "Waiting for the Hub"
    assert window.act_pause.isEnabled() and window.act_cancel.isEnabled()

    hub_env.come_back()
    click(qtbot, window.banner.primary)  # "Retry now"; the watch would ask by itself a little later
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    assert window.banner.kind != "offline"
    qtbot.waitUntil(lambda: status(window, "gated-gguf") is Status.LICENSE_REQUIRED, timeout=WAIT)
    qtbot.waitUntil(lambda: status(window, "private-gguf") is Status.PRIVATE_OR_MISSING, timeout=WAIT)
    settle(window, qtbot)


def test_the_hub_answering_again_starts_waiting_downloads_without_a_click(hub_env, qtbot):
    populate(hub_env)
    hub_env.go_offline()
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    window.act_download.trigger()  # the Hub's absence is not known yet: the download finds out
    qtbot.waitUntil(lambda: status(window) is Status.WAITING, timeout=WAIT)
    assert window.banner.kind == "offline"
    hub_env.come_back()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)  # the watch asked again
    settle(window, qtbot)


def test_an_installed_model_shows_installed_and_its_size_offline(hub_env, qtbot):
    files = populate(hub_env)
    first = make_window(qtbot, start=False)
    first.select_key(KEY)
    first.act_download.trigger()
    qtbot.waitUntil(lambda: status(first) is Status.INSTALLED, timeout=WAIT)
    settle(first, qtbot)
    first.close()
    first.services.paths.cache_dir.joinpath("sizes.json").unlink(missing_ok=True)  # no listing remembered

    hub_env.go_offline()
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    qtbot.waitUntil(lambda: status(window, "gated-gguf") is Status.OFFLINE, timeout=WAIT)
    selected = {p: c for p, c in files.items() if p != "README.md"}
    total = sum(len(c) if isinstance(c, bytes) else c.size for c in selected.values())
    qtbot.waitUntil(lambda: window.model.state(KEY).size == total, timeout=WAIT)
    assert cell(window, KEY, ModelsModel.COL_STATUS) == "Installed"
    settle(window, qtbot)


def test_not_found_with_a_token_and_private_or_missing_without_one_said_once(hub_env, qtbot, monkeypatch):
    populate(hub_env)
    hub_env.remove_repo("demo/coreml-tiny")  # the catalog names a repository the Hub does not have
    anonymous = make_window(qtbot)
    for key in (KEY, "private-gguf"):
        qtbot.waitUntil(lambda key=key: status(anonymous, key) is Status.PRIVATE_OR_MISSING, timeout=WAIT)
    assert cell(anonymous, KEY, ModelsModel.COL_STATUS) == "Not found or private"
    banner = anonymous.banner
    assert banner.kind == "private" and "2 models not found or private" in banner.label.text()
    assert banner.primary.text() == "Add token"
    settle(anonymous, qtbot)
    anonymous.close()

    hub_env.add_user("alice", "hf_aliceReadToken000000000000000", role="read")
    monkeypatch.setenv("HF_TOKEN", "hf_aliceReadToken000000000000000")
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: status(window) is Status.NOT_FOUND, timeout=WAIT)
    assert cell(window, KEY, ModelsModel.COL_STATUS) == "Not found"
    assert "demo/coreml-tiny" in cell(window, KEY, ModelsModel.COL_NAME, TOOLTIP)
    window.select_key(KEY)
    assert not window.act_download.isEnabled()  # nothing to fetch: no failing Download to press
    assert window.banner.kind != "private"
    settle(window, qtbot)


def test_a_dropped_connection_shows_reconnecting_and_the_download_goes_on(hub_env, qtbot):
    files = populate(hub_env, weight_size=6_000_000)
    window = make_window(qtbot, start=False)
    texts: list[tuple[str, float]] = []

    def record() -> None:
        state = window.model.state(KEY)
        texts.append((state.status_text, state.progress.speed if state.progress else 0.0))

    window.manager.refreshed.connect(record)
    hub_env.faults.drop_after(WEIGHTS, 1_000_000, times=1)
    hub_env.faults.status(WEIGHTS, 503, times=2, host="hub")  # and the Hub is busy for two attempts
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    reconnecting = [(t, speed) for t, speed in texts if t.startswith("Reconnecting… (attempt ")]
    assert reconnecting, texts
    assert any("connection dropped" in t or "HTTP 503" in t for t, _ in reconnecting)
    assert all(speed == 0.0 for _, speed in reconnecting)
    root = window.services.library_root / "demo" / "coreml-tiny"
    assert sha256_of(root / WEIGHTS) == expected_sha256(files[WEIGHTS])
    settle(window, qtbot)


def test_a_stalled_connection_shows_speed_0_then_reconnects_and_resumes(hub_env, qtbot):
    populate(hub_env, weight_size=6_000_000)
    hub_env.faults.stall(WEIGHTS, after_bytes=2_000_000, seconds=30, times=1)
    window = make_window(qtbot, start=False)
    # A short stall timeout (the shortest Settings offers is 5 s): "no data" shows from 3 s of quiet, with
    # the 1 s heartbeat's snapshots to carry it, and "Reconnecting…" at 7 s.
    window.services.apply_settings(dataclasses.replace(window.services.settings, stall_timeout_seconds=7))
    seen: list[tuple[str, float]] = []

    def record() -> None:
        state = window.model.state(KEY)
        seen.append((state.status_text, state.progress.speed if state.progress else 0.0))

    window.manager.refreshed.connect(record)
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    quiet = [(t, speed) for t, speed in seen if "no data for" in t and not t.startswith("Reconnecting")]
    assert quiet and all(speed == 0.0 for _, speed in quiet), seen  # the stall shows before the reconnect
    reconnecting = [
        (t, speed) for t, speed in seen if t.startswith("Reconnecting… (attempt 2, no data for 7 s")
    ]
    assert reconnecting and all(speed == 0.0 for _, speed in reconnecting), seen
    assert seen.index(quiet[0]) < seen.index(reconnecting[0])
    ranges = [r.headers.get("Range") for r in hub_env.requests_for(WEIGHTS) if r.method == "GET"]
    assert any(r and not r.startswith("bytes=0-") for r in ranges), ranges  # resumed where it stalled
    settle(window, qtbot)


def test_a_download_whose_hub_goes_away_waits_and_resumes_when_it_answers(hub_env, qtbot):
    populate(hub_env, weight_size=6_000_000)
    hub_env.faults.stall(WEIGHTS, after_bytes=2_000_000, seconds=30)
    window = make_window(qtbot, start=False)
    window.select_key(KEY)
    window.act_download.trigger()

    def mid_file() -> bool:
        progress = window.model.state(KEY).progress
        return progress is not None and progress.bytes_done >= 2_000_000

    qtbot.waitUntil(mid_file, timeout=WAIT)
    hub_env.go_offline()  # the held connection is cut and nothing answers
    waiting = ("Reconnecting…", "Waiting for the Hub")
    qtbot.waitUntil(lambda: cell(window, KEY, ModelsModel.COL_STATUS).startswith(waiting), timeout=WAIT)
    hub_env.faults.clear()
    hub_env.come_back()
    qtbot.waitUntil(lambda: status(window) is Status.INSTALLED, timeout=WAIT)
    ranges = [r.headers.get("Range") for r in hub_env.requests_for(WEIGHTS) if r.method == "GET"]
    assert any(r and not r.startswith("bytes=0-") for r in ranges), ranges  # resumed, not restarted
    settle(window, qtbot)


def test_group_counts_follow_the_filter(hub_env, qtbot):
    populate(hub_env)
    window = make_window(qtbot, start=False)
    group = window.proxy.index(1, 0)  # the GGUF group: the gated and the private model
    assert "2 models" in group.data()
    qtbot.keyClicks(window.filter_edit, "gated")
    qtbot.keyClick(window.filter_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "1 of 2 models" in window.proxy.index(0, 0).data(), timeout=WAIT)
    window.filter_edit.clear()
    qtbot.keyClick(window.filter_edit, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "(2 models)" in window.proxy.index(1, 0).data(), timeout=WAIT)


def test_a_row_the_hub_must_decide_is_grey_while_offline(hub_env, qtbot):
    populate(hub_env)
    hub_env.go_offline()
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: status(window) is Status.OFFLINE, timeout=WAIT)
    brush = cell(window, KEY, ModelsModel.COL_STATUS, QtCore.Qt.ItemDataRole.ForegroundRole)
    assert brush.color() == QtGui.QColor("#757575")
    assert brush.color() != QtGui.QGuiApplication.palette().text().color()
    settle(window, qtbot)
