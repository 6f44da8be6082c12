"""An API or tree answer cut off mid-body is retried like a dropped connection; a captive portal is blamed
only when an HTML page came back."""

from __future__ import annotations

import pytest

from hfgui.core.engine.planner import DownloadRequest, plan_download
from hfgui.core.errors import MalformedJsonError
from tests.core.helpers.transfer_support import make_client

TREE = "/api/models/acme/tiny/tree/*"


@pytest.fixture
def repo(hub):
    return hub.add_repo("acme/tiny", {"config.json": b"{}\n", "a.txt": b"a\n", "b.txt": b"b\n"})


def _tree_gets(hub):
    return [r for r in hub.requests if "/tree/" in r.path]


def test_a_tree_page_cut_short_is_retried_and_the_plan_completes(hub, repo, tmp_path):
    hub.faults.truncate_json(TREE, 25, times=2)
    sleeps: list[float] = []
    notices = []
    client = make_client(hub, sleeps=sleeps)
    client.on_retry = notices.append

    plan = plan_download(client, DownloadRequest("acme/tiny"), tmp_path)

    assert {f.path for f in plan.files} == {"config.json", "a.txt", "b.txt"}
    assert len(_tree_gets(hub)) == 3 and len(sleeps) == 2
    assert [(n.reason, n.attempt) for n in notices] == [("answer cut short", 2), ("answer cut short", 3)]


def test_model_info_cut_short_is_retried_too(hub, repo):
    hub.faults.truncate_json("/api/models/acme/tiny", 10)
    assert make_client(hub, sleeps=[]).model_info("acme/tiny").sha == repo.sha


def test_an_answer_that_stays_truncated_says_so_with_its_url(hub, repo, tmp_path):
    hub.faults.truncate_json(TREE, 25, times=None)
    client = make_client(hub, sleeps=[])

    with pytest.raises(MalformedJsonError) as info:
        plan_download(client, DownloadRequest("acme/tiny"), tmp_path)

    text = str(info.value)
    assert f"{hub.url}/api/models/acme/tiny/tree/" in text and "truncated or not valid JSON" in text
    assert "captive portal" not in text and "?" not in text.split(" was ")[0]  # no query in the URL
    assert len(_tree_gets(hub)) == client.retry.max_retries + 1  # bounded
