"""Network settings and the session applying them: proxy checks, CA bundles, TLS always verified.

The proxy address and no-proxy rules themselves are tested in test_proxy.py."""

from __future__ import annotations

import dataclasses
import json
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring.errors
import pytest
import requests

import hfgui
from hfgui.core.errors import HfGuiError, NetworkError
from hfgui.core.settings import Settings, load_settings, save_settings
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire import proxy as proxy_module
from hfgui.core.wire.auth import KeyringTokenStore
from hfgui.core.wire.http import NetworkSession, new_session
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.memory_keyring import MemoryKeyring

TLS_DIR = Path(__file__).parents[1] / "helpers" / "tls"
CERT = TLS_DIR / "loopback-cert.pem"  # self-signed for 127.0.0.1 and localhost, valid until 2126
KEY = TLS_DIR / "loopback-key.pem"
CA_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


@pytest.fixture
def no_ca_env(monkeypatch):
    for name in CA_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- proxy settings ------------------------------------------------------------------------------


def test_malformed_proxy_url_error_is_one_line_and_hides_the_password():
    with pytest.raises(HfGuiError) as info:
        NetworkConfig("manual", "ftp://bob:topsecret@proxy.corp:21").check()
    text = str(info.value)
    assert "\n" not in text and "topsecret" not in text
    assert "ftp" in text and "Settings" in text


def test_manual_mode_needs_a_proxy_address():
    with pytest.raises(HfGuiError, match="needs a proxy address"):
        NetworkConfig("manual").check()


def test_unknown_mode_is_refused():
    with pytest.raises(HfGuiError, match="proxy mode 'auto'"):
        NetworkSession(NetworkConfig("auto"))


def test_check_normalises_a_scheme_less_proxy():
    assert NetworkConfig("manual", "proxy.corp:3128").check().proxy_url == "http://proxy.corp:3128"


def test_config_repr_and_settings_repr_hide_the_proxy_password():
    config = NetworkConfig("manual", "http://bob:pa55@proxy:3128")
    assert "pa55" not in repr(config) and "pa55" not in str(config)
    assert "pa55" not in repr(Settings(proxy_mode="manual", proxy_url="http://bob:pa55@proxy:3128"))


def test_socks_proxy_without_pysocks_says_what_to_install(monkeypatch):
    monkeypatch.setattr(proxy_module, "socks_available", lambda: False)
    with pytest.raises(HfGuiError) as info:
        new_session(NetworkConfig("manual", "socks5h://bob:pw@127.0.0.1:1080"))
    assert "PySocks" in str(info.value) and "pw" not in str(info.value)


def test_socks_proxy_from_the_environment_without_pysocks_is_explained(monkeypatch):
    monkeypatch.setattr(proxy_module, "socks_available", lambda: False)
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1")
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    client = HubClient("http://127.0.0.1:1", token=False, retry=RetryPolicy(max_retries=0))
    with pytest.raises(HfGuiError, match="PySocks"):
        client.model_info("a/b")


# --- no-proxy settings ---------------------------------------------------------------------------


def test_invalid_no_proxy_entry_stops_the_session_with_one_line():
    with pytest.raises(HfGuiError) as info:
        NetworkSession(NetworkConfig("manual", "http://p:1", ("10.0.0.0/33",)))
    assert "10.0.0.0/33" in str(info.value) and "\n" not in str(info.value)


def test_manual_proxies_for_each_url():
    config = NetworkConfig("manual", "http://proxy:3128", ("mirror.lan",))
    assert config.proxies_for("https://huggingface.co/a") == {
        "http": "http://proxy:3128",
        "https": "http://proxy:3128",
    }
    assert config.proxies_for("https://mirror.lan/a") == {}
    assert NetworkConfig("none").proxies_for("https://huggingface.co/a") == {}


# --- CA bundle and TLS verification --------------------------------------------------------------


def test_ca_bundle_path_becomes_session_verify(no_ca_env):
    session = new_session(NetworkConfig(ca_bundle=str(CERT)))
    assert session.verify == str(CERT)
    merged = session.merge_environment_settings("https://huggingface.co/a", {}, None, None, None)
    assert merged["verify"] == str(CERT)


