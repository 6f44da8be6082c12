"""Render the window offscreen, mid-download against the Hub emulator, at the sizes people have:
docs/screenshot.png (1280×800, shown in the README and the AppStream metadata) and
docs/screenshot-1024x700.png (a small laptop screen).

Run from the repository root: `python scripts/screenshot.py [OUT_DIR]`. Uses the emulator's demo data
set when `tests.hubemu.demo` exists, else stocks the emulator with stand-ins for the built-in catalog.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6 import QtCore  # noqa: E402 - scripts may use Qt

from hfgui.core.library.catalog import CatalogEntry, load_builtin_catalog  # noqa: E402
from hfgui.gui.models.rows import Status  # noqa: E402
from tests.hubemu import HubEmulator, generated_content  # noqa: E402

MB = 1_000_000


def stand_in_files(entry: CatalogEntry, seed: int) -> dict[str, object]:
    """Plausible files for a catalog entry: big weights, small JSON side files."""
    # Stand-ins are scaled down (the emulator hashes every file it lists): about 40 MB per GB of RAM.
    weight = int(max(0.5, entry.ram_min_gb or 1) * 40 * MB)
    small = b'{"model_type": "demo"}\n'
    files: dict[str, object] = {"README.md": f"# {entry.name}\n".encode()}
    if entry.folder:
        base = entry.folder
        files[f"{base}/Manifest.json"] = small
        files[f"{base}/Data/com.apple.CoreML/model.mlmodel"] = generated_content(300_000, seed=seed)
        files[f"{base}/Data/com.apple.CoreML/weights/weight.bin"] = generated_content(weight, seed=seed + 1)
    for path in entry.files:
        big = path.endswith((".gguf", ".mlmodel", ".zip", ".safetensors", ".onnx"))
        files[path] = generated_content(weight, seed=seed + 2) if big else small
    for pattern in entry.include:
        path = pattern.replace("/*", "/model.onnx").replace("*", "model")
        files[path] = generated_content(weight, seed=seed + 3) if "model." in path else small
        if path.endswith(".onnx"):
            files[path + ".data"] = generated_content(weight, seed=seed + 4)
    return files


def populate(hub: HubEmulator) -> None:
    try:
        from tests.hubemu import demo
    except ImportError:
        demo = None
    if demo is not None and hasattr(demo, "populate"):
        demo.populate(hub)
        return
    for i, entry in enumerate(load_builtin_catalog()):
        gated = "manual" if entry.id.startswith("llama-3.2") else False
        hub.add_repo(entry.repo, files=stand_in_files(entry, seed=10 * i), gated=gated)


def wait_for(app, condition, timeout: float = 60.0) -> None:
    """Run the event loop until ``condition()`` holds (checked every 10 ms)."""
    deadline = time.monotonic() + timeout
    loop = QtCore.QEventLoop()
    timer = QtCore.QTimer()
    timer.setInterval(10)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    if not condition():
        loop.exec()
    timer.stop()
    if not condition():
        states = [
            (
                s.entry.key,
                s.status.value,
                s.progress and [(f.path[-12:], f.bytes_done) for f in s.progress.files],
            )
            for s in app.hfgui_model.states()
            if s.status.value != "Available"
        ]
        raise SystemExit(f"timed out waiting for the window: {states}")


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "docs"
    shots = {(1280, 800): out_dir / "screenshot.png", (1024, 700): out_dir / "screenshot-1024x700.png"}
    home = tempfile.mkdtemp(prefix="hfgui-shot-")
    hub = HubEmulator()
    populate(hub)
    os.environ.update(HFGUI_HOME=home, HF_ENDPOINT=hub.url, HF_HOME=os.path.join(home, "hf"))
    os.environ.pop("HF_TOKEN", None)
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # never touch the real keyring from a script

    import dataclasses

    from hfgui.gui.app import build_main_window, make_application
    from hfgui.gui.services import Services

    app = make_application(argv[:1])
    services = Services.from_environment()
    # A stalled connection must stay stalled for the picture, not reconnect after 30 s.
    services.settings = dataclasses.replace(services.settings, stall_timeout_seconds=3600)
    window = build_main_window(services)
    window.resize(1280, 800)
    window.show()
    window.start_background()
    model = window.model
    app.hfgui_model = model
    started = time.monotonic()
    wait_for(app, lambda: all(s.size is not None or s.status is not Status.AVAILABLE for s in model.states()))

    installed, downloading, second = (
        "smollm-135m-instruct-q4km",
        "openelm-270m-instruct-coreml",
        "qwen2.5-0.5b-instruct-q5km",
    )
    window.manager.start(installed)
    wait_for(app, lambda: model.state(installed).status is Status.INSTALLED)
    print(f"installed after {time.monotonic() - started:.1f} s", file=sys.stderr)

    # Keep one model mid-download: its weights stall at about 70 %.
    weights = next(
        p for p in hub.repo(model.state(downloading).entry.repo_id).head.files if p.endswith("weight.bin")
    )
    size = model.state(downloading).size or 0
    hub.faults.stall(weights, after_bytes=int(size * 0.7), seconds=600, times=None)
    hub.faults.stall("*.gguf", after_bytes=int(7.5 * MB), seconds=600, times=None)
    window.manager.start(second)
    # Slow enough that the picture catches the weights arriving, with a per-file speed to show.
    services.apply_settings(dataclasses.replace(services.settings, bandwidth_limit=MB))  # as Settings does
    window.manager.start(downloading)

    def file_bytes(key: str, path_end: str) -> int:
        progress = model.state(key).progress
        return (
            max((f.bytes_done for f in progress.files if f.path.endswith(path_end)), default=0)
            if progress
            else 0
        )

    def weights_speed() -> float:
        progress = model.state(downloading).progress
        return (
            max((f.speed for f in progress.files if f.path.endswith("weight.bin")), default=0.0)
            if progress
            else 0.0
        )

    wait_for(app, lambda: file_bytes(downloading, "weight.bin") > 0 and weights_speed() > 0)
    print(f"mid-download after {time.monotonic() - started:.1f} s", file=sys.stderr)
    window.select_key(downloading)
    out_dir.mkdir(parents=True, exist_ok=True)
    for (width, height), out in shots.items():
        window.resize(width, height)
        for _ in range(30):  # let the layout settle and the 10 Hz refresh paint speeds and details
            app.processEvents()
            time.sleep(0.05)
        window.grab().save(str(out))
        print(out)
    # The stalled connection would hold a worker thread for minutes: leave without waiting for it.
    sys.stdout.flush()
    shutil.rmtree(home, ignore_errors=True)  # its temporary library and settings
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
