"""Window tests run offscreen, with an in-memory keyring and all app folders in a temporary HFGUI_HOME."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

import keyring
import keyring.backend
import keyring.errors
import pytest

from tests.memory_keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring(request):
    """Every window test gets a fresh in-memory keyring unless it asks for the real Secret Service."""
    if request.node.get_closest_marker("secret_service"):
        yield None
        return
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def gui_home(tmp_path, monkeypatch):
    home = tmp_path / "hfgui-home"
    monkeypatch.setenv("HFGUI_HOME", str(home))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    return home