def test_ca_bundle_from_settings_beats_requests_ca_bundle(no_ca_env, tmp_path):
    other = tmp_path / "other.pem"
    other.write_text(CERT.read_text())
    no_ca_env.setenv("REQUESTS_CA_BUNDLE", str(other))
    chosen = new_session(NetworkConfig(ca_bundle=str(CERT)))
    assert chosen.merge_environment_settings("https://h/a", {}, None, None, None)["verify"] == str(CERT)
    default = new_session(NetworkConfig())
    assert default.merge_environment_settings("https://h/a", {}, None, None, None)["verify"] == str(other)


def test_ca_variables_are_honoured_in_every_proxy_mode(no_ca_env):
    # Issue 12: they say whom to trust, not how to reach the network (proxy none/manual used to drop them).
    no_ca_env.setenv("SSL_CERT_FILE", str(CERT))
    for mode, proxy in (("system", None), ("none", None), ("manual", "http://proxy.corp:3128")):
        session = new_session(NetworkConfig(mode, proxy_url=proxy))
        assert session.merge_environment_settings("https://h/a", {}, None, None, None)["verify"] == str(CERT)
    no_ca_env.delenv("SSL_CERT_FILE")
    direct = new_session(NetworkConfig("none"))
    assert direct.merge_environment_settings("https://h/a", {}, None, None, None)["verify"] is True


def test_missing_ca_bundle_is_a_one_line_error(tmp_path):
    missing = tmp_path / "corp-ca.pem"
    with pytest.raises(HfGuiError) as info:
        HubClient("https://huggingface.co", token=False, network=NetworkConfig(ca_bundle=str(missing)))
    text = str(info.value)
    assert str(missing) in text and "does not exist" in text and "\n" not in text


def test_a_ca_bundle_that_is_not_pem_is_refused(tmp_path):
    der = tmp_path / "ca.der"
    der.write_bytes(b"\x30\x82\x03\x00 not a pem file")
    with pytest.raises(HfGuiError, match="no PEM certificate"):
        NetworkConfig(ca_bundle=str(der)).check()


def test_verify_false_is_refused_before_any_connection():
    session = new_session()
    with pytest.raises(HfGuiError, match="cannot be turned off"):
        session.get("http://127.0.0.1:1/never", verify=False)
    session.verify = False
    with pytest.raises(HfGuiError, match="cannot be turned off"):
        session.get("http://127.0.0.1:1/never")


