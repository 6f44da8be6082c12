"""HubClient against the emulator: info, paginated trees, metadata, whoami, search, retries, rate limits."""

from __future__ import annotations

import time

import pytest

from hfgui.core.errors import HubHTTPError, RateLimitedError
from hfgui.core.types import Account
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.ratelimit import RetryPolicy
from tests.hubemu import HubEmulator, content_from_bytes

TOKEN = "hf_clientTESTtoken123"
SHA1_LEN, SHA256_LEN = 40, 64


class Sleeps(list):
    """A ``sleep`` that records every wait; ``real=True`` also waits (for real server-side windows)."""

    def __init__(self, real: bool = False) -> None:
        super().__init__()
        self.real = real

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        if self.real:
            time.sleep(seconds)


def _client(hub: HubEmulator, token: str | bool = False, **kwargs: object) -> HubClient:
    return HubClient(hub.url + "/", token=token, **kwargs)  # type: ignore[arg-type]


def test_model_info_returns_commit_and_siblings(hub: HubEmulator) -> None:
    handle = hub.add_repo("owner/model", files={"config.json": b"{}", "weights/model.bin": b"\0" * 10})
    first = handle.sha
    second = handle.commit(files={"README.md": b"# hi"})
    info = _client(hub).model_info("owner/model")
    assert info.sha == second != first
    assert info.repo_id == "owner/model"
    assert set(info.siblings) == {"config.json", "weights/model.bin", "README.md"}
    assert (info.private, info.gated, info.disabled) == (False, False, False)
    assert _client(hub).model_info("owner/model", revision=first).sha == first
    # revision form of the URL is used when a revision is given
    paths = [r.path for r in hub.requests if r.host == "hub"]
    assert paths[-1] == f"/api/models/owner/model/revision/{first}"


def test_model_info_flags(hub: HubEmulator) -> None:
    hub.add_repo("owner/gated", files={"a.txt": b"a"}, gated="manual")
    hub.add_repo("owner/off", files={"a.txt": b"a"}, disabled=True)
    assert _client(hub).model_info("owner/gated").gated == "manual"
    assert _client(hub).model_info("owner/off").disabled is True


def test_tree_pagination_past_1000_entries(hub: HubEmulator) -> None:
    files = {f"d{i % 3}/f{i:04d}.txt": content_from_bytes(str(i).encode()) for i in range(2100)}
    hub.add_repo("owner/many", files=files)
    entries = _client(hub).list_tree("owner/many")
    file_paths = {e.path for e in entries if e.is_file}
    assert file_paths == set(files)
    assert {e.path for e in entries if not e.is_file} == {"d0", "d1", "d2"}
    tree_calls = [r for r in hub.requests if "/tree/" in r.path]
    assert len(tree_calls) == 3  # 2103 entries at 1000 per page
    assert all("cursor" in r.params for r in tree_calls[1:])
    assert tree_calls[0].params["recursive"] == ["true"]


def test_tree_entries_and_sub_path(hub: HubEmulator) -> None:
    hub.add_repo(
        "owner/pkg",
        files={
            "X.mlpackage/Manifest.json": b"{}",
            "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin": b"w" * 100,
            "top.txt": b"t",
        },
    )
    entries = {e.path: e for e in _client(hub).iter_tree("owner/pkg", path="X.mlpackage/Data")}
    assert set(entries) == {
        "X.mlpackage/Data/com.apple.CoreML",
        "X.mlpackage/Data/com.apple.CoreML/weights",
        "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
    }
    weight = entries["X.mlpackage/Data/com.apple.CoreML/weights/weight.bin"]
    assert weight.is_lfs and weight.size == weight.lfs_size == 100 and len(weight.etag) == SHA256_LEN
    assert "X.mlpackage%2FData" in [r for r in hub.requests if "/tree/" in r.path][-1].path
    flat = _client(hub).list_tree("owner/pkg", recursive=False)
    assert {e.path for e in flat} == {"X.mlpackage", "top.txt"}


