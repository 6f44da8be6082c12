"""Build a main window against the emulator with a small catalog of emulator repos."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hfgui.core.library.catalog import CatalogEntry
from hfgui.core.wire.hub import RetryPolicy
from hfgui.gui.services import Services
from hfgui.gui.window.main_window import MainWindow
from tests.hubemu import generated_content

PACKAGE = "Tiny.mlpackage"
WEIGHTS = f"{PACKAGE}/Data/com.apple.CoreML/weights/weight.bin"
MODEL = f"{PACKAGE}/Data/com.apple.CoreML/model.mlmodel"
MANIFEST = f"{PACKAGE}/Manifest.json"


def populate(hub, weight_size: int = 3_000_000):
    """A Core ML package repo, a gated repo and a private repo; returns the package files' contents."""
    files = {
        MANIFEST: b'{"fileFormatVersion": "1.0.0"}',
        MODEL: generated_content(200_000, seed=1),
        WEIGHTS: generated_content(weight_size, seed=2),
    }
    hub.add_repo("demo/coreml-tiny", files={**files, "README.md": b"# tiny\n"})
    hub.add_repo("demo/gated-llama", files={"model.gguf": generated_content(50_000, seed=3)}, gated="manual")
    hub.add_repo(
        "someone/private-model", files={"model.gguf": generated_content(50_000, seed=4)}, private=True
    )
    return files


def catalog() -> list[CatalogEntry]:
    return [
        CatalogEntry(
            "tiny-coreml", "Tiny (Core ML)", "demo/coreml-tiny", "coreml", "mlpackage", folder=PACKAGE
        ),
        CatalogEntry(
            "gated-gguf", "Gated Llama", "demo/gated-llama", "llama.cpp", "gguf", files=("model.gguf",)
        ),
        CatalogEntry(
            "private-gguf",
            "Private model",
            "someone/private-model",
            "llama.cpp",
            "gguf",
            files=("model.gguf",),
        ),
    ]


class FastServices(Services):
    """Services whose Hub clients do not retry: a refused connection fails at once instead of after
    the production back-off (about 20 s)."""

    def make_client(self, token: str | None = None, *, quick: bool = False):
        client = super().make_client(token, quick=quick)
        client.retry = RetryPolicy(max_retries=0)
        return client


def make_window(
    qtbot,
    opened: list | None = None,
    *,
    start: bool = True,
    entries: list[CatalogEntry] | None = None,
    fast: bool = False,
    **options,
) -> MainWindow:
    services = (FastServices if fast else Services).from_environment()
    recorder = opened.append if opened is not None else (lambda url: None)
    options.setdefault("quit_app", lambda: None)
    options.setdefault("open_url", recorder)
    window = MainWindow(services, catalog=catalog() if entries is None else entries, **options)
    qtbot.addWidget(window)
    window.show()
    if start:
        window.start_background()
    return window


def settle(window: MainWindow, qtbot, wait_ms: int = 60_000) -> None:
    """Let the window's background work finish before the test (and its emulator) ends.

    A window deleted while one of its pools still runs a task blocks the GUI thread until that task
    ends (QThreadPool waits for its threads), and a task retrying against a closed emulator takes
    tens of seconds: the next test would stall. Results delivered now may start more work (sizes
    after a token change), hence two rounds.
    """
    for _ in range(2):
        window.runner.wait(wait_ms)
        qtbot.wait(20)  # deliver the results: their callbacks may submit more
        window.sizes.wait(wait_ms)
        window.hub_watch.wait(wait_ms)
        window.manager.wait_idle(wait_ms)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_sha256(content) -> str:
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest()
    return content.sha256


def open_settings(qtbot, window: MainWindow):
    """Settings… through its shortcut (Ctrl+,), as a person opens it; returns the dialog."""
    from tests.gui.inputs import press

    press(qtbot, window.view, "Ctrl+,")
    dialog = window.settings_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog
