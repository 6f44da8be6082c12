"""Partial downloads left in staging folders: who owns them, listing by age, cleaning with freed bytes."""

from __future__ import annotations

import os
import threading
import time

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import DownloadCancelledError
from hfgui.core.library.leftovers import find_leftovers, remove_leftovers
from hfgui.core.store import hfcache, partials
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

DAY = 86400


def _fake_partial(staging, repo_id, path, commit="c" * 40, etag="e" * 64, nbytes=1000, age_days=0.0):
    key = partials.partial_key(repo_id, path, etag)
    part = partials.part_path(staging, key)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"x" * nbytes)
    side = partials.sidecar_path(staging, key)
    partials.write_sidecar(side, partials.Sidecar("http://hub/x", repo_id, commit, path, etag, nbytes * 5))
    when = time.time() - age_days * DAY
    os.utime(part, (when, when))
    os.utime(side, (when, when))
    return part


@pytest.fixture
def client(hub):
    return HubClient(endpoint=hub.url, token=False)


def test_owned_and_orphaned_partials(hub, client, tmp_path):
    library = tmp_path / "lib"
    cache = tmp_path / "hub"
    handle = hub.add_repo("acme/done", files={"a.json": b"{}"})
    download_model(client, DownloadRequest("acme/done"), library)
    staging = library / ".hfgui-staging"
    # The model is installed at this commit: a partial of it has no taker.
    _fake_partial(staging, "acme/done", "a.json", commit=handle.sha, age_days=10)
    # A download that never finished: `hfgui download acme/started` would resume it.
    _fake_partial(staging, "acme/started", "big.bin", age_days=1)
    # No readable sidecar at all.
    (staging / ("f" * 40 + ".part")).write_bytes(b"y" * 300)
    # A cache-mode partial of a model that is not in the cache yet.
    target = hfcache.CacheTarget("acme/cached", "d" * 40, "main", cache)
    _fake_partial(target.staging_dir, "acme/cached", "w.bin", commit="d" * 40, age_days=3)

    items = find_leftovers(library, cache)
    by_repo = {(i.repo_id, i.where): i for i in items}
    assert by_repo[("acme/done", "library")].orphaned
    assert by_repo[("acme/started", "library")].owner == "download"
    assert by_repo[(None, "library")].orphaned and by_repo[(None, "library")].size == 300
    assert by_repo[("acme/cached", "hf-cache")].owner == "download"
    assert items[0].repo_id == "acme/done"  # oldest first
    assert 9.9 * DAY < items[0].age_seconds < 10.1 * DAY
    # The window can say what it has queued.
    assert {i.owner for i in find_leftovers(library, cache, queued={"acme/started"}) if i.repo_id} >= {
        "queued"
    }


def test_clean_older_than_reports_freed_bytes(tmp_path):
    library = tmp_path / "lib"
    staging = library / ".hfgui-staging"
    old = _fake_partial(staging, "acme/a", "old.bin", nbytes=4000, age_days=30)
    new = _fake_partial(staging, "acme/b", "new.bin", nbytes=2000, age_days=0)
    items = [i for i in find_leftovers(library, include_cache=False) if i.age_seconds > 7 * DAY]
    assert [i.repo_id for i in items] == ["acme/a"]
    expected = old.stat().st_size + partials.sidecar_path(staging, items[0].partial.key).stat().st_size
    assert items[0].size == expected
    assert remove_leftovers(items) == expected
    assert not old.exists() and new.exists()
    assert [i.repo_id for i in find_leftovers(library, include_cache=False)] == ["acme/b"]


def test_real_cancelled_download_is_listed_as_resumable(hub, client, tmp_path):
    big = generated_content(4 * 2**20, seed=1)
    hub.add_repo("acme/big", files={"model.safetensors": big})
    hub.faults.stall("model.safetensors", after_bytes=2**20, seconds=0.3)
    cancel = threading.Event()

    def on_progress(p):
        if p.bytes_done >= 2**20:
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        download_model(client, DownloadRequest("acme/big"), tmp_path, on_progress=on_progress, cancel=cancel)
    [item] = find_leftovers(tmp_path, include_cache=False)
    assert item.repo_id == "acme/big" and item.path == "model.safetensors"
    assert item.owner == "download" and item.total == big.size
    assert 2**20 <= item.partial.bytes_done < big.size
