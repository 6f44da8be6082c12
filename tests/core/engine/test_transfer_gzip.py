"""Compressed answers: asking for identity avoids the CDN gzip trap, and gzip forced by a proxy is decoded."""

from __future__ import annotations

import dataclasses

import pytest

from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.urls import resolve_url
from tests.core.helpers.gzip_proxy import GzipForcingProxy
from tests.core.helpers.transfer_support import (
    FAST_RETRY,
    ProgressLog,
    body_gets,
    fetch,
    make_task,
    pause_after,
)
from tests.hubemu import content_from_bytes

MiB = 1024 * 1024
PATH = "tokenizer.json"
TEXT = b'{"vocab": {' + b", ".join(b'"tok%d": %d' % (i, i) for i in range(200_000)) + b"}}\n"


@pytest.fixture
def repo(hub):
    hub.faults.gzip_text = True  # CloudFront-style: gzip and ignore Range for clients that accept gzip
    return hub.add_repo("acme/texty", {PATH: content_from_bytes(TEXT)})


def test_identity_keeps_ranges_working(hub, repo, tmp_path):
    task = make_task(hub, "acme/texty", PATH, tmp_path / "dest")
    hub.faults.drop_after(PATH, MiB)

    fetch(hub, task, tmp_path / "staging")

    assert task.dest.read_bytes() == TEXT
    gets = body_gets(hub, PATH)
    assert [(r.status, r.headers.get("Range")) for r in gets] == [(200, None), (206, f"bytes={MiB}-")]
    assert all(r.headers.get("Accept-Encoding") == "identity" for r in gets)


def test_gzip_forced_by_a_proxy_is_decoded_never_stored(hub, repo, tmp_path):
    task = make_task(hub, "acme/texty", PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    first = pause_after(hub, task, staging, MiB)
    kept = first.total

    proxy = GzipForcingProxy(hub.url)
    try:
        via_proxy = dataclasses.replace(
            task, url=resolve_url(proxy.url, task.repo_id, task.path, task.commit)
        )
        hub.clear_requests()
        second = ProgressLog()
        fetch(
            hub,
            via_proxy,
            staging,
            client=HubClient(proxy.url, token=False, retry=FAST_RETRY),
            on_bytes=second,
        )
    finally:
        proxy.close()

    assert task.dest.read_bytes() == TEXT
    [served] = body_gets(hub, PATH)
    assert served.headers["Range"] == f"bytes={kept}-"  # the resume was asked for ...
    assert served.headers["Accept-Encoding"] == "gzip"
    assert served.status == 200  # ... but the whole file came back compressed
    assert served.bytes_sent < len(TEXT)
    assert second.calls[:2] == [kept, -kept] and second.total == len(TEXT)
