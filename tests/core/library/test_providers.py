"""Provider routing, the Hub provider, and plain-URL downloads (size from HEAD, Range resume, no token)."""

from __future__ import annotations

import hashlib
import threading

import pytest
import requests

from hfgui.core.errors import ChecksumError, DownloadCancelledError, InvalidRepoIdError
from hfgui.core.library.providers import DirectURLProvider, HuggingFaceProvider, ProviderManager
from hfgui.core.store.manifest import read_manifest
from hfgui.core.types import ModelState
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

BLOB = generated_content(3 * 2**20 + 123, seed=4)


@pytest.fixture
def manager(hub, tmp_path):
    hub.add_user("alice", "hf_secret_for_the_hub_only")
    with HubClient(hub.url, token="hf_secret_for_the_hub_only") as client:
        yield ProviderManager.default(client, tmp_path)


def _cdn_url(hub, repo_id: str, path: str) -> str:
    """A signed CDN URL, as a person would paste a plain https file link."""
    response = requests.get(hub.resolve_url(repo_id, path), allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return response.headers["Location"]


def test_routing_by_source(manager, hub):
    assert manager.provider_for("apple/coreml-model").id == "huggingface"
    assert manager.provider_for("hf://apple/coreml-model").id == "huggingface"
    assert manager.provider_for("https://huggingface.co/apple/coreml-model/tree/main").id == "huggingface"
    assert manager.provider_for(f"{hub.url}/apple/coreml-model").id == "huggingface"  # the configured mirror
    assert manager.provider_for("https://example.com/files/model.gguf").id == "direct"
    with pytest.raises(InvalidRepoIdError):
        manager.provider_for("ftp://example.com/model.gguf")
    with pytest.raises(InvalidRepoIdError):
        manager.provider_for("http://example.com/model.gguf")  # plain http only on loopback


def test_huggingface_provider_plans_and_downloads(manager, hub, tmp_path):
    hub.add_repo("apple/tiny", files={"config.json": b"{}", "m.mlpackage/Manifest.json": b'{"v": 1}'})
    provider = manager.provider_for("https://huggingface.co/apple/tiny/tree/main/m.mlpackage")
    assert isinstance(provider, HuggingFaceProvider) and provider.requires_auth is False
    plan = provider.plan("https://huggingface.co/apple/tiny/tree/main/m.mlpackage")
    assert [f.path for f in plan.files] == ["m.mlpackage/Manifest.json"]
    root = provider.download(plan)
    assert (root / "m.mlpackage" / "Manifest.json").read_bytes() == b'{"v": 1}'
    assert read_manifest(root) is not None
    hub_requests = [r for r in hub.requests if r.host == "hub"]
    assert hub_requests and all(r.authorized for r in hub_requests)  # the token is used when present


def test_direct_url_download_verifies_and_never_sends_a_token(manager, hub, tmp_path):
    hub.add_repo("o/files", files={"model.gguf": BLOB})
    url = _cdn_url(hub, "o/files", "model.gguf")
    provider = manager.provider_for(url)
    assert isinstance(provider, DirectURLProvider)
    plan = provider.plan(url, sha256=BLOB.sha256)
    assert plan.size == BLOB.size
    events = []
    path = provider.download(plan, on_progress=events.append)
    assert path.read_bytes() == BLOB.read(0, BLOB.size)
    assert events[-1].state is ModelState.INSTALLED and events[-1].bytes_done == BLOB.size
    cdn = [r for r in hub.requests if r.host == "cdn"]
    assert cdn and not any("authorization" in {k.lower() for k in r.headers} for r in cdn)


def test_direct_url_resumes_with_range(hub, tmp_path):
    hub.add_repo("o/files", files={"model.gguf": BLOB})
    url = _cdn_url(hub, "o/files", "model.gguf")
    provider = DirectURLProvider(tmp_path)
    plan = provider.plan(url, sha256=BLOB.sha256)
    cancel = threading.Event()

    def stop_after_first_mib(progress):
        if progress.bytes_done >= 2**20:
            cancel.set()

    hub.faults.stall("model.gguf", after_bytes=2 * 2**20, seconds=0.3, host="cdn")
    with pytest.raises(DownloadCancelledError):
        provider.download(plan, on_progress=stop_after_first_mib, cancel=cancel)
    kept = plan.part_path.stat().st_size
    assert 0 < kept < BLOB.size
    hub.clear_requests()
    provider.download(plan)
    assert plan.dest.read_bytes() == BLOB.read(0, BLOB.size)
    (get,) = [r for r in hub.requests if r.method == "GET"]
    assert get.headers.get("Range") == f"bytes={kept}-"


def test_direct_url_wrong_sha256_keeps_nothing(hub, tmp_path):
    hub.add_repo("o/files", files={"model.gguf": BLOB})
    url = _cdn_url(hub, "o/files", "model.gguf")
    provider = DirectURLProvider(tmp_path)
    plan = provider.plan(url, sha256=hashlib.sha256(b"something else").hexdigest())
    with pytest.raises(ChecksumError):
        provider.download(plan)
    assert not plan.dest.exists() and not plan.part_path.exists()
