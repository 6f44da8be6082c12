"""Proxy addresses and the no-proxy list: what is valid, how passwords are hidden and kept apart, which
URLs skip the proxy."""

from __future__ import annotations

import pytest

from hfgui.core.wire.proxy import (
    bypasses_proxy,
    join_proxy_password,
    no_proxy_problem,
    normalize_proxy_url,
    parse_no_proxy,
    proxy_url_problem,
    redact_proxy_url,
    redact_url,
    split_proxy_password,
)

# --- proxy address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://proxy.corp:3128",
        "https://proxy.corp",
        "socks5h://127.0.0.1:1080",
        "http://user:p%40ss@proxy.corp:8080/",
        "proxy.corp:3128",  # no scheme: read as http://
        "http://[::1]:3128",
    ],
)
def test_valid_proxy_urls(url):
    assert proxy_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("ftp://proxy.corp:21", "ftp"),
        ("http://", "no host"),
        ("http://proxy.corp:99999", "port"),
        ("http://proxy.corp:abc", "port"),
        ("http://proxy.corp:3128/path?x=1", "only scheme"),
        ("not a url", "is not an address"),
        ("http://pro xy.corp:3128", "is not an address"),
        ("http://proxy!.corp:3128", "is not an address"),
    ],
)
def test_malformed_proxy_urls_are_explained(url, words):
    assert words in proxy_url_problem(url)


def test_redaction_hides_user_and_password():
    text = "failed via http://bob:pa55@proxy:3128 and socks5://x:y@h:1 (see https://huggingface.co/a)"
    shown = redact_url(text)
    assert "pa55" not in shown and "bob" not in shown and "x:y" not in shown
    assert "http://***@proxy:3128" in shown and "https://huggingface.co/a" in shown


def test_a_proxy_address_shown_hides_everything_before_the_host():
    assert redact_proxy_url(" socks5://bob:pa:55@proxy:1080 ") == "socks5://***@proxy:1080"
    assert redact_proxy_url("bob:pw@proxy:3128") == "***@proxy:3128"
    assert redact_proxy_url("http://proxy:3128") == "http://proxy:3128"


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        (" proxy.corp:3128 ", "http://proxy.corp:3128"),
        ("socks4://me@proxy:1080", "socks4://me:@proxy:1080"),  # requests drops a user without a password
        ("socks5://me@proxy:1080", "socks5://me@proxy:1080"),
        ("http://a:b@proxy:3128", "http://a:b@proxy:3128"),
    ],
)
def test_normalize_proxy_url(written, normalized):
    assert normalize_proxy_url(written) == normalized
    assert normalize_proxy_url(normalized) == normalized


def test_the_password_is_split_off_and_joined_back_as_written():
    address, password = split_proxy_password("http://bob:p%40ss@proxy.corp:8080")
    assert (address, password) == ("http://bob@proxy.corp:8080", "p%40ss")
    assert join_proxy_password(address, password) == "http://bob:p%40ss@proxy.corp:8080"
    assert split_proxy_password("http://bob@proxy:1") == ("http://bob@proxy:1", "")
    assert join_proxy_password("http://proxy:1", "pw") == "http://proxy:1"  # no user to attach it to


# --- no-proxy list -------------------------------------------------------------------------------


def test_parse_no_proxy_accepts_commas_and_spaces():
    assert parse_no_proxy(" Example.com, .corp.lan 10.0.0.0/8,,localhost ") == (
        "example.com",
        ".corp.lan",
        "10.0.0.0/8",
        "localhost",
    )
    assert parse_no_proxy(["a.b", "a.b"]) == ("a.b",)
    assert parse_no_proxy(None) == ()


@pytest.mark.parametrize(
    "entry",
    [
        "*",
        "example.com",
        ".corp.lan",
        "*.corp.lan",
        "10.0.0.0/8",
        "::1",
        "[::1]:8080",
        "host:8080",
        "fd00::/8",
    ],
)
def test_valid_no_proxy_entries(entry):
    assert no_proxy_problem(entry) is None


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "bad host", "host:port", "host:70000", "a..b"])
def test_invalid_no_proxy_entries(entry):
    assert no_proxy_problem(entry) is not None


@pytest.mark.parametrize(
    ("url", "entries", "bypass"),
    [
        ("https://huggingface.co/x", ["huggingface.co"], True),
        ("https://cdn-lfs.huggingface.co/x", ["huggingface.co"], True),
        ("https://cdn-lfs.huggingface.co/x", [".huggingface.co"], True),
        ("https://cdn-lfs.huggingface.co/x", ["*.huggingface.co"], True),
        ("https://nothuggingface.co/x", ["huggingface.co"], False),
        ("https://HF.Mirror.LAN/x", ["mirror.lan"], True),
        ("http://10.1.2.3:8080/x", ["10.0.0.0/8"], True),
        ("http://11.1.2.3/x", ["10.0.0.0/8"], False),
        ("http://[fd00::5]/x", ["fd00::/8"], True),
        ("http://[fd00::5]/x", ["10.0.0.0/8"], False),
        ("http://127.0.0.1:5000/x", ["127.0.0.1"], True),
        ("http://localhost:5000/x", ["127.0.0.1"], False),  # no DNS: names and addresses differ
        ("http://mirror.lan:8080/x", ["mirror.lan:8080"], True),
        ("http://mirror.lan:9090/x", ["mirror.lan:8080"], False),
        ("https://mirror.lan/x", ["mirror.lan:443"], True),
        ("https://anything/x", ["*"], True),
        ("https://anything/x", [], False),
    ],
)
def test_bypasses_proxy(url, entries, bypass):
    assert bypasses_proxy(url, entries) is bypass
