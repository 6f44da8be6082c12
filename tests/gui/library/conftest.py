"""Library tab tests: services on the emulator, a shown panel whose reveals are recorded, a Hub client."""

from __future__ import annotations

import pytest
from huggingface_hub import constants

from hfgui.core.wire.hub import HubClient
from hfgui.gui.library.library_panel import LibraryPanel
from hfgui.gui.services import Services
from tests.gui.library.library_helpers import WAIT


@pytest.fixture
def plain_http(monkeypatch):
    """huggingface_hub reads its switches at import time: set the variable and the constant."""
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")


@pytest.fixture
def services(hub_env):
    return Services.from_environment()


@pytest.fixture
def client(hub):
    made = HubClient(endpoint=hub.url, token=False)
    yield made
    made.close()


@pytest.fixture
def opened():
    return []


@pytest.fixture
def panel(services, qtbot, opened):
    made = LibraryPanel(services, open_url=opened.append)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.shutdown(WAIT)
