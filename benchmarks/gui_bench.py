"""Window figures: launch-to-shown time, the longest GUI stall while eight files download at full speed
from the emulator, and filter time per keystroke over 10,000 catalog rows. Prints the numbers.

Run from the repository root: `QT_QPA_PLATFORM=offscreen python benchmarks/gui_bench.py`.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6 import QtCore  # noqa: E402

from hfgui.core.catalog import CatalogEntry  # noqa: E402
from hfgui.gui.rows import Status  # noqa: E402
from tests.hubemu import HubEmulator, generated_content  # noqa: E402

FILE_SIZE = int(os.environ.get("HFGUI_BENCH_FILE_MB", "200")) * 1_000_000
FILES = 8


class StallProbe(QtCore.QObject):
    """A 5 ms timer; the longest gap between its ticks is the longest time the event loop was blocked."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(5)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.gaps: list[float] = []

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now


def spin(app, condition, timeout: float = 600.0) -> None:
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
        raise SystemExit("timed out waiting for the window")


def main() -> int:
    home = tempfile.mkdtemp(prefix="hfgui-bench-")
    hub = HubEmulator()
    files = {f"weights/part-{i}.safetensors": generated_content(FILE_SIZE, seed=i) for i in range(FILES)}
    hub.add_repo("bench/eight-files", files=files)
    os.environ.update(HFGUI_HOME=home, HF_ENDPOINT=hub.url, HF_HOME=os.path.join(home, "hf"))
    os.environ.pop("HF_TOKEN", None)
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())

    # 1. launch to shown
    t0 = time.perf_counter()
    from hfgui.gui.app import build_main_window, make_application
    from hfgui.gui.services import Services

    app = make_application(sys.argv[:1])
    services = Services.from_environment()
    services.settings = dataclasses.replace(services.settings, parallel_files=FILES)
    window = build_main_window(services)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - t0
    print(f"launch to window shown: {shown * 1000:.0f} ms (imports + QApplication + window, first paint)")

    # 2. longest event-loop stall while eight files download at full speed
    entry = CatalogEntry(
        "bench", "Bench (8 files)", "bench/eight-files", "transformers", "safetensors", include=("weights/*",)
    )
    window._model_added(entry)
    probe = StallProbe()
    probe.start()
    t1 = time.perf_counter()
    window.manager.start("bench")
    spin(app, lambda: window.model.state("bench").status in (Status.INSTALLED, Status.FAILED))
    elapsed = time.perf_counter() - t1
    probe.timer.stop()
    state = window.model.state("bench")
    total = FILES * FILE_SIZE
    gaps = sorted(probe.gaps)
    print(
        f"download {FILES} × {FILE_SIZE / 1e6:.0f} MB: {state.status.value} in {elapsed:.1f} s "
        f"({total / elapsed / 1e6:.0f} MB/s); GUI event loop: longest stall {gaps[-1] * 1000:.1f} ms, "
        f"p99 {gaps[int(len(gaps) * 0.99)] * 1000:.1f} ms over {len(gaps)} ticks (target < 50 ms)"
    )

    # 3. filtering 10,000 rows, one keystroke at a time
    entries = [
        CatalogEntry(
            f"m{i}",
            f"Model {i} {['tiny', 'small', 'base', 'large'][i % 4]}",
            f"org{i % 97}/model-{i}",
            ["coreml", "llama.cpp", "onnxruntime", "mlx", "transformers"][i % 5],
            ["mlpackage", "gguf", "onnx", "mlx", "safetensors"][i % 5],
            files=("a.bin",),
            quantization=["Q4_K_M", "Q8_0", "float16", "int4"][i % 4],
        )
        for i in range(10_000)
    ]
    window.load_catalog(entries)
    app.processEvents()
    timings = []
    for text in [
        "m",
        "mo",
        "mod",
        "mode",
        "model",
        "model ",
        "model 1",
        "model 12",
        "model 123",
        "model 12",
        "model 1",
        "model ",
        "model",
        "",
        "q",
        "q8",
        "q8 sm",
        "q8",
        "q",
        "",
    ]:
        t = time.perf_counter()
        window.filter_edit.setText(text)
        app.processEvents()
        timings.append(time.perf_counter() - t)
    print(
        f"filter 10,000 rows: median {statistics.median(timings) * 1000:.1f} ms, "
        f"worst {max(timings) * 1000:.1f} ms per keystroke (target < 100 ms)"
    )
    window.manager.wait_idle(30_000)
    hub.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
