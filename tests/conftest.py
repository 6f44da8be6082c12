"""Shared pytest fixtures: a fresh Hub emulator per test and an environment pointing at it."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.hubemu import HubEmulator


@pytest.fixture(autouse=True)
def no_cli_log_handler_left_behind():
    """`hfgui` run in-process adds a stderr handler to the root logger; a later test's warning must not
    go to the stream an earlier test captured (closed by then)."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if getattr(h, "_hfgui", False)]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def hub():
    """A fresh emulator (Hub + CDN on loopback), closed after the test."""
    emulator = HubEmulator()
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture
def hub_url(hub) -> str:
    return hub.url


@pytest.fixture
def hub_env(hub, monkeypatch, tmp_path):
    """Point every client at the emulator: HF_ENDPOINT set, no tokens, HF_HOME and HFGUI_HOME in tmp dirs."""
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HFGUI_HOME", str(tmp_path / "hfgui-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    return hub
