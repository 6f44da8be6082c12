"""Failures told in words: answers mapped to errors by the Hub's codes, transport failures described."""

from __future__ import annotations

import pytest
import requests

from hfgui.core.errors import (
    DisabledRepoError,
    DowngradeRefusedError,
    EntryNotFoundError,
    GatedRepoError,
    HubHTTPError,
    InvalidTokenError,
    RateLimitedError,
    RepoNotFoundError,
    RevisionNotFoundError,
)
from hfgui.core.wire.auth import Token, TokenSource
from hfgui.core.wire.failures import answer_error, describe, network_error, refuse_downgrade
from hfgui.core.wire.socks_failures import SocksProxyError, SocksProxyTimeout
from tests.core.wire.fake_answers import answer

HUB = "https://huggingface.co"
TOKEN = Token("hf_secretvalue", TokenSource.HF_TOKEN)


def _error(status, headers=None, body=None, *, repo="a/b", sent_token=True, url=f"{HUB}/api/models/a/b"):
    response = answer(status, url, headers, body)
    return answer_error(response, repo, "v1", "f.bin", endpoint=HUB, token=TOKEN, sent_token=sent_token)


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (404, {"X-Error-Code": "RevisionNotFound"}, None, RevisionNotFoundError),
        (404, {"X-Error-Code": "EntryNotFound"}, None, EntryNotFoundError),
        (403, {"X-Error-Code": "GatedRepo"}, None, GatedRepoError),
        (403, {}, {"error": "Access to this resource is disabled."}, DisabledRepoError),
        (404, {"X-Error-Code": "RepoNotFound"}, None, RepoNotFoundError),
        (401, {}, {"error": "Repository not found"}, RepoNotFoundError),
        (401, {}, {"error": "Invalid credentials in Authorization header"}, InvalidTokenError),
        (429, {"Retry-After": "7"}, None, RateLimitedError),
        (500, {"X-Request-Id": "rid-1"}, {"error": "boom"}, HubHTTPError),
    ],
)
def test_answers_map_to_the_error_a_person_understands(status, headers, body, kind):
    assert type(_error(status, headers, body)) is kind


def test_the_error_says_what_was_asked_for():
    gated = _error(403, {"X-Error-Code": "GatedRepo"}, sent_token=False)
    assert gated.page_url == f"{HUB}/a/b" and gated.authenticated is False
    missing = _error(404, {"X-Error-Code": "EntryNotFound"})
    assert "f.bin" in str(missing) and "v1" in str(missing)
    assert _error(429, {"Retry-After": "7"}).retry_after == 7


def test_a_401_without_the_token_sent_is_not_blamed_on_the_token():
    error = _error(401, {}, {"error": "Invalid credentials"}, repo=None, sent_token=False)
    assert type(error) is HubHTTPError


def test_other_answers_keep_the_server_message_without_the_token():
    error = _error(500, {"X-Request-Id": "rid-1"}, {"error": "bad hf_secretvalue"}, repo=None)
    assert error.status == 500 and error.request_id == "rid-1"
    assert "hf_secretvalue" not in str(error) and "bad" in error.server_message
    cdn = _error(403, repo=None, url="https://cdn-lfs.hf.co/repos/aa/bb")
    assert "download server cdn-lfs.hf.co" in str(cdn)


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (requests.exceptions.ConnectTimeout("x"), "connection timed out"),
        (requests.exceptions.ReadTimeout("x"), "no answer in time"),
        (requests.exceptions.ProxyError("x"), "the proxy refused or failed the connection"),
        (requests.exceptions.SSLError("x"), "TLS/SSL error"),
        (requests.ConnectionError("[Errno -2] Name or service not known"), "DNS lookup failed"),
        (requests.ConnectionError("[Errno 111] Connection refused"), "connection refused"),
        (requests.ConnectionError("Network is unreachable"), "network is unreachable"),
        (requests.ConnectionError("Connection reset by peer"), "connection closed by the server"),
        (requests.exceptions.ChunkedEncodingError("x"), "connection closed by the server"),
        (requests.exceptions.MissingSchema("x"), "invalid URL"),
        (requests.ConnectionError("x"), "connection failed"),
        (SocksProxyError("the SOCKS5 proxy p:1 said no"), "the SOCKS5 proxy p:1 said no"),
        (SocksProxyTimeout("the SOCKS5 proxy p:1 timed out"), "the SOCKS5 proxy p:1 timed out"),
    ],
)
def test_transport_failures_are_described_in_a_few_words(exc, words):
    assert describe(exc) == words


def test_network_error_names_the_origin_only_and_the_read_timeout():
    error = network_error(f"{HUB}/api/models/a/b?x=1", requests.exceptions.ReadTimeout("x"), (10.0, 60.0))
    assert error.endpoint == HUB and error.detail == "no answer within 60 s" and error.timed_out
    refused = network_error(HUB, requests.ConnectionError("Connection refused"), (10.0, 60.0))
    assert refused.detail == "connection refused" and not refused.timed_out


def test_a_redirect_from_https_to_plain_http_is_refused():
    refuse_downgrade("https://a.example/x", "https://b.example/y")
    refuse_downgrade("http://a.example/x", "http://b.example/y")
    with pytest.raises(DowngradeRefusedError):
        refuse_downgrade("https://a.example/x", "http://b.example/y")
