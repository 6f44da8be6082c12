"""Check for updates finds newer commits on the emulator; Update fetches only what changed, can be
cancelled and resumed, and leaves the installed copy unchanged when it fails."""

from __future__ import annotations

import dataclasses

from hfgui.gui.library.library_model import LibraryTableModel
from tests.gui.helpers import sha256_of as expected_sha256
from tests.gui.inputs import click
from tests.gui.library.library_helpers import WAIT, cell, install, rescan, wait_idle
from tests.hubemu import generated_content


def test_check_for_updates_then_update_fetches_only_the_changed_file(hub, client, services, panel, qtbot):
    handle = install(hub, client, services)
    rescan(panel, qtbot)
    panel.select("library:acme/tiny")
    assert not panel.update_button.isEnabled()

    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE) == "Installed · up to date"
    assert not panel.update_button.isEnabled()

    new_sha = handle.commit(files={"config.json": b'{"model_type": "tiny", "v": 2}'})
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    assert "update available" in cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE)
    assert "acme/tiny" in panel.status_label.text()
    assert panel.update_button.isEnabled()

    hub.clear_requests()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.update_button)
    fetched = [r.path for r in hub.requests if r.method == "GET" and "/resolve/" in r.path]
    assert len(fetched) == 1 and fetched[0].endswith("/config.json"), fetched
    assert not any("model.safetensors" in r.path for r in hub.requests)
    assert "1 file downloaded, 2 unchanged" in panel.status_label.text()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_COMMIT) == new_sha[:8]
    assert cell(panel, "library:acme/tiny", LibraryTableModel.COL_STATE) == "Installed"
    root = services.library_root / "acme" / "tiny"
    assert (root / "config.json").read_bytes() == b'{"model_type": "tiny", "v": 2}'


def test_update_failure_leaves_model_unchanged_and_says_so(hub, client, services, panel, qtbot):
    handle = install(hub, client, services)
    rescan(panel, qtbot)
    handle.commit(files={"config.json": b'{"v": 3}'})
    panel.select("library:acme/tiny")
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    hub.faults.status("config.json", 404, times=100, host="hub")
    click(qtbot, panel.update_button)
    wait_idle(panel, qtbot)
    assert "installed copy is unchanged" in panel.status_label.text()
    root = services.library_root / "acme" / "tiny"
    assert (root / "config.json").read_bytes() == b'{"model_type": "tiny"}'


def test_unusable_proxy_setting_is_reported_not_raised(hub, client, services, panel, qtbot):
    install(hub, client, services)
    services.apply_settings(
        dataclasses.replace(services.settings, proxy_mode="manual", proxy_url="ftp://proxy.example:21")
    )
    rescan(panel, qtbot)
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)
    text = panel.status_label.text()
    assert "Could not check for updates" in text and "network settings are not usable" in text
    assert "\n" not in text


def test_update_can_be_cancelled_and_resumed_under_a_bandwidth_limit(hub, client, services, panel, qtbot):
    weights = {"model.safetensors": generated_content(5_000_000, seed=7), "config.json": b"{}"}
    handle = install(hub, client, services, files=weights)
    root = services.library_root / "acme" / "tiny"
    before = (root / "model.safetensors").read_bytes()
    new_weights = generated_content(5_000_000, seed=8)
    handle.commit(files={"model.safetensors": new_weights})
    # 1 MB/s and 1 MiB chunks: the 5 MB file leaves several chunks to go when Cancel is pressed.
    services.apply_settings(dataclasses.replace(services.settings, bandwidth_limit=1_000_000))
    rescan(panel, qtbot)
    panel.select("library:acme/tiny")
    click(qtbot, panel.check_updates_button)
    wait_idle(panel, qtbot)

    click(qtbot, panel.update_button)
    assert panel.operations.cancel_button.isVisible()
    qtbot.waitUntil(lambda: panel.operations.progress.value() > 0, timeout=WAIT)
    assert "Updating acme/tiny" in panel.operations.progress.format()
    click(qtbot, panel.operations.cancel_button)
    wait_idle(panel, qtbot)
    assert "cancelled; the installed copy is unchanged" in panel.status_label.text()
    assert (root / "model.safetensors").read_bytes() == before

    services.apply_settings(dataclasses.replace(services.settings, bandwidth_limit=0))
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    panel.select("library:acme/tiny")
    hub.clear_requests()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.update_button)
    assert "Updated acme/tiny" in panel.status_label.text()
    ranged = [
        r for r in hub.requests if r.method == "GET" and r.headers.get("Range", "").startswith("bytes=")
    ]
    assert ranged and not ranged[0].headers["Range"].startswith("bytes=0-")  # resumed, not restarted
    assert expected_sha256(root / "model.safetensors") == new_weights.sha256
