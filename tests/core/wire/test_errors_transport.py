"""Transport failures become clear errors: captive portals, closed ports, silent servers, .netrc leaks."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hfgui.core.errors import NetworkError, UnexpectedResponseError
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy

SECRET = "hf_transportSECRET42"


class Sleeps(list):
    """A ``sleep`` that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class _Recorder(http.server.BaseHTTPRequestHandler):
    body = b"<html><body>Please sign in to the hotel Wi-Fi</body></html>"
    content_type = "text/html; charset=utf-8"
    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.seen.append({**dict(self.headers), "request-target": self.path})
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A captive-portal-like server: HTML with 200 for every URL."""
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_captive_portal_html_is_an_unexpected_response(portal: tuple[str, list[dict[str, str]]]) -> None:
    url, _ = portal
    client = HubClient(url, token=False)
    with pytest.raises(UnexpectedResponseError) as info:
        client.model_info("owner/model")
    text = str(info.value)
    assert "Expected JSON" in text and "text/html" in text and "captive portal" in text
    with pytest.raises(UnexpectedResponseError):
        client.list_tree("owner/model")
    with pytest.raises(UnexpectedResponseError):
        list(client.search_models("x"))


def test_closed_port_is_a_network_error_after_retries() -> None:
    sleeps = Sleeps()
    client = HubClient(
        f"http://127.0.0.1:{_closed_port()}", token=False, retry=RetryPolicy(max_retries=2), sleep=sleeps
    )
    with pytest.raises(NetworkError) as info:
        client.model_info("owner/model")
    assert not info.value.timed_out
    assert "could not be reached (connection refused)" in str(info.value)
    assert "HTTPS_PROXY" in str(info.value)
    assert len(sleeps) == 2


def test_silent_server_is_a_timeout() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # connections complete in the backlog but nobody ever answers
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        sleeps = Sleeps()
        client = HubClient(
            endpoint, token=SECRET, timeout=(5.0, 0.2), retry=RetryPolicy(max_retries=1), sleep=sleeps
        )
        with pytest.raises(NetworkError) as info:
            client.model_info("owner/model")
    assert info.value.timed_out
    assert "timed out (no answer within 0.2 s)" in str(info.value)
    assert SECRET not in str(info.value)
    assert len(sleeps) == 1


def test_dns_failure_is_a_network_error() -> None:
    client = HubClient("http://no-such-host.invalid", token=False, retry=RetryPolicy(max_retries=0))
    with pytest.raises(NetworkError) as info:
        client.model_info("owner/model")
    assert "no-such-host.invalid could not be reached" in str(info.value)
    assert not info.value.timed_out


def test_netrc_credentials_are_never_injected(
    portal: tuple[str, list[dict[str, str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = portal
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrcsecret\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    client = HubClient("http://hub.invalid", token=SECRET)  # the portal is not the endpoint
    response = client.request("GET", url + "/file")
    assert response.status_code == 200
    assert seen and all("Authorization" not in h for h in seen)


def test_proxy_from_environment_is_used(
    portal: tuple[str, list[dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, seen = portal  # the recording server stands in for an HTTP proxy
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("http_proxy", proxy)
    client = HubClient("http://hub.invalid", token=SECRET)
    client.request("GET", "http://hub.invalid/api/models?search=x")
    assert seen[-1]["request-target"] == "http://hub.invalid/api/models?search=x"
    assert seen[-1]["Authorization"] == f"Bearer {SECRET}"  # the endpoint still gets its token
    client.request("GET", "http://cdn.invalid/blob")
    assert seen[-1]["request-target"] == "http://cdn.invalid/blob"
    assert "Authorization" not in seen[-1]
    monkeypatch.setenv("NO_PROXY", "hub.invalid")
    monkeypatch.setenv("no_proxy", "hub.invalid")
    count = len(seen)
    with pytest.raises(NetworkError):  # now it goes direct, and hub.invalid does not resolve
        HubClient("http://hub.invalid", token=False, retry=RetryPolicy(max_retries=0)).model_info("o/m")
    assert len(seen) == count


def test_user_agent_format(portal: tuple[str, list[dict[str, str]]]) -> None:
    import platform

    import requests

    import hfgui

    url, seen = portal
    HubClient(url, token=False).request("GET", url + "/x")
    expected = (
        f"hfgui/{hfgui.__version__}; python/{platform.python_version()}; requests/{requests.__version__}"
    )
    assert seen[-1]["User-Agent"] == expected


def test_endpoint_trailing_slash_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert HubClient(endpoint="http://x/", token=False).endpoint == "http://x"
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.example:8080/")
    client = HubClient(token=False)
    assert client.endpoint == "http://mirror.example:8080"
    assert client.page_url("o/m") == "http://mirror.example:8080/o/m"
    monkeypatch.delenv("HF_ENDPOINT")
    assert HubClient(token=False).endpoint == "https://huggingface.co"


def test_authorization_only_for_the_endpoint_origin() -> None:
    client = HubClient("http://127.0.0.1:8000/", token=SECRET)
    assert client.auth_headers_for("http://127.0.0.1:8000/api/models/o/m") == {
        "Authorization": f"Bearer {SECRET}"
    }
    assert client.auth_headers_for("http://localhost:8000/x") == {}
    assert client.auth_headers_for("http://127.0.0.1:8001/x") == {}
    assert client.auth_headers_for("https://127.0.0.1:8000/x") == {}
    assert HubClient("http://127.0.0.1:8000", token=False).auth_headers_for("http://127.0.0.1:8000/x") == {}
    assert SECRET not in repr(client)
