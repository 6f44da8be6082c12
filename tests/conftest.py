"""Shared pytest fixtures: a fresh Hub emulator per test and an environment pointing at it."""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from hfgui.core.wire import tree_cache
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


class _CrashRecorder(logging.Handler):
    """Collects errors logged with a traceback: a callback that raised inside a Mailbox or a worker is
    caught and logged there so the window survives, but in a test it is a bug."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.name.startswith("hfgui"):
            self.records.append(record)


@pytest.fixture(autouse=True)
def no_logged_crashes(request):
    """Fail the test when hfgui logged an exception it swallowed (mark `logged_crash_expected` to allow)."""
    recorder = _CrashRecorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    yield
    root.removeHandler(recorder)
    if recorder.records and not request.node.get_closest_marker("logged_crash_expected"):
        first = recorder.records[0]
        text = logging.Formatter().formatException(first.exc_info) if first.exc_info else ""
        pytest.fail(f"hfgui logged an exception: {first.getMessage()}\n{text}", pytrace=False)


@pytest.fixture(autouse=True)
def no_tree_listing_cached_by_an_earlier_test():
    """Listings are cached per process by endpoint and commit; a later emulator may get the same port and
    a repository with the same (deterministic) commit, and its test must see its own requests."""
    tree_cache.clear()
    yield
    tree_cache.clear()


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
