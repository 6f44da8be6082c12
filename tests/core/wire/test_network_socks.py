"""SOCKS proxies end to end: Hub API calls and downloads (Hub and CDN) through a loopback SOCKS server."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

import pytest

from hfgui.cli.main import main
from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest, model_root
from hfgui.core.settings import Settings, save_settings
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.core.helpers.no_proxy_cases import NO_PROXY_CASES
from tests.core.helpers.socks5_server import SocksServer
from tests.hubemu import generated_content

TOKEN = "hf_socksTestToken0000000000000000000"
LFS_SIZE = 300_000
FILES = {
    "config.json": b'{"model_type": "demo"}\n',
    "model.safetensors": generated_content(LFS_SIZE, seed=11),  # LFS: a 302 to the CDN host
}
NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture
def socks_proxy():
    with SocksServer() as running:
        yield running


@pytest.fixture
def repo(hub):
    hub.add_repo("acme/tiny", FILES, private=True)
    hub.add_user("alice", TOKEN, can_access=("acme/tiny",))
    return "acme/tiny"


def _client(hub, network: NetworkConfig) -> HubClient:
    return HubClient(hub.url, token=TOKEN, network=network, retry=NO_RETRY)


def _download(client, repo, tmp_path):
    return download_model(client, DownloadRequest(repo), tmp_path / "library")


def _port(url: str) -> int:
    return urlsplit(url).port


def _targets(proxy: SocksServer) -> set[tuple[str, int]]:
    return {(c.host, c.port) for c in proxy.seen()}


@pytest.mark.parametrize(("scheme", "cdn_host"), [("socks5", "127.0.0.1"), ("socks5h", "localhost")])
def test_manual_socks5_carries_info_tree_and_both_downloads(
    hub, repo, socks_proxy, clean_env, tmp_path, scheme, cdn_host
):
    with _client(hub, NetworkConfig("manual", socks_proxy.url(scheme))) as client:
        assert client.model_info(repo).repo_id == repo
        assert {e.path for e in client.list_tree(repo)} == set(FILES)
        manifest = _download(client, repo, tmp_path)

    assert {f.path for f in manifest.files} == set(FILES)
    root = model_root(tmp_path / "library", repo)
    assert (root / "config.json").read_bytes() == FILES["config.json"]
    assert (root / "model.safetensors").stat().st_size == LFS_SIZE
    # socks5h hands the CDN's name to the proxy; socks5 resolves it here and sends the address.
    assert _targets(socks_proxy) == {("127.0.0.1", _port(hub.url)), (cdn_host, _port(hub.cdn_url))}
    assert all(c.relayed and c.version == 5 and not c.authenticated for c in socks_proxy.seen())
    assert socks_proxy.bytes_from(_port(hub.cdn_url)) >= LFS_SIZE  # the LFS body came through the proxy
    assert any(r.host == "cdn" for r in hub.requests)


def test_token_goes_to_the_hub_only_through_a_socks_proxy(hub, repo, socks_proxy, clean_env, tmp_path):
    with _client(hub, NetworkConfig("manual", socks_proxy.url("socks5h"))) as client:
        _download(client, repo, tmp_path)

    hub_calls = [r for r in hub.requests if r.host == "hub"]
    cdn_calls = [r for r in hub.requests if r.host == "cdn"]
    assert hub_calls and cdn_calls
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in hub_calls)
    assert not any(r.authorized for r in cdn_calls)


@pytest.mark.parametrize(("scheme", "cdn_host"), [("socks4", "127.0.0.1"), ("socks4a", "localhost")])
def test_manual_socks4_downloads(hub, repo, socks_proxy, clean_env, tmp_path, scheme, cdn_host):
    with _client(hub, NetworkConfig("manual", socks_proxy.url(scheme, user="alice"))) as client:
        manifest = _download(client, repo, tmp_path)

    assert {f.path for f in manifest.files} == set(FILES)
    assert _targets(socks_proxy) == {("127.0.0.1", _port(hub.url)), (cdn_host, _port(hub.cdn_url))}
    assert {(c.version, c.username) for c in socks_proxy.seen()} == {(4, "alice")}


@pytest.mark.parametrize("variable", ["ALL_PROXY", "HTTP_PROXY"])
def test_system_mode_uses_a_socks_proxy_from_the_environment(
    hub, repo, socks_proxy, clean_env, tmp_path, variable
):
    clean_env.setenv(variable, socks_proxy.url("socks5h"))
    with _client(hub, NetworkConfig("system")) as client:
        assert client.model_info(repo).sha
        _download(client, repo, tmp_path)

    assert _targets(socks_proxy) == {("127.0.0.1", _port(hub.url)), ("localhost", _port(hub.cdn_url))}
    assert socks_proxy.bytes_from(_port(hub.cdn_url)) >= LFS_SIZE


def test_system_mode_honours_no_proxy_with_a_socks_all_proxy(hub, repo, socks_proxy, clean_env, tmp_path):
    clean_env.setenv("all_proxy", socks_proxy.url("socks5h"))
    clean_env.setenv("NO_PROXY", "127.0.0.1")  # the Hub host; the CDN is "localhost"
    with _client(hub, NetworkConfig("system")) as client:
        _download(client, repo, tmp_path)

    assert _targets(socks_proxy) == {("localhost", _port(hub.cdn_url))}
    assert any(r.host == "hub" for r in hub.requests)


def test_none_mode_ignores_a_socks_all_proxy(hub, repo, socks_proxy, clean_env, tmp_path):
    clean_env.setenv("ALL_PROXY", socks_proxy.url("socks5h"))
    with _client(hub, NetworkConfig("none")) as client:
        manifest = _download(client, repo, tmp_path)

    assert {f.path for f in manifest.files} == set(FILES)
    assert socks_proxy.seen() == []


def test_manual_socks_proxy_beats_the_environment(hub, repo, clean_env):
    with SocksServer() as chosen, SocksServer() as from_env:
        clean_env.setenv("ALL_PROXY", from_env.url("socks5h"))
        with _client(hub, NetworkConfig("manual", chosen.url("socks5h"))) as client:
            client.model_info(repo)
        assert chosen.seen() and from_env.seen() == []


@pytest.mark.parametrize(("no_proxy", "proxied_hosts"), NO_PROXY_CASES)
def test_no_proxy_list_bypasses_the_socks_proxy(
    hub, repo, socks_proxy, clean_env, tmp_path, no_proxy, proxied_hosts
):
    with _client(hub, NetworkConfig("manual", socks_proxy.url("socks5h"), no_proxy)) as client:
        _download(client, repo, tmp_path)

    assert {c.host for c in socks_proxy.seen()} == proxied_hosts
    assert any(r.host == "cdn" for r in hub.requests)  # the download happened either way


def test_socks5_user_and_password_are_used_and_never_logged(hub, repo, clean_env, tmp_path, caplog):
    password = "s0cks-Pa55word"
    with SocksServer(credentials=("bob", password)) as proxy:
        caplog.set_level(logging.DEBUG)
        config = NetworkConfig("manual", proxy.url("socks5h", "bob", password))
        with _client(hub, config) as client:
            assert password not in repr(client.network)
            _download(client, repo, tmp_path)
        seen = proxy.seen()
        attempts = proxy.auth_attempts()

    assert seen and all(c.authenticated and c.username == "bob" and c.relayed for c in seen)
    assert attempts and all(a.accepted for a in attempts)
    assert password not in caplog.text
    assert caplog.records, "debug logging was on, so there is something to check"


def test_cli_uses_a_socks_proxy_saved_in_settings(hub_env, repo, socks_proxy, clean_env, capsys):
    save_settings(
        AppPaths.from_environment(), Settings(proxy_mode="manual", proxy_url=socks_proxy.url("socks5h"))
    )
    clean_env.setenv("HF_TOKEN", TOKEN)
    assert main(["files", repo, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)

    assert "model.safetensors" in json.dumps(listed)
    assert ("127.0.0.1", _port(hub_env.url)) in _targets(socks_proxy)
