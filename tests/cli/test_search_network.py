"""The CLI applies saved network settings (proxy, CA bundle) and the endpoint precedence to its Hub client."""

from __future__ import annotations

import json

import keyring
import pytest

from hfgui.cli.main import main
from hfgui.core.settings import Settings, save_settings
from hfgui.core.store.paths import AppPaths
from tests.core.helpers.forward_proxy import ForwardProxy
from tests.hubemu import HubEmulator
from tests.memory_keyring import MemoryKeyring


@pytest.fixture
def hub(hub_env, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    hub_env.add_repo("acme/alpha-GGUF", {"a.Q4_K_M.gguf": b"GGUF"}, tags=["gguf"])
    return hub_env


def _save(settings: Settings) -> None:
    save_settings(AppPaths.from_environment(), settings)


def _ids(capsys, *argv: str) -> list[str]:
    assert main(["search", *argv, "--json"]) == 0
    return [r["id"] for r in json.loads(capsys.readouterr().out)]


def test_manual_proxy_from_settings_carries_search_and_tree_calls(hub, capsys):
    with ForwardProxy() as proxy:
        _save(Settings(proxy_mode="manual", proxy_url=proxy.url))
        assert _ids(capsys, "alpha", "--files") == ["acme/alpha-GGUF"]
        urls = [r.url for r in proxy.seen()]
    assert any("/api/models?" in u for u in urls) and any("/tree/" in u for u in urls)


def test_proxy_password_saved_in_the_keyring_reaches_the_proxy(hub, capsys, monkeypatch):
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    with ForwardProxy(credentials=("bob", "s3cret:pw")) as proxy:
        address = f"http://bob:s3cret%3Apw@127.0.0.1:{proxy.port}"
        _save(Settings(proxy_mode="manual", proxy_url=address))
        assert "s3cret" not in AppPaths.from_environment().settings_file.read_text()
        assert backend.passwords[("hfgui", "proxy-password")] == "s3cret%3Apw"
        assert _ids(capsys, "alpha") == ["acme/alpha-GGUF"]
        seen = proxy.seen()
    assert seen and all(r.status != 407 for r in seen)


def test_no_proxy_setting_bypasses_the_proxy(hub, capsys):
    with ForwardProxy() as proxy:
        _save(Settings(proxy_mode="manual", proxy_url=proxy.url, no_proxy="127.0.0.0/8"))
        assert _ids(capsys, "alpha") == ["acme/alpha-GGUF"]
        assert proxy.seen() == []


def test_missing_ca_bundle_in_settings_is_a_one_line_error(hub, capsys, tmp_path):
    missing = tmp_path / "nowhere" / "corp.pem"
    _save(Settings(ca_bundle=str(missing)))
    assert main(["search", "alpha"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: The CA bundle") and str(missing) in err and "\n" not in err
    assert hub.requests == []


def test_malformed_proxy_in_settings_is_reported(hub, capsys):
    settings_file = AppPaths.from_environment().settings_file
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(json.dumps({"proxy_mode": "manual", "proxy_url": "gopher://u:pw1@h:70"}))
    assert main(["search", "alpha"]) == 1
    err = capsys.readouterr().err
    assert "needs a proxy address" in err and "pw1" not in err


def test_endpoint_precedence_flag_then_settings_then_env(hub, capsys):
    with HubEmulator() as saved, HubEmulator() as flagged:
        saved.add_repo("saved/alpha-GGUF", {"m.gguf": b"GGUF"}, tags=["gguf"])
        flagged.add_repo("flag/alpha-GGUF", {"m.gguf": b"GGUF"}, tags=["gguf"])
        assert _ids(capsys, "alpha") == ["acme/alpha-GGUF"]  # HF_ENDPOINT (hub_env)
        _save(Settings(endpoint=saved.url))
        assert _ids(capsys, "alpha") == ["saved/alpha-GGUF"]  # settings beat the environment
        assert _ids(capsys, "alpha", "--endpoint", flagged.url) == ["flag/alpha-GGUF"]