def test_no_source_file_turns_tls_verification_off():
    pattern = re.compile(r"verify\s*=\s*False|\.verify\s*=\s*False|CERT_NONE|check_hostname\s*=\s*False")
    root = Path(hfgui.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


class _TlsHub:
    """An https server on loopback with the test certificate, answering one model_info call."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = json.dumps({"id": "acme/tls", "sha": "a" * 40}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERT, KEY)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_hub():
    server = _TlsHub()
    yield server
    server.close()


def _tls_client(url: str, config: NetworkConfig) -> HubClient:
    return HubClient(url, token=False, network=config, retry=RetryPolicy(max_retries=0))


def test_unknown_certificate_is_rejected_by_default(tls_hub, no_ca_env):
    # Issue 12: said as what it is (not "could not be reached (TLS/SSL error)"), still a NetworkError.
    with pytest.raises(NetworkError, match="is not trusted"):
        _tls_client(tls_hub.url, NetworkConfig()).model_info("acme/tls")


def test_ca_bundle_setting_trusts_a_private_ca(tls_hub, no_ca_env):
    for mode in ("system", "none"):
        info = _tls_client(tls_hub.url, NetworkConfig(mode, ca_bundle=str(CERT))).model_info("acme/tls")
        assert info.sha == "a" * 40


def test_requests_ca_bundle_env_is_honoured_in_system_mode(tls_hub, no_ca_env):
    no_ca_env.setenv("REQUESTS_CA_BUNDLE", str(CERT))
    assert _tls_client(tls_hub.url, NetworkConfig("system")).model_info("acme/tls").repo_id == "acme/tls"


def test_ssl_cert_file_env_is_honoured_in_system_mode(tls_hub, no_ca_env):
    no_ca_env.setenv("SSL_CERT_FILE", str(CERT))
    assert _tls_client(tls_hub.url, NetworkConfig("system")).model_info("acme/tls").repo_id == "acme/tls"


# --- settings ------------------------------------------------------------------------------------


def test_network_settings_round_trip_keeps_the_proxy_password_out_of_the_file(tmp_path):
    paths = AppPaths.from_environment({"HFGUI_HOME": str(tmp_path)})
    passwords = KeyringTokenStore(MemoryKeyring(), username="proxy-password")
    saved = Settings(
        proxy_mode="manual",
        proxy_url="http://bob:p%40ss@proxy:3128",
        no_proxy="mirror.lan, 10.0.0.0/8",
        ca_bundle=str(CERT),
    )
    assert save_settings(paths, saved, passwords) is None
    on_disk = paths.settings_file.read_text()
    assert "p%40ss" not in on_disk and "http://bob@proxy:3128" in on_disk
    assert passwords.get() == "p%40ss"

    loaded = load_settings(paths)
    assert loaded.proxy_url == "http://bob@proxy:3128" and loaded.proxy_password_saved
    assert loaded.network(passwords) == NetworkConfig(
        "manual", "http://bob:p%40ss@proxy:3128", ("mirror.lan", "10.0.0.0/8"), str(CERT)
    )
    assert loaded.network().proxy_url == "http://bob@proxy:3128"  # no store given: the keyring is not read

    # Saved again unchanged (the password field left empty), the password stays in the keyring.
    save_settings(paths, loaded, passwords)
    assert load_settings(paths).proxy_password_saved and passwords.get() == "p%40ss"
    # A proxy without a user drops it.
    save_settings(paths, dataclasses.replace(loaded, proxy_url="http://proxy:3128"), passwords)
    assert not load_settings(paths).proxy_password_saved and passwords.get() is None


def test_without_a_keyring_the_proxy_password_is_kept_for_the_session_only(tmp_path):
    class NoKeyring(MemoryKeyring):
        def get_password(self, service, username):
            raise keyring.errors.NoKeyringError("no backend")

        set_password = get_password

    paths = AppPaths.from_environment({"HFGUI_HOME": str(tmp_path)})
    passwords = KeyringTokenStore(NoKeyring(), username="proxy-password")
    warning = save_settings(
        paths, Settings(proxy_mode="manual", proxy_url="http://bob:secret@proxy:3128"), passwords
    )

    assert warning is not None and "session only" in warning
    assert "secret" not in paths.settings_file.read_text()
    assert not load_settings(paths).proxy_password_saved
    assert passwords.get() == "secret"  # still usable in this process


def test_bad_network_settings_fall_back_with_a_warning_that_hides_the_password(tmp_path):
    paths = AppPaths.from_environment({"HFGUI_HOME": str(tmp_path)})
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(
        json.dumps(
            {
                "proxy_mode": "manual",
                "proxy_url": "ftp://bob:hunter2@proxy:21",
                "no_proxy": "10.0.0.0/99",
                "ca_bundle": str(tmp_path / "later.pem"),  # missing now: kept, reported when used
            }
        )
    )
    warnings: list[str] = []
    loaded = load_settings(paths, warnings)
    assert loaded.proxy_url is None and loaded.no_proxy == ""
    assert loaded.ca_bundle == str(tmp_path / "later.pem")
    assert len(warnings) == 2 and not any("hunter2" in w for w in warnings)
    with pytest.raises(HfGuiError, match="needs a proxy address"):
        loaded.network().check()


def test_default_session_keeps_requests_defaults(no_ca_env):
    session = new_session()
    assert isinstance(session, requests.Session)
    assert session.trust_env is True and session.verify is True and session.proxies == {}


def test_system_proxies_are_looked_up_once_per_origin(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "cdn.example")
    lookups: list[str] = []
    real = requests.sessions.get_environ_proxies

    def counting(url, no_proxy=None):
        lookups.append(url)
        return real(url, no_proxy=no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counting)
    session = new_session(NetworkConfig())
    for path in ("a", "b", "c"):
        merged = session.merge_environment_settings(f"http://hub.example/{path}", {}, None, None, None)
        assert merged["proxies"]["http"] == "http://proxy.example:3128"
    assert session.merge_environment_settings("http://cdn.example/x", {}, True, None, None)["stream"]
    assert len(lookups) == 2  # one per origin, not one per request
