"""Settings that must reach the window's downloads: the shared bandwidth cap and the Hugging Face cache."""

from __future__ import annotations

import dataclasses

from hfgui.gui.models.rows import Status
from tests.gui.helpers import WEIGHTS, expected_sha256, make_window, populate, sha256_of
from tests.gui.inputs import answer

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
KEY = "tiny-coreml"


def finish(window) -> None:
    window.manager.stop_all("test teardown")
    window.manager.wait_idle(WAIT)
    window.runner.wait(WAIT)
    window.size_runner.wait(WAIT)


def test_downloads_share_the_windows_bandwidth_limiter(hub_env, qtbot):
    files = populate(hub_env)
    window = make_window(qtbot, start=False)
    services = window.services
    # A cap far above loopback needs: nothing slows down, but every byte must pass the shared limiter,
    # whose rate Settings changes live for running downloads.
    services.apply_settings(dataclasses.replace(services.settings, bandwidth_limit=10**12))
    before = services.limiter.granted
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)
    assert services.limiter.granted - before >= files[WEIGHTS].size
    finish(window)


def test_use_hf_cache_setting_stores_window_downloads_in_the_cache(hub_env, qtbot):
    files = populate(hub_env)
    window = make_window(qtbot, start=False)
    services = window.services
    services.apply_settings(dataclasses.replace(services.settings, use_hf_cache=True))
    window.select_key(KEY)
    window.act_download.trigger()
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.INSTALLED, timeout=WAIT)
    snapshots = services.hf_cache_dir / "models--demo--coreml-tiny" / "snapshots"
    copies = list(snapshots.glob(f"*/{WEIGHTS}"))
    assert len(copies) == 1 and sha256_of(copies[0]) == expected_sha256(files[WEIGHTS])
    assert not (services.library_root / "demo" / "coreml-tiny" / WEIGHTS).exists()
    window.runner.wait(WAIT)  # the library rescan after the download
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=WAIT)
    state = window.model.state(KEY)
    assert state.status is Status.INSTALLED and state.location == "hf-cache"
    finish(window)


def test_cancel_of_a_paused_cache_download_deletes_its_partials(hub_env, qtbot):
    populate(hub_env)
    hub_env.faults.stall(WEIGHTS, after_bytes=1_500_000, seconds=1.0)
    window = make_window(qtbot, start=False)
    services = window.services
    services.apply_settings(dataclasses.replace(services.settings, use_hf_cache=True))
    window.select_key(KEY)
    window.act_download.trigger()

    def weights_started():
        progress = window.model.state(KEY).progress
        done = {f.path: f.bytes_done for f in progress.files} if progress else {}
        return done.get(WEIGHTS, 0) > 0

    qtbot.waitUntil(weights_started, timeout=WAIT)
    window.act_pause.trigger()
    qtbot.waitUntil(lambda: window.model.state(KEY).status is Status.PAUSED, timeout=WAIT)
    staging = services.hf_cache_dir / "models--demo--coreml-tiny" / ".hfgui-staging"
    assert any(p.suffix == ".part" for p in staging.iterdir())  # Pause keeps them

    window.act_cancel.trigger()
    answer(qtbot, window.pending_dialog, "Cancel download")
    window.manager.wait_idle(WAIT)
    assert [p for p in staging.iterdir() if p.suffix == ".part"] == []
    finish(window)


def test_two_quantisations_of_one_repo_download_one_after_the_other(hub_env, qtbot):
    from hfgui.core.library.catalog import CatalogEntry
    from hfgui.core.store.manifest import read_manifest
    from tests.hubemu import generated_content

    hub_env.add_repo(
        "demo/two-quants-GGUF",
        files={f"m.{q}.gguf": generated_content(2_000_000, seed=i) for i, q in enumerate(("Q4_K_M", "Q8_0"))},
    )
    hub_env.faults.stall("m.Q4_K_M.gguf", after_bytes=1_000_000, seconds=0.5)
    entries = [
        CatalogEntry(
            f"two-{q}", f"Two {q}", "demo/two-quants-GGUF", "llama.cpp", "gguf", files=(f"m.{q}.gguf",)
        )
        for q in ("Q4_K_M", "Q8_0")
    ]
    window = make_window(qtbot, start=False, entries=entries)
    services = window.services
    services.apply_settings(dataclasses.replace(services.settings, parallel_models=2))
    window.manager.start("two-Q4_K_M")
    window.manager.start("two-Q8_0")
    # Both may run at once by the setting, but they share a folder: the second waits its turn.
    assert window.model.state("two-Q8_0").status is Status.QUEUED
    for key in ("two-Q4_K_M", "two-Q8_0"):
        qtbot.waitUntil(lambda key=key: window.model.state(key).status is Status.INSTALLED, timeout=WAIT)
    manifest = read_manifest(services.library_root / "demo" / "two-quants-GGUF")
    assert sorted(f.path for f in manifest.files) == ["m.Q4_K_M.gguf", "m.Q8_0.gguf"]
    finish(window)


def test_another_quantisation_is_available_and_damage_shows_as_failed_with_repair(hub_env, qtbot):
    from hfgui.core.library.catalog import CatalogEntry
    from hfgui.core.library.installed import Library
    from hfgui.gui.models.library_sync import DAMAGED_MESSAGE
    from tests.hubemu import generated_content

    hub_env.add_repo(
        "demo/two-GGUF",
        files={f"m.{q}.gguf": generated_content(300_000, seed=i) for i, q in enumerate(("Q4_K_M", "Q8_0"))},
    )
    entries = [
        CatalogEntry(f"two-{q}", q, "demo/two-GGUF", "llama.cpp", "gguf", files=(f"m.{q}.gguf",))
        for q in ("Q4_K_M", "Q8_0")
    ]
    window = make_window(qtbot, start=False, entries=entries)
    window.manager.start("two-Q4_K_M")
    qtbot.waitUntil(lambda: window.model.state("two-Q4_K_M").status is Status.INSTALLED, timeout=WAIT)

    def rescan():
        window.refresh_library()
        window.runner.wait(WAIT)
        qtbot.wait(20)

    rescan()
    assert window.model.state("two-Q8_0").status is Status.AVAILABLE  # not a paused download

    library_root = window.services.library_root
    weights = library_root / "demo" / "two-GGUF" / "m.Q4_K_M.gguf"
    data = bytearray(weights.read_bytes())
    data[100] ^= 1
    weights.write_bytes(bytes(data))
    assert len(Library(library_root).check("demo/two-GGUF")) == 1  # what Verify in the Library tab does
    rescan()
    state = window.model.state("two-Q4_K_M")
    assert state.status is Status.FAILED and state.error == DAMAGED_MESSAGE
    window.select_key("two-Q4_K_M")
    assert window.act_retry.isEnabled()
    window.act_retry.trigger()
    qtbot.waitUntil(lambda: window.model.state("two-Q4_K_M").status is Status.INSTALLED, timeout=WAIT)
    assert Library(library_root).check("demo/two-GGUF") == []
    finish(window)
