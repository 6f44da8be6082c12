"""SOCKS proxy failures: one-line errors naming the proxy, not its password; only what may mend is retried."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import HfGuiError, NetworkError
from hfgui.core.settings import Settings, settings_from_dict
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig, proxy_url_problem, redact_proxy_url, redact_url
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.core.helpers.socks5_server import SocksServer

PASSWORD = "Wr0ng-s0cks-pass"


@pytest.fixture(autouse=True)
def _no_proxy_env(clean_env):
    """Every test here runs without the machine's proxy variables (tests/core/conftest.py)."""
    return clean_env


@pytest.fixture
def repo(hub):
    hub.add_repo("acme/tiny", {"config.json": b"{}\n", "model.safetensors": b"\0" * 2048})
    return "acme/tiny"


def _client(hub, network: NetworkConfig, *, retry=RetryPolicy(max_retries=0), sleeps=None, **kwargs):
    sleep = sleeps.append if sleeps is not None else (lambda _s: None)
    return HubClient(hub.url, token=False, network=network, retry=retry, sleep=sleep, **kwargs)


def _dead_port() -> int:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _assert_clean(text: str, *secrets: str) -> None:
    assert "\n" not in text
    for secret in secrets:
        assert secret not in text


def test_wrong_password_is_one_line_without_the_password_and_not_retried(hub, repo, caplog):
    caplog.set_level(logging.DEBUG)
    sleeps: list[float] = []
    with SocksServer(credentials=("bob", "right-pass")) as proxy:
        config = NetworkConfig("manual", proxy.url("socks5h", "bob", PASSWORD))
        with _client(hub, config, retry=RetryPolicy(max_retries=3), sleeps=sleeps) as client:
            with pytest.raises(HfGuiError) as info:
                client.model_info(repo)
        attempts = proxy.auth_attempts()

    text = str(info.value)
    _assert_clean(text, PASSWORD)
    assert "rejected the user name or password" in text and "Settings (Network)" in text
    assert f"socks5h://***@127.0.0.1:{proxy.port}" in text
    assert [a.accepted for a in attempts] == [False] and sleeps == []  # a wrong password is not retried
    assert PASSWORD not in caplog.text
    assert hub.requests == []