def test_file_metadata_regular_file_follows_hub_redirects(hub: HubEmulator) -> None:
    handle = hub.add_repo("owner/model", files={"dir/config file.json": b'{"a": 1}'})
    tree = {e.path: e for e in _client(hub).list_tree("owner/model")}
    meta = _client(hub).file_metadata("owner/model", "dir/config file.json")
    assert meta.commit == handle.sha
    assert meta.etag == tree["dir/config file.json"].etag and len(meta.etag) == SHA1_LEN
    assert not meta.is_lfs
    assert meta.size == 8
    assert meta.location.startswith(hub.url)
    heads = [r for r in hub.requests if r.method == "HEAD"]
    assert heads[0].path == "/owner/model/resolve/main/dir/config%20file.json"
    assert heads[0].headers.get("Accept-Encoding") == "identity"
    assert len(heads) >= 2 and heads[-1].path.startswith("/api/resolve-cache/")
    assert "etag=" in heads[-1].query  # the redirect's query was kept


def test_file_metadata_lfs_file_stops_at_the_cdn_redirect(hub: HubEmulator) -> None:
    data = b"x" * 5000
    handle = hub.add_repo("owner/model", files={"model.safetensors": data})
    hub.add_user("alice", TOKEN, can_access=())
    meta = _client(hub, TOKEN).file_metadata("owner/model", "model.safetensors", revision="main")
    assert meta.commit == handle.sha
    assert meta.is_lfs and meta.size == len(data)
    assert meta.location.startswith(hub.cdn_url)
    assert not [r for r in hub.requests if r.host == "cdn"]  # HEAD does not follow to the CDN


def test_authorization_never_reaches_the_cdn(hub: HubEmulator) -> None:
    data = b"lfs-bytes" * 100
    hub.add_repo("alice/private", files={"model.bin": data, "config.json": b"{}"}, private=True)
    hub.add_user("alice", TOKEN)
    client = _client(hub, TOKEN)
    meta = client.file_metadata("alice/private", "model.bin")
    response = client.request("GET", meta.location, stream=False)
    assert response.content == data
    from hfgui.core.wire.urls import resolve_url

    followed = client.request(
        "GET", resolve_url(client.endpoint, "alice/private", "model.bin"), allow_redirects=True
    )
    assert followed.content == data
    cdn = [r for r in hub.requests if r.host == "cdn"]
    hub_requests = [r for r in hub.requests if r.host == "hub"]
    assert len(cdn) == 2 and not any(r.authorized for r in cdn)
    assert hub_requests and all(r.authorized for r in hub_requests)


def test_api_rename_redirect_is_followed(hub: HubEmulator) -> None:
    handle = hub.add_repo("owner/old-name", files={"a.txt": b"a"})
    hub.rename_repo("owner/old-name", "owner/new-name")
    info = _client(hub).model_info("owner/old-name")
    assert info.repo_id == "owner/new-name" and info.sha == handle.sha
    assert [r.status for r in hub.requests] == [307, 200]
    assert [e.path for e in _client(hub).list_tree("owner/old-name")] == ["a.txt"]


def test_whoami(hub: HubEmulator) -> None:
    hub.add_user("alice", TOKEN, role="fineGrained", orgs=("acme", "labs"))
    account = _client(hub, TOKEN).whoami()
    assert isinstance(account, Account)
    assert account.name == "alice"
    assert account.orgs == ("acme", "labs")
    assert account.token_role == "fineGrained"
    assert [r.path for r in hub.requests] == ["/api/whoami-v2"]


def test_search_pagination_filters_sort_and_limit(hub: HubEmulator) -> None:
    for i in range(7):
        hub.add_repo(f"acme/coreml-{i}", files={"a": b"a"}, tags=["coreml"], downloads=i * 10, likes=i)
    hub.add_repo("acme/gguf-1", files={"a": b"a"}, tags=["gguf"], downloads=1000)
    hub.add_repo("other/coreml-x", files={"a": b"a"}, tags=["coreml"], downloads=5)
    client = _client(hub)
    found = list(client.search_models(author="acme", filters=["coreml"], sort="downloads", page_size=3))
    assert [m.repo_id for m in found] == [f"acme/coreml-{i}" for i in range(6, -1, -1)]
    assert found[0].downloads == 60 and found[0].tags == ("coreml",)
    search_calls = [r for r in hub.requests if r.path == "/api/models"]
    assert len(search_calls) == 3  # 7 results, 3 per page
    first = search_calls[0].params
    assert first["author"] == ["acme"] and first["filter"] == ["coreml"]
    assert first["sort"] == ["downloads"] and first["limit"] == ["3"]
    hub.clear_requests()
    limited = list(client.search_models("coreml", limit=4, page_size=3, sort="likes"))
    assert len(limited) == 4
    assert len([r for r in hub.requests if r.path == "/api/models"]) == 2
    trending = list(client.search_models("gguf", sort="trending"))
    assert [m.repo_id for m in trending] == ["acme/gguf-1"]
    assert hub.requests[-1].params["sort"] == ["trendingScore"]


