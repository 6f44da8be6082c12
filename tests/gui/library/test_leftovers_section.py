"""Partial downloads: orphaned ones are listed and removed at once; removing one a download owns asks."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from hfgui.core.library.installed import Library
from hfgui.core.store import partials
from tests.gui.inputs import answer, click
from tests.gui.library.library_helpers import WAIT, install, rescan

DAY = 86400


def fake_partial(staging, repo_id, path, *, commit="c" * 40, nbytes=1000, age_days=0.0):
    key = partials.partial_key(repo_id, path, "e" * 64)
    part = partials.part_path(staging, key)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"x" * nbytes)
    side = partials.sidecar_path(staging, key)
    partials.write_sidecar(
        side, partials.Sidecar("http://hub/x", repo_id, commit, path, "e" * 64, nbytes * 5)
    )
    when = time.time() - age_days * DAY
    os.utime(part, (when, when))
    os.utime(side, (when, when))
    return part


def test_orphaned_partials_are_listed_and_removed(hub, client, services, panel, qtbot):
    handle = install(hub, client, services)
    staging = services.library_root / ".hfgui-staging"
    orphan = fake_partial(staging, "acme/tiny", "config.json", commit=handle.sha, nbytes=4000, age_days=3)
    owned = fake_partial(staging, "acme/started", "big.bin", nbytes=2000)
    rescan(panel, qtbot)

    rows = {item.repo_id: item for item in panel.leftovers_section.model.items()}
    assert rows["acme/tiny"].orphaned and rows["acme/started"].owner == "download"
    by_model = {
        panel.leftovers_section.model.index(r, 0).data(): [
            panel.leftovers_section.model.index(r, c).data() for c in range(6)
        ]
        for r in range(panel.leftovers_section.model.rowCount())
    }
    assert by_model["acme/tiny"][3] == "3 days" and by_model["acme/tiny"][4] == "Nothing (orphaned)"
    assert by_model["acme/started"][4] == "Unfinished download"
    assert "1 orphaned" in panel.leftovers_section.label.text()
    expected = rows["acme/tiny"].size

    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, panel.leftovers_section.remove_orphans_button)
    assert not orphan.exists() and owned.exists()
    assert panel.status_label.text() == f"Removed 1 partial file: {expected / 1000:.1f} kB freed."
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert [i.repo_id for i in panel.leftovers_section.model.items()] == ["acme/started"]

    # Removing an owned partial by selection asks first.
    panel.leftovers_section.view.selectRow(0)
    click(qtbot, panel.leftovers_section.remove_selected_button)
    assert "unfinished download" in panel.pending_dialog.text()
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        answer(qtbot, panel.pending_dialog, "Remove")
    assert not owned.exists()


def test_the_remains_of_an_interrupted_delete_are_shown_and_removed(
    hub, client, services, panel, qtbot, monkeypatch
):
    install(hub, client, services)
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)  # no worker may meet the patched rmtree

    def killed(path, *args, **kwargs):  # the delete dies after moving the model out, before removing it
        raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        Library(services.library_root).delete("acme/tiny")
    monkeypatch.undo()
    rescan(panel, qtbot)

    section = panel.leftovers_section
    row = [section.model.index(0, c).data() for c in range(6)]
    assert section.model.rowCount() == 1
    assert row[0] == "acme/tiny" and row[1] == "All its files (a delete was interrupted)"
    assert row[4] == "Nothing (orphaned)" and row[5] == "Interrupted delete"
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        click(qtbot, section.remove_orphans_button)
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)
    assert [p for p in services.library_root.rglob("*") if p.is_file()] == []
    assert section.model.rowCount() == 0
