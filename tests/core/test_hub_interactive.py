"""Requests a person waits on (a search, a result's files, Add model's check) give up within seconds:
`HubClient.interactive()` retries once, briefly, where downloads keep retrying patiently."""

from __future__ import annotations

import socket

import pytest

from hfgui.core.errors import HubHTTPError, NetworkError, RateLimitedError
from hfgui.core.hub import HubClient
from hfgui.core.ratelimit import INTERACTIVE_RETRY, INTERACTIVE_TIMEOUT, RetryPolicy


def search_requests(hub) -> list:
    return [r for r in hub.requests if r.host == "hub" and r.path == "/api/models"]


def test_an_unavailable_hub_is_asked_twice_instead_of_six_times(hub):
    hub.add_repo("acme/m", files={"a.txt": b"x"})
    hub.faults.status("/api/models", 503, times=None, host="hub")
    waits: list[float] = []
    with HubClient(hub.url, token=False, sleep=waits.append) as client:
        with pytest.raises(HubHTTPError):
            list(client.interactive().search_models("m"))
        assert len(search_requests(hub)) == 2 and sum(waits) <= INTERACTIVE_RETRY.max_total_wait

        # The client it came from keeps the patient policy (downloads use it).
        hub.clear_requests()
        with pytest.raises(HubHTTPError):
            list(client.search_models("m"))
        assert len(search_requests(hub)) == RetryPolicy().max_retries + 1


def test_a_long_server_asked_wait_is_reported_not_slept(hub):
    hub.faults.status("/api/models", 429, times=None, retry_after=30, host="hub")
    waits: list[float] = []
    with HubClient(hub.url, token=False, sleep=waits.append) as client:
        with pytest.raises(RateLimitedError):
            list(client.interactive().search_models("m"))
    assert waits == [] and len(search_requests(hub)) == 1


def test_never_patienter_than_the_client_and_closing_stays_with_the_owner(hub):
    client = HubClient(hub.url, token=False, retry=RetryPolicy(max_retries=0), timeout=(2.0, 5.0))
    quick = client.interactive()
    assert quick.retry.max_retries == 0 and quick.timeout == (2.0, 5.0)
    assert HubClient(hub.url, token=False).interactive().timeout == INTERACTIVE_TIMEOUT
    quick.close()  # a clone does not close the shared session
    assert [m.repo_id for m in quick.search_models("nothing-matches")] == []
    client.close()


def test_a_refused_connection_is_a_network_error_after_one_retry():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once it is closed
    waits: list[float] = []
    with HubClient(url, token=False, sleep=waits.append) as client:
        with pytest.raises(NetworkError, match="could not be reached"):
            list(client.interactive().search_models("m"))
    assert len(waits) == 1
