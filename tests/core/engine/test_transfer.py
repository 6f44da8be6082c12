"""download_file against the emulator over loopback: redirects, resume, verification, faults, cancel."""

from __future__ import annotations

import hashlib
import threading

import pytest

from hfgui.core.errors import ChecksumError, DownloadCancelledError
from hfgui.core.store import partials
from hfgui.core.store.hashing import normalize_etag
from tests.core.helpers.transfer_support import (
    ProgressLog,
    body_gets,
    bytes_served,
    fetch,
    make_client,
    make_task,
    pause_after,
)
from tests.hubemu import content_from_bytes, generated_content

MiB = 1024 * 1024
LFS_PATH = "model.safetensors"
TEXT_PATH = "config.json"


@pytest.fixture
def repo(hub):
    text = b'{"hidden_size": 768, "layers": [' + b"1, " * 700_000 + b"0]}\n"  # ~2 MiB, regular file
    return hub.add_repo(
        "acme/tiny",
        {TEXT_PATH: content_from_bytes(text), LFS_PATH: generated_content(5 * MiB + 123, seed=7)},
    )


def expected_bytes(hub, path: str) -> bytes:
    return hub.repo("acme/tiny").head.files[path].content.read()


def assert_installed(hub, task, staging) -> None:
    data = task.dest.read_bytes()
    assert data == expected_bytes(hub, task.path)
    assert partials.list_partials(staging) == []


@pytest.mark.parametrize("path", [TEXT_PATH, LFS_PATH])
def test_downloads_regular_and_lfs_files(hub, repo, tmp_path, path):
    task = make_task(hub, "acme/tiny", path, tmp_path / "models" / "acme--tiny")
    staging = tmp_path / "models" / ".hfgui-staging"
    progress = ProgressLog()

    result = fetch(hub, task, staging, on_bytes=progress)

    assert result == task.dest
    assert_installed(hub, task, staging)
    assert progress.total == task.size and all(n > 0 for n in progress.calls)
    assert progress.threads == {threading.get_ident()}
    gets = [r for r in hub.requests_for(path) if r.method == "GET"]
    assert [r.headers.get("Accept-Encoding") for r in gets] == ["identity"] * len(gets)
    assert all("Range" not in r.headers for r in gets)
    if path == LFS_PATH:
        assert [(r.host, r.status) for r in gets] == [("hub", 302), ("cdn", 200)]
    else:
        assert [(r.host, r.status) for r in gets] == [("hub", 307), ("hub", 200)]


def test_token_goes_to_the_hub_but_never_to_the_cdn(hub, tmp_path):
    hub.add_user("alice", "hf_alicesecret", can_access=["alice/private"])
    hub.add_repo("alice/private", {LFS_PATH: generated_content(2 * MiB, seed=3)}, private=True)
    task = make_task(hub, "alice/private", LFS_PATH, tmp_path / "dest")
    hub.faults.drop_after(LFS_PATH, 700_000)  # the resume hop must stay token-free too

    fetch(hub, task, tmp_path / "staging", client=make_client(hub, token="hf_alicesecret"))

    records = hub.requests_for(LFS_PATH)
    assert {r.host for r in records} == {"hub", "cdn"}
    assert all(r.authorized for r in records if r.host == "hub")
    assert not any(r.authorized for r in records if r.host == "cdn")
    assert not any("hf_alicesecret" in (r.query + str(dict(r.headers))) for r in records if r.host == "cdn")


@pytest.mark.parametrize("path", [TEXT_PATH, LFS_PATH])
def test_dropped_connection_resumes_with_range(hub, repo, tmp_path, path):
    task = make_task(hub, "acme/tiny", path, tmp_path / "dest")
    cut = 1_234_567
    hub.faults.drop_after(path, cut)
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert_installed(hub, task, tmp_path / "staging")
    gets = body_gets(hub, path)
    assert len(gets) == 2
    assert gets[0].bytes_sent == cut and "Range" not in gets[0].headers
    assert gets[1].headers["Range"] == f"bytes={cut}-" and gets[1].status == 206
    assert bytes_served(hub, path) == task.size
    assert progress.total == task.size and min(progress.calls) > 0