def test_wrong_password_during_a_download_stops_it_with_the_same_error(hub, repo, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with SocksServer(credentials=("bob", "right-pass")) as proxy:
        config = NetworkConfig("manual", proxy.url("socks5", "bob", PASSWORD))
        with _client(hub, config) as client:
            with pytest.raises(HfGuiError) as info:
                download_model(client, DownloadRequest(repo), tmp_path / "library")
    _assert_clean(str(info.value), PASSWORD)
    assert "rejected the user name or password" in str(info.value)
    assert PASSWORD not in caplog.text


def test_missing_credentials_say_the_proxy_wants_them(hub, repo):
    with SocksServer(credentials=("bob", "right-pass")) as proxy:
        with _client(hub, NetworkConfig("manual", proxy.url("socks5h"))) as client:
            with pytest.raises(HfGuiError) as info:
                client.model_info(repo)
    assert "asks for a user name and password" in str(info.value)
    assert "socks5://user:password@host:port" in str(info.value)


def test_wrong_password_from_all_proxy_points_at_the_variable(hub, repo, clean_env):
    with SocksServer(credentials=("bob", "right-pass")) as proxy:
        clean_env.setenv("ALL_PROXY", proxy.url("socks5h", "bob", PASSWORD))
        with _client(hub, NetworkConfig("system")) as client:
            with pytest.raises(HfGuiError) as info:
                client.model_info(repo)
    _assert_clean(str(info.value), PASSWORD)
    assert "ALL_PROXY" in str(info.value)


@pytest.mark.parametrize("scheme", ["socks5", "socks5h", "socks4a"])
def test_unreachable_socks_port_is_a_network_error_without_the_password(hub, repo, caplog, scheme):
    caplog.set_level(logging.DEBUG)
    port = _dead_port()
    user = "bob:" + PASSWORD if scheme.startswith("socks5") else "bob"
    config = NetworkConfig("manual", f"{scheme}://{user}@127.0.0.1:{port}")
    with _client(hub, config) as client:
        with pytest.raises(NetworkError) as info:
            client.model_info(repo)

    text = str(info.value)
    _assert_clean(text, PASSWORD)
    kind = "SOCKS4" if scheme.startswith("socks4") else "SOCKS5"
    assert f"cannot connect to the {kind} proxy {scheme}://***@127.0.0.1:{port}" in text
    assert "connection refused" in text and hub.url in text
    assert PASSWORD not in caplog.text
    assert hub.requests == []


def test_unreachable_socks_proxy_is_retried_like_a_dropped_connection(hub, repo):
    sleeps: list[float] = []
    config = NetworkConfig("manual", f"socks5h://127.0.0.1:{_dead_port()}")
    with _client(hub, config, retry=RetryPolicy(max_retries=2), sleeps=sleeps) as client:
        with pytest.raises(NetworkError, match="SOCKS5 proxy"):
            client.model_info(repo)
    assert len(sleeps) == 2


def test_proxy_refusing_the_target_is_a_network_error(hub, repo):
    hub_port = int(hub.url.rsplit(":", 1)[1])
    with SocksServer(blocked_ports=(hub_port,)) as proxy:
        with _client(hub, NetworkConfig("manual", proxy.url("socks5h"))) as client:
            with pytest.raises(NetworkError) as info:
                client.model_info(repo)
        seen = proxy.seen()
    assert "could not connect to 127.0.0.1: connection not allowed by ruleset" in str(info.value)
    assert [c.relayed for c in seen] == [False]
    assert hub.requests == []


@contextlib.contextmanager
def _http_only_server():
    """A port that answers anything with an HTTP error, as an HTTP proxy given a SOCKS greeting may."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with conn:
                    conn.recv(64)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_a_server_that_is_not_a_socks_proxy_is_explained(hub, repo):
    with _http_only_server() as port:
        with _client(hub, NetworkConfig("manual", f"socks5://127.0.0.1:{port}")) as client:
            with pytest.raises(HfGuiError) as info:
                client.model_info(repo)
    assert not isinstance(info.value, NetworkError)
    assert "did not answer as a SOCKS5 proxy" in str(info.value)
    assert "http://host:port" in str(info.value)


def test_a_silent_socks_proxy_times_out(hub, repo):
    with socket.socket() as silent:  # accepts connections (kernel backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        config = NetworkConfig("manual", f"socks5h://bob:{PASSWORD}@127.0.0.1:{silent.getsockname()[1]}")
        with _client(hub, config, timeout=(0.3, 5.0)) as client:
            with pytest.raises(NetworkError) as info:
                client.model_info(repo)
    assert info.value.timed_out
    assert "did not answer in time" in str(info.value)
    _assert_clean(str(info.value), PASSWORD)


# --- addresses and settings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "socks5://127.0.0.1:1080",
        "socks5h://bob:pw@proxy.corp:1080",
        "socks4://127.0.0.1:1080",
        "socks4a://ident@proxy.corp:1080",
        "SOCKS5H://proxy.corp",
    ],
)
def test_socks_addresses_are_accepted_and_kept_by_settings(url):
    assert proxy_url_problem(url) is None
    warnings: list[str] = []
    settings = settings_from_dict({"proxy_mode": "manual", "proxy_url": url}, warnings)
    assert settings.proxy_url == url and warnings == []
    assert settings.network().check().proxy_mode == "manual"


def test_a_socks4_password_is_refused_without_showing_it():
    problem = proxy_url_problem("socks4://bob:t0psecret@proxy.corp:1080")
    assert "SOCKS4" in problem and "socks5://" in problem and "t0psecret" not in problem
    warnings: list[str] = []
    settings = settings_from_dict({"proxy_url": "socks4://bob:t0psecret@h:1"}, warnings)
    assert settings.proxy_url is None and warnings and "t0psecret" not in warnings[0]


def test_a_password_with_raw_at_or_slash_is_hidden_whole():
    assert redact_url("via socks5://bob:p@ss@h:1080 now") == "via socks5://***@h:1080 now"
    assert redact_proxy_url("socks5h://bob:pa/ss@h:1080") == "socks5h://***@h:1080"
    problem = proxy_url_problem("socks5h://bob:pa/ss@h:1080")  # "/" cuts the address: unusable
    assert problem and "pa/ss" not in problem and "ss@" not in problem


def test_network_config_repr_hides_a_socks_password():
    config = Settings(proxy_mode="manual", proxy_url="socks5h://bob:hunter2@h:1080").network()
    assert "hunter2" not in repr(config) and "socks5h://***@h:1080" in repr(config)
