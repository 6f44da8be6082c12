"""Proxy modes end to end: Hub API calls and downloads through a loopback forward proxy (or not)."""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import HubHTTPError, NetworkError
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.core.helpers.forward_proxy import ForwardProxy
from tests.core.helpers.no_proxy_cases import NO_PROXY_CASES
from tests.hubemu import generated_content

TOKEN = "hf_proxyTestToken000000000000000000"
FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "model.safetensors": generated_content(300_000, seed=7),  # LFS: served by the CDN host
}
NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture
def proxy():
    with ForwardProxy() as running:
        yield running


@pytest.fixture
def repo(hub):
    hub.add_repo("acme/tiny", FILES, private=True)
    hub.add_user("alice", TOKEN, can_access=("acme/tiny",))
    return "acme/tiny"


def _client(hub, network: NetworkConfig, token=TOKEN) -> HubClient:
    return HubClient(hub.url, token=token, network=network, retry=NO_RETRY)


def _download(client, repo, tmp_path):
    return download_model(client, DownloadRequest(repo), tmp_path / "library")


def _hub_port(hub) -> int:
    return urlsplit(hub.url).port


def _cdn_port(hub) -> int:
    return urlsplit(hub.cdn_url).port


def test_manual_proxy_carries_api_calls_and_downloads(hub, repo, proxy, clean_env, tmp_path):
    with _client(hub, NetworkConfig("manual", proxy.url)) as client:
        assert client.model_info(repo).repo_id == repo
        manifest = _download(client, repo, tmp_path)

    assert {f.path for f in manifest.files} == set(FILES)
    seen = proxy.seen()
    hub_calls = [r for r in seen if r.port == _hub_port(hub)]
    cdn_calls = [r for r in seen if r.port == _cdn_port(hub)]
    assert any("/api/models/acme/tiny" in r.url for r in hub_calls)
    assert any("/resolve/" in r.url for r in hub_calls)
    assert [r.method for r in cdn_calls] == ["GET"]  # the LFS file came from the CDN via the proxy
    # Everything the emulator saw came from the proxy: as many requests as the proxy relayed.
    assert len(hub.requests) == len(seen)


def test_token_goes_to_the_hub_only_even_through_a_proxy(hub, repo, proxy, clean_env, tmp_path):
    with _client(hub, NetworkConfig("manual", proxy.url)) as client:
        _download(client, repo, tmp_path)

    seen = proxy.seen()
    cdn_calls = [r for r in seen if r.port == _cdn_port(hub)]
    hub_calls = [r for r in seen if r.port == _hub_port(hub)]
    assert cdn_calls and hub_calls
    # Plain http through a forward proxy: the proxy sees the Hub's headers (expected), never a CDN token.
    assert all("authorization" not in r.headers for r in cdn_calls)
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in hub_calls)
    assert not any(r.authorized for r in hub.requests if r.host == "cdn")


def test_system_mode_uses_http_proxy_from_the_environment(hub, repo, proxy, clean_env, tmp_path):
    clean_env.setenv("HTTP_PROXY", proxy.url)
    with _client(hub, NetworkConfig("system")) as client:
        _download(client, repo, tmp_path)

    ports = {r.port for r in proxy.seen()}
    assert ports == {_hub_port(hub), _cdn_port(hub)}


def test_system_mode_honours_no_proxy(hub, repo, proxy, clean_env, tmp_path):
    clean_env.setenv("HTTP_PROXY", proxy.url)
    clean_env.setenv("NO_PROXY", "127.0.0.1")  # the Hub host; the CDN is "localhost"
    with _client(hub, NetworkConfig("system")) as client:
        _download(client, repo, tmp_path)

    seen = proxy.seen()
    assert seen, "the CDN request should still go through the proxy"
    assert {r.host for r in seen} == {"localhost"}


def test_none_mode_ignores_proxy_variables(hub, repo, proxy, clean_env, tmp_path):
    clean_env.setenv("HTTP_PROXY", proxy.url)
    clean_env.setenv("ALL_PROXY", proxy.url)
    with _client(hub, NetworkConfig("none")) as client:
        assert client.session.trust_env is False
        manifest = _download(client, repo, tmp_path)

    assert manifest.files
    assert proxy.seen() == []
    assert any(r.host == "cdn" for r in hub.requests)


def test_manual_mode_ignores_environment_proxy(hub, repo, clean_env, tmp_path):
    with ForwardProxy() as chosen, ForwardProxy() as from_env:
        clean_env.setenv("HTTP_PROXY", from_env.url)
        with _client(hub, NetworkConfig("manual", chosen.url)) as client:
            client.model_info(repo)
        assert chosen.seen() and from_env.seen() == []


@pytest.mark.parametrize(("no_proxy", "proxied_hosts"), NO_PROXY_CASES)
def test_manual_no_proxy_list_bypasses_the_proxy(
    hub, repo, proxy, clean_env, tmp_path, no_proxy, proxied_hosts
):
    with _client(hub, NetworkConfig("manual", proxy.url, no_proxy)) as client:
        _download(client, repo, tmp_path)

    assert {r.host for r in proxy.seen()} == proxied_hosts
    assert any(r.host == "cdn" for r in hub.requests)  # the download happened either way


def test_proxy_credentials_are_sent_to_the_proxy_and_never_logged(hub, repo, clean_env, tmp_path, caplog):
    password = "s3cret-Proxy-pass"
    with ForwardProxy(credentials=("bob", password)) as proxy:
        url = f"http://bob:{password}@127.0.0.1:{proxy.port}"
        caplog.set_level(logging.DEBUG)
        with _client(hub, NetworkConfig("manual", url)) as client:
            assert "s3cret" not in repr(client.network)
            _download(client, repo, tmp_path)
        seen = proxy.seen()

    assert seen and all(r.status != 407 for r in seen)
    assert all(r.headers.get("proxy-authorization", "").startswith("Basic ") for r in seen)
    assert not any("Proxy-Authorization" in r.headers for r in hub.requests)  # the proxy kept it
    assert password not in caplog.text
    assert caplog.records, "debug logging was on, so there is something to check"


def test_wrong_proxy_credentials_give_an_error_without_the_password(hub, repo, clean_env):
    with ForwardProxy(credentials=("bob", "right")) as proxy:
        url = f"http://bob:wrong-pass-123@127.0.0.1:{proxy.port}"
        with _client(hub, NetworkConfig("manual", url)) as client:
            with pytest.raises(HubHTTPError) as info:
                client.model_info(repo)
    assert info.value.status == 407
    assert "wrong-pass-123" not in str(info.value)


def test_unreachable_proxy_is_a_network_error_without_the_password(hub, repo, clean_env, caplog):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    caplog.set_level(logging.DEBUG)
    url = f"http://bob:hidden-pass-456@127.0.0.1:{dead_port}"
    with _client(hub, NetworkConfig("manual", url)) as client:
        with pytest.raises(NetworkError) as info:
            client.model_info(repo)
    assert "hidden-pass-456" not in str(info.value)
    assert "hidden-pass-456" not in caplog.text
    assert hub.requests == []
