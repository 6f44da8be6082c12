"""Driving the Library tab in tests: install a model from the emulator, rescan, wait, read a cell."""

from __future__ import annotations

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from tests.hubemu import generated_content

WAIT = 60_000  # ms; only a guard against hanging, never a performance bound
GGUF = b"GGUF" + bytes(range(200)) * 20  # a file the importer takes for a GGUF model


def rescan(panel, qtbot) -> None:
    panel.refresh()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=WAIT)


def wait_idle(panel, qtbot) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=WAIT)


def cell(panel, key: str, column: int) -> str:
    return panel.model.index_of(key, column).data()


def install(hub, client, services, repo_id="acme/tiny", files=None):
    files = files or {
        "config.json": b'{"model_type": "tiny"}',
        "model.safetensors": generated_content(300_000, seed=1),
        "README.md": b"# tiny\n",
    }
    handle = hub.add_repo(repo_id, files=files)
    download_model(client, DownloadRequest(repo_id), services.library_root)
    return handle
