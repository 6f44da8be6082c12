"""A gated repo without access fails once, before any worker starts, and leaves nothing behind."""

from __future__ import annotations

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import GatedRepoError
from hfgui.core.wire.hub import HubClient

FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "model.safetensors": bytes(range(256)) * 64,
    "tokenizer.json": b'{"version": "1.0"}\n',
}
TOKEN = "hf_grantedUserToken000000000000000000"


def test_gated_repo_fails_once_before_any_content_request(hub, tmp_path):
    hub.add_repo("acme/gated", FILES, gated="manual")
    client = HubClient(hub.url, token=False)
    hub.clear_requests()

    with pytest.raises(GatedRepoError) as err:
        download_model(client, DownloadRequest("acme/gated"), tmp_path / "lib")

    assert err.value.page_url == f"{hub.url}/acme/gated"
    gets = [r for r in hub.requests if r.method == "GET" and "/resolve" in r.path]
    assert gets == []  # the probe is one HEAD; no file download was attempted
    assert [r.method for r in hub.requests if "/resolve" in r.path] == ["HEAD"]
    library = tmp_path / "lib"
    assert not (library / "acme").exists()
    leftovers = list((library / ".hfgui-staging").glob("*")) if (library / ".hfgui-staging").exists() else []
    assert leftovers == []


def test_gated_repo_with_access_downloads(hub, tmp_path):
    hub.add_repo("acme/gated", FILES, gated="manual")
    hub.add_user("granted", TOKEN, can_access=("acme/gated",))
    client = HubClient(hub.url, token=TOKEN)

    download_model(client, DownloadRequest("acme/gated"), tmp_path / "lib")

    root = tmp_path / "lib" / "acme" / "gated"
    assert {p.name for p in root.iterdir() if p.is_file()} == set(FILES)
    assert (root / "model.safetensors").read_bytes() == FILES["model.safetensors"]
