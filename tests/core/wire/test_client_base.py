"""A client's variants share its session and settings, change only what they say, and never close the
session; Authorization goes to the endpoint's origin only."""

from __future__ import annotations

import threading

import requests

from hfgui.core.wire.auth import Token, TokenSource
from hfgui.core.wire.client_base import ClientBase

HUB = "https://hub.example"


class _Session(requests.Session):
    closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


def _client(session=None, **kwargs) -> ClientBase:
    return ClientBase(HUB, Token("hf_value", TokenSource.EXPLICIT), session=session, **kwargs)


def test_variants_share_the_session_and_leave_the_original_as_it_was():
    client = _client()
    event, notices, observer = threading.Event(), [], object()
    variants = [
        client.cancellable(event),
        client.observed(observer),
        client.listening(notices.append),
        client.anonymous(),
    ]
    assert all(type(v) is ClientBase and v.session is client.session for v in variants)
    cancellable, observed, listening, anonymous = variants
    assert cancellable._cancels == (event,) and observed._observer is observer
    assert listening.on_retry == notices.append and anonymous.token is None
    assert client.token is not None and client.on_retry is None and client._cancels == ()
    assert client.cancellable(event).cancellable(threading.Event())._cancels[0] is event
    client.close()


def test_only_the_client_that_made_the_session_closes_it():
    own = _client()
    closes: list[bool] = []
    own.session.close = lambda: closes.append(True)
    with own:
        own.anonymous().close()
        own.cancellable(threading.Event()).close()
        assert closes == []
    assert closes == [True]
    given = _Session()
    _client(session=given).close()
    assert given.closed == 0


def test_authorization_goes_to_the_endpoint_origin_only():
    client = _client(session=requests.Session())
    assert client.auth_headers_for(f"{HUB}/api/models/a/b") == {"Authorization": "Bearer hf_value"}
    assert client.auth_headers_for("https://cdn.example/x") == {}
    assert client.auth_headers_for("http://hub.example/x") == {}
    assert client.anonymous().auth_headers_for(f"{HUB}/x") == {}
    extra = {"authorization": "Bearer other", "Range": "bytes=0-"}
    headers = client._headers_for("https://cdn.example/x", extra)
    assert headers["Authorization"] is None and headers["Range"] == "bytes=0-"
    assert headers["User-Agent"].startswith("hfgui/")


def test_repr_names_the_class_and_never_the_token():
    text = repr(_client(session=requests.Session()))
    assert text.startswith("ClientBase(endpoint='https://hub.example'") and "hf_value" not in text
