"""TLS as companies have it: a Hub and CDN served over HTTPS with a private CA made in the test.

The CA is trusted through SSL_CERT_FILE, REQUESTS_CA_BUNDLE or the CA bundle in Settings, for the Hub and
the CDN alike; an untrusted, mismatched or expired certificate each reads as what it is; an HTTPS Hub that
sends the download to a plain-HTTP CDN is refused.
"""

from __future__ import annotations

import json

import pytest

from hfgui.cli.main import main
from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import DowngradeRefusedError
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig
from tests.hubemu import HubEmulator, generated_content
from tests.hubemu.tls import TestCA

CA_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
FILES = {"config.json": b'{"model_type": "demo"}\n', "model.safetensors": generated_content(400_000, seed=9)}


@pytest.fixture
def ca(tmp_path):
    return TestCA(tmp_path / "ca")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in (*CA_ENV, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HFGUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return monkeypatch


def _serve(ca: TestCA, *, hub_names=None, cdn_names=None, expired=False, cdn_tls=True) -> HubEmulator:
    hub_cert = ca.issue(hub_names or ("127.0.0.1",), expired=expired)
    cdn_cert = ca.issue(cdn_names or ("localhost", "::1"))
    hub = HubEmulator(tls=hub_cert.server_context(), cdn_tls=cdn_cert.server_context() if cdn_tls else None)
    hub.add_repo("acme/tls", FILES)
    return hub


@pytest.fixture
def served():
    hubs: list[HubEmulator] = []
    yield hubs
    for hub in hubs:
        hub.close()


def _download(env, hub, capsys) -> tuple[int, str, str]:
    env.setenv("HF_ENDPOINT", hub.url)
    code = main(["download", "acme/tls"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_a_private_ca_from_the_environment_is_trusted_for_hub_and_cdn(env, ca, served, capsys, variable):
    hub = _serve(ca)
    served.append(hub)
    env.setenv(variable, str(ca.ca_file))

    code, out, err = _download(env, hub, capsys)

    assert code == 0, err
    assert "Installed acme/tls" in out
    assert {r.host for r in hub.requests} == {"hub", "cdn"}  # the weights came from the HTTPS CDN
    assert hub.url.startswith("https://") and hub.cdn_url.startswith("https://")


def test_the_ca_bundle_in_settings_is_trusted_for_hub_and_cdn(env, ca, served, capsys, tmp_path):
    hub = _serve(ca)
    served.append(hub)
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"ca_bundle": str(ca.ca_file), "proxy_mode": "none"}))

    code, _, err = _download(env, hub, capsys)

    assert code == 0, err
    assert {r.host for r in hub.requests} == {"hub", "cdn"}


def test_the_windows_client_trusts_the_settings_bundle_for_the_cdn_too(ca, served, tmp_path, env):
    # The window builds its clients from Settings.network() the same way (gui/services.make_client).
    hub = _serve(ca)
    served.append(hub)
    network = NetworkConfig("system", ca_bundle=str(ca.ca_file))
    with HubClient(hub.url, token=False, network=network) as client:
        download_model(client, DownloadRequest("acme/tls"), tmp_path / "library")
    assert (tmp_path / "library" / "acme" / "tls" / "model.safetensors").stat().st_size == 400_000


def test_an_untrusted_certificate_says_so_and_what_to_do(env, ca, served, capsys):
    hub = _serve(ca)
    served.append(hub)

    code, _, err = _download(env, hub, capsys)

    assert code == 1
    line = err.strip().splitlines()[-1]
    assert line == (
        f"error: The certificate of 127.0.0.1:{hub.port} is not trusted (self-signed or an unknown CA;"
        " a company proxy?). Add its CA in Settings → Network, or set REQUESTS_CA_BUNDLE/SSL_CERT_FILE."
    )
    assert "TLS/SSL error" not in err and "could not be reached" not in err


def test_an_untrusted_cdn_is_named(env, ca, served, capsys, tmp_path):
    other = TestCA(tmp_path / "other-ca")
    hub = HubEmulator(
        tls=ca.issue(("127.0.0.1",)).server_context(),
        cdn_tls=other.issue(("localhost", "::1")).server_context(),
    )
    served.append(hub)
    hub.add_repo("acme/tls", FILES)
    env.setenv("SSL_CERT_FILE", str(ca.ca_file))

    code, _, err = _download(env, hub, capsys)

    assert code == 1
    assert f"The certificate of localhost:{hub.cdn_port} is not trusted" in err


def test_a_certificate_for_another_host_name_says_so(env, ca, served, capsys):
    hub = _serve(ca, hub_names=("hub.example.invalid",))
    served.append(hub)
    env.setenv("SSL_CERT_FILE", str(ca.ca_file))

    code, _, err = _download(env, hub, capsys)

    assert code == 1
    assert f"The certificate of 127.0.0.1:{hub.port} is for another host name" in err
    assert "not trusted" not in err and "expired" not in err


def test_an_expired_certificate_says_so(env, ca, served, capsys):
    hub = _serve(ca, expired=True)
    served.append(hub)
    env.setenv("SSL_CERT_FILE", str(ca.ca_file))

    code, _, err = _download(env, hub, capsys)

    assert code == 1
    assert f"The certificate of 127.0.0.1:{hub.port} has expired" in err
    assert "not trusted" not in err and "another host name" not in err


def test_an_https_hub_sending_the_download_to_plain_http_is_refused(env, ca, served, capsys, tmp_path):
    hub = _serve(ca, cdn_tls=False)
    served.append(hub)
    env.setenv("SSL_CERT_FILE", str(ca.ca_file))

    code, _, err = _download(env, hub, capsys)

    assert code == 1
    assert (
        f"127.0.0.1:{hub.port} redirected the download to plain HTTP (localhost:{hub.cdn_port}); refused"
        in err
    )
    assert not [r for r in hub.requests if r.host == "cdn"]  # not one request went out unencrypted
    with HubClient(hub.url, token=False, network=NetworkConfig(ca_bundle=str(ca.ca_file))) as client:
        with pytest.raises(DowngradeRefusedError):
            client.request("GET", hub.resolve_url("acme/tls", "model.safetensors"), allow_redirects=True)


def test_ssl_cert_file_is_honoured_with_proxy_mode_none_too(env, ca, served, capsys, tmp_path):
    hub = _serve(ca)
    served.append(hub)
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"proxy_mode": "none"}))
    env.setenv("SSL_CERT_FILE", str(ca.ca_file))

    code, _, err = _download(env, hub, capsys)

    assert code == 0, err
    assert {r.host for r in hub.requests} == {"hub", "cdn"}