def test_rate_limit_window_is_waited_out(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.rate_limit(bucket="api", quota=1, window=1)
    sleeps = Sleeps(real=True)
    client = _client(hub, sleep=sleeps)
    assert client.model_info("owner/model").sha
    assert client.model_info("owner/model").sha  # second call in the window: 429, wait, retry
    assert sleeps and sum(sleeps) >= 1.0
    statuses = [r.status for r in hub.requests]
    assert 429 in statuses and statuses[-1] == 200


def test_rate_limit_beyond_budget_raises_at_once(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.rate_limit(bucket="api", quota=1, window=3600)
    sleeps = Sleeps()
    client = _client(hub, sleep=sleeps, retry=RetryPolicy(max_total_wait=60))
    client.model_info("owner/model")
    with pytest.raises(RateLimitedError) as info:
        client.model_info("owner/model")
    assert sleeps == []
    assert info.value.retry_after is not None and info.value.retry_after > 60
    assert "rate limiting" in str(info.value) and "HF_TOKEN" in str(info.value)


def test_server_errors_are_retried_then_succeed(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.faults.status("/api/models/owner/model*", 503, times=2, host="hub")
    sleeps = Sleeps()
    info = _client(hub, sleep=sleeps).model_info("owner/model")
    assert info.sha
    assert len(sleeps) == 2 and sleeps[1] >= sleeps[0] / 2
    assert [r.status for r in hub.requests] == [503, 503, 200]


def test_server_errors_forever_give_up_after_max_retries(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.faults.status("/api/models/owner/model*", 500, times=None, host="hub")
    sleeps = Sleeps()
    with pytest.raises(HubHTTPError) as info:
        _client(hub, sleep=sleeps, retry=RetryPolicy(max_retries=3)).model_info("owner/model")
    assert info.value.status == 500
    assert len(sleeps) == 3 and len(hub.requests) == 4
    assert info.value.request_id.startswith("Root=")
    assert "HTTP 500" in str(info.value) and "request id Root=" in str(info.value)


def test_retry_after_header_is_honoured(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.faults.status("/api/models/owner/model*", 503, times=1, retry_after=7, host="hub")
    sleeps = Sleeps()
    _client(hub, sleep=sleeps).model_info("owner/model")
    assert sleeps == [8.0]  # Retry-After + 1 s margin


def test_no_retry_when_disabled(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.faults.status("/api/models/owner/model*", 503, times=1, host="hub")
    client = _client(hub, sleep=Sleeps())
    with pytest.raises(HubHTTPError):
        client.request("GET", f"{hub.url}/api/models/owner/model", retry=False)


def test_long_retry_after_on_a_server_error_is_not_waited(hub: HubEmulator) -> None:
    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.faults.status("/api/models/owner/model*", 503, times=1, retry_after=3600, host="hub")
    sleeps = Sleeps()
    with pytest.raises(HubHTTPError) as info:
        _client(hub, sleep=sleeps).model_info("owner/model")
    assert info.value.status == 503 and sleeps == []


@pytest.mark.parametrize("which", ["first", "second"])
def test_a_retry_wait_ends_at_any_cancel_event_of_a_cancellable_clone(hub: HubEmulator, which) -> None:
    """A window's closing event and a download's Pause both end a 20 s Retry-After wait at once."""
    import threading

    from hfgui.core.errors import DownloadCancelledError

    hub.add_repo("owner/model", files={"a.txt": b"a"})
    hub.faults.status("/api/models/owner/model*", 503, times=None, retry_after=20, host="hub")
    closing, pause = threading.Event(), threading.Event()
    client = HubClient(hub.url).cancellable(closing).cancellable(pause)
    timer = threading.Timer(0.3, (closing if which == "first" else pause).set)
    timer.start()
    with pytest.raises(DownloadCancelledError):
        client.model_info("owner/model")
    timer.join()
    assert len([r for r in hub.requests if r.path.startswith("/api/models/owner/model")]) == 1
