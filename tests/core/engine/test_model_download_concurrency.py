"""Files in flight on the wire: more of them from a far-away Hub, on kept-alive connections, fewer on 429.

The emulator's network profile adds a round trip per request (and per new connection); what is asserted
is what the emulator saw (requests in flight, connections, requests per file), never how long it took.
"""

from __future__ import annotations

import pytest

from hfgui.core.engine.concurrency import MAX_FILES_IN_FLIGHT, START_FILES_IN_FLIGHT
from hfgui.core.engine.model_download import ModelDownloader, download_model
from hfgui.core.engine.planner import DownloadRequest, plan_download
from hfgui.core.wire.hub import HubClient

FILES = 120


@pytest.fixture
def client(hub):
    with HubClient(hub.url, token=False) as c:
        yield c


@pytest.fixture
def tiny_repo(hub):
    files = {f"tok/part-{i // 50}/t-{i:04d}.json": f'{{"id": {i}}}\n'.encode() for i in range(FILES)}
    hub.add_repo("acme/tiny-files", files=files)
    return files


def file_requests(hub):
    return [r for r in hub.requests if r.host == "hub" and "/resolve" in r.path]


def test_a_far_away_hub_gets_more_files_in_flight_on_kept_alive_connections(hub, client, tiny_repo, tmp_path):
    hub.network.rtt = 0.15  # so long that only more files in flight make it faster

    plan = plan_download(client, DownloadRequest("acme/tiny-files"), tmp_path)
    downloader = ModelDownloader(client, plan)
    downloader.run()

    root = tmp_path / "acme" / "tiny-files"
    assert all((root / path).read_bytes() == data for path, data in tiny_repo.items())
    requests = file_requests(hub)
    assert len(requests) == 2 * FILES  # resolve + resolve-cache: no HEAD, nothing fetched twice
    in_flight = max(r.in_flight for r in requests)
    assert START_FILES_IN_FLIGHT < in_flight <= MAX_FILES_IN_FLIGHT
    assert [c.reason for c in downloader.concurrency.history][:2] == ["start", "grow"]
    # Kept alive: about one connection per file in flight, not one per request.
    assert len({r.connection for r in requests}) <= MAX_FILES_IN_FLIGHT + 2
    listings = [r for r in hub.requests if "/tree/" in r.path]
    assert len(listings) == 1


def test_a_fixed_worker_count_is_kept(hub, client, tiny_repo, tmp_path):
    hub.network.rtt = 0.01

    download_model(client, DownloadRequest("acme/tiny-files", workers=3), tmp_path)

    assert 1 < max(r.in_flight for r in file_requests(hub)) <= 3


def test_a_listing_seen_before_is_not_fetched_again(hub, tiny_repo, tmp_path):
    sha = hub.repo("acme/tiny-files").sha
    with HubClient(hub.url, token=False) as probe:  # the window's size probe: its own client
        assert len([e for e in probe.iter_tree("acme/tiny-files", sha) if e.is_file]) == FILES
    hub.clear_requests()

    with HubClient(hub.url, token=False) as client:
        download_model(client, DownloadRequest("acme/tiny-files"), tmp_path)

    assert not [r for r in hub.requests if "/tree/" in r.path]
    assert len(file_requests(hub)) == 2 * FILES
    with HubClient(hub.url, token="hf_someone") as other:  # another token lists for itself
        hub.add_user("someone", "hf_someone")
        hub.clear_requests()
        other.list_tree("acme/tiny-files", sha)
        assert [r for r in hub.requests if "/tree/" in r.path]


def test_a_429_halves_the_files_in_flight_instead_of_hammering(hub, client, tiny_repo, tmp_path):
    hub.network.rtt = 0.05  # requests overlap, so the number in flight is visible
    # The Hub refuses one file once, well into the run; its RateLimit headers still show plenty left.
    hub.faults.status("tok/part-0/t-0020.json", 429, retry_after=1, host="hub")

    download_model(client, DownloadRequest("acme/tiny-files", workers=8), tmp_path)

    requests = file_requests(hub)
    [refused] = [i for i, r in enumerate(requests) if r.status == 429]
    before, after = requests[:refused], requests[refused + 16 :]  # 16: the round already on its way
    assert max(r.in_flight for r in before) > 4
    assert len(after) > 100  # most of the files were still to come
    assert max(r.in_flight for r in after) <= 4
    assert len([r for r in requests if r.status == 200]) == FILES  # and every file arrived


def test_a_nearly_spent_quota_slows_down_before_the_hub_says_429(hub, client, tiny_repo, tmp_path):
    hub.network.rtt = 0.02
    hub.rate_limit("resolvers", quota=100, window=1)  # 240 file requests need three windows

    downloader = ModelDownloader(client, plan_download(client, DownloadRequest("acme/tiny-files"), tmp_path))
    downloader.run()

    refused = [r for r in file_requests(hub) if r.status == 429]
    # As the quota runs out only one request is in flight, so each window ends in one 429 at most,
    # not a 429 for every file in flight.
    assert len(refused) <= 3
    assert "quota" in [c.reason for c in downloader.concurrency.history]
    root = tmp_path / "acme" / "tiny-files"
    assert all((root / path).read_bytes() == data for path, data in tiny_repo.items())
