"""The window against a far-away Hub (a round trip of 40 ms per request and one more per connection, each
CDN connection held to 4 MiB/s), at the smallest common screen size: sizes and access arrive, a model
downloads through the toolbar with progress on the way, Pause and Resume keep what was fetched."""

from __future__ import annotations

from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, expected_sha256, make_window, populate, settle, sha256_of
from tests.gui.inputs import toolbar_click

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"
MiB = 1024 * 1024


def test_a_far_away_hub_at_1024x700(hub_env, qtbot):
    files = populate(hub_env, weight_size=24 * MiB)  # large enough to be fetched in segments
    hub_env.network.rtt = 0.04
    hub_env.network.connection_rate = 4 * MiB
    window = make_window(qtbot)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.model.state(KEY).size is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.model.state("gated-gguf").status is Status.LICENSE_REQUIRED, timeout=WAIT)
    qtbot.waitUntil(
        lambda: window.model.state("private-gguf").status is Status.PRIVATE_OR_MISSING, timeout=WAIT
    )

    seen: list[tuple[str, int]] = []
    window.manager.refreshed.connect(
        lambda: seen.append((window.model.state(KEY).status_text, window.model.state(KEY).permille))
    )
    window.select_key(KEY)
    toolbar_click(qtbot, window.toolbar, window.act_start)

    def weights_part_way() -> bool:
        progress = window.model.state(KEY).progress
        done = {f.path: f.bytes_done for f in progress.files} if progress else {}
        return 4 * MiB <= done.get(WEIGHTS, 0) < 20 * MiB

    qtbot.waitUntil(weights_part_way, timeout=WAIT)
    toolbar_click(qtbot, window.toolbar, window.act_pause)
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.PAUSED, timeout=WAIT)
    paused_at = window.model.state(KEY).progress.bytes_done
    assert paused_at > 4 * MiB
    hub_env.clear_requests()
    toolbar_click(qtbot, window.toolbar, window.act_start)  # says Resume now
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)

    assert any(text.startswith("Downloading") and 0 < permille < 1000 for text, permille in seen)
    fetched_again = sum(r.bytes_sent for r in hub_env.requests_for(WEIGHTS) if r.method == "GET")
    assert fetched_again <= 24 * MiB - paused_at + 2 * MiB  # resumed, not started over
    root = window.services.library_root / "demo" / "coreml-tiny"
    assert sha256_of(root / WEIGHTS) == expected_sha256(files[WEIGHTS])
    settle(window, qtbot)