def test_cdn_location_is_reused_across_resumes(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    hub.faults.drop_after(LFS_PATH, MiB, times=3)

    fetch(hub, task, tmp_path / "staging")

    assert_installed(hub, task, tmp_path / "staging")
    records = hub.requests_for(LFS_PATH)
    assert [r.host for r in records] == ["hub", "cdn", "cdn", "cdn", "cdn"]
    assert bytes_served(hub, LFS_PATH) == task.size


def test_expired_cdn_url_is_resolved_again(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    hub.faults.drop_after(LFS_PATH, 2 * MiB)
    expired = []

    def expire_once(n: int) -> None:
        if not expired:  # the signed URL in hand goes stale before the resume
            hub.faults.expire_cdn_urls()
            expired.append(n)

    fetch(hub, task, tmp_path / "staging", on_bytes=expire_once)

    assert_installed(hub, task, tmp_path / "staging")
    trail = [(r.host, r.status, r.headers.get("Range")) for r in hub.requests_for(LFS_PATH)]
    assert trail == [
        ("hub", 302, None),
        ("cdn", 200, None),
        ("cdn", 403, f"bytes={2 * MiB}-"),
        ("hub", 302, f"bytes={2 * MiB}-"),
        ("cdn", 206, f"bytes={2 * MiB}-"),
    ]


def test_short_cdn_ttl_is_resolved_again(hub, repo, tmp_path):
    hub.cdn_url_ttl = -1  # every signed URL is born expired: the client re-resolves once, then gives up
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    with pytest.raises(Exception) as caught:
        fetch(hub, task, tmp_path / "staging")
    assert "403" in str(caught.value)
    statuses = [(r.host, r.status) for r in hub.requests_for(LFS_PATH)]
    assert statuses == [("hub", 302), ("cdn", 403), ("hub", 302), ("cdn", 403)]
    assert not task.dest.exists()


def test_corrupt_body_is_retried_once_from_zero(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    hub.faults.corrupt(LFS_PATH, 4 * MiB + 5)
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert_installed(hub, task, tmp_path / "staging")
    gets = body_gets(hub, LFS_PATH)
    assert len(gets) == 2 and all("Range" not in r.headers for r in gets)
    assert -task.size in progress.calls and progress.total == task.size


@pytest.mark.parametrize("path", [TEXT_PATH, LFS_PATH])
def test_corrupt_twice_raises_and_installs_nothing(hub, repo, tmp_path, path):
    task = make_task(hub, "acme/tiny", path, tmp_path / "dest")
    hub.faults.corrupt(path, 10, times=2)
    progress = ProgressLog()

    with pytest.raises(ChecksumError) as caught:
        fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert caught.value.expected == normalize_etag(task.etag)
    assert not task.dest.exists()
    assert list((tmp_path / "staging").iterdir()) == []
    assert len(body_gets(hub, path)) == 2
    assert progress.total == 0


def test_full_body_instead_of_206_restarts_from_zero(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    hub.faults.drop_after(LFS_PATH, 3 * MiB)
    hub.faults.ignore_range(LFS_PATH)
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert_installed(hub, task, tmp_path / "staging")
    gets = body_gets(hub, LFS_PATH)
    assert [(r.status, r.headers.get("Range")) for r in gets] == [(200, None), (200, f"bytes={3 * MiB}-")]
    assert -3 * MiB in progress.calls and progress.total == task.size


@pytest.mark.parametrize("code", [429, 503])
def test_rate_limit_and_unavailable_are_retried(hub, repo, tmp_path, code):
    hub.faults.status(LFS_PATH, code, times=2, retry_after=7, host="cdn")
    hub.faults.status(TEXT_PATH, code, times=2, retry_after=7, host="hub")
    sleeps: list[float] = []
    client = make_client(hub, sleeps=sleeps)
    for path in (LFS_PATH, TEXT_PATH):
        task = make_task(hub, "acme/tiny", path, tmp_path / "dest")
        fetch(hub, task, tmp_path / "staging", client=client)
        assert_installed(hub, task, tmp_path / "staging")
        assert [r.status for r in hub.requests_for(path) if r.status >= 400] == [code, code]
    assert sleeps == [8.0] * 4  # Retry-After honoured (+1 s because the server rounds down)


def test_stalled_connection_reconnects(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    hub.faults.stall(LFS_PATH, after_bytes=MiB, seconds=30)

    fetch(hub, task, tmp_path / "staging", stall_timeout=0.3)

    assert_installed(hub, task, tmp_path / "staging")
    gets = body_gets(hub, LFS_PATH)
    assert len(gets) == 2 and gets[1].headers["Range"] == f"bytes={MiB}-"


def test_slow_link_reports_bytes_as_they_arrive(hub, tmp_path):
    # 256 KiB in 16 KiB pieces with a pause after each: progress must move with the pieces, not wait
    # for a full read chunk (1 MiB) that this file never fills.
    hub.add_repo("acme/slow", {LFS_PATH: generated_content(256 * 1024, seed=5)})
    task = make_task(hub, "acme/slow", LFS_PATH, tmp_path / "dest")
    hub.faults.slow(LFS_PATH, piece=16 * 1024, seconds=0.02, host="cdn")
    progress = ProgressLog()

    fetch(hub, task, tmp_path / "staging", on_bytes=progress)

    assert task.dest.read_bytes() == hub.repo("acme/slow").head.files[LFS_PATH].content.read()
    assert progress.total == task.size
    assert len(progress.calls) >= 8  # one per piece when the reader keeps up; never one for the whole file
    assert [f.hits for f in hub.faults.pending] == [] and len(body_gets(hub, LFS_PATH)) == 1


def test_cancel_keeps_partial_and_next_run_resumes(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    first = pause_after(hub, task, staging, 2 * MiB)

    [left] = partials.list_partials(staging)
    stopped = first.total  # chunks are whatever each socket read gave: at least 2 MiB by now
    assert 2 * MiB <= stopped < task.size
    assert left.bytes_done == stopped
    assert left.sidecar is not None and left.sidecar.path == LFS_PATH and left.sidecar.etag == task.etag
    assert not task.dest.exists()

    hub.clear_requests()
    second = ProgressLog()
    fetch(hub, task, staging, on_bytes=second)

    assert_installed(hub, task, staging)
    [resumed] = body_gets(hub, LFS_PATH)
    assert resumed.headers["Range"] == f"bytes={stopped}-"
    assert resumed.bytes_sent == task.size - stopped
    assert second.calls[0] == stopped  # the resumed bytes are reported once, up front
    assert second.total == task.size


def test_unreadable_sidecar_discards_the_partial(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    staging.mkdir()
    partials.part_path(staging, task.partial_key).write_bytes(b"x" * 1000)
    partials.sidecar_path(staging, task.partial_key).write_text("{not json")

    fetch(hub, task, staging)

    assert_installed(hub, task, staging)
    assert all("Range" not in r.headers for r in body_gets(hub, LFS_PATH))


def test_oversized_partial_is_discarded(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    staging.mkdir()
    partials.write_sidecar(
        partials.sidecar_path(staging, task.partial_key),
        partials.Sidecar(task.url, task.repo_id, task.commit, task.path, task.etag, task.size),
    )
    partials.part_path(staging, task.partial_key).write_bytes(b"x" * (task.size + 1))

    fetch(hub, task, staging)

    assert_installed(hub, task, staging)


def test_resumed_partial_with_wrong_bytes_is_caught_and_redone(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    staging.mkdir()
    partials.write_sidecar(
        partials.sidecar_path(staging, task.partial_key),
        partials.Sidecar(task.url, task.repo_id, task.commit, task.path, task.etag, task.size),
    )
    partials.part_path(staging, task.partial_key).write_bytes(b"\0" * MiB)  # right size, wrong bytes

    fetch(hub, task, staging)

    assert_installed(hub, task, staging)
    assert [r.headers.get("Range") for r in body_gets(hub, LFS_PATH)] == [f"bytes={MiB}-", None]


def test_empty_file_needs_no_request(hub, tmp_path):
    hub.add_repo("acme/empty", {"empty.txt": b""})
    task = make_task(hub, "acme/empty", "empty.txt", tmp_path / "dest")
    hub.clear_requests()

    fetch(hub, task, tmp_path / "staging")

    assert task.dest.read_bytes() == b""
    assert hub.requests == []


def test_replaces_an_existing_destination_file(hub, repo, tmp_path):
    task = make_task(hub, "acme/tiny", TEXT_PATH, tmp_path / "dest")
    task.dest.parent.mkdir(parents=True)
    task.dest.write_bytes(b"old")
    fetch(hub, task, tmp_path / "staging")
    assert hashlib.sha1(b"blob %d\0" % task.size + task.dest.read_bytes()).hexdigest() == task.etag


def test_cancel_interrupts_a_stalled_read(hub, repo, tmp_path):
    # Stall and stall timeout far exceed the suite's timeout: only an interrupted read can end this.
    task = make_task(hub, "acme/tiny", LFS_PATH, tmp_path / "dest")
    staging = tmp_path / "staging"
    hub.faults.stall(LFS_PATH, after_bytes=2 * MiB, seconds=3600)
    cancel = threading.Event()

    def cancel_once_stalled() -> None:
        while not any(p.bytes_done >= 2 * MiB for p in partials.list_partials(staging)):
            if cancel.wait(0.02):
                return
        cancel.set()

    helper = threading.Thread(target=cancel_once_stalled, daemon=True)
    helper.start()
    try:
        with pytest.raises(DownloadCancelledError):
            fetch(hub, task, staging, cancel=cancel, stall_timeout=3600)
    finally:
        cancel.set()
        helper.join()
    [left] = partials.list_partials(staging)
    assert left.bytes_done == 2 * MiB
    assert len(body_gets(hub, LFS_PATH)) == 1  # no reconnect after the cancel
