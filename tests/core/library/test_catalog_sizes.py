"""Entry sizes come from the tree listing and are cached per repo commit."""

from __future__ import annotations

import json

import pytest

from hfgui.core.library.catalog import entry_from_dict
from hfgui.core.library.sizes import EntrySize, SizeCache, entry_size
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.hub import HubClient

REPO = "corenet-community/coreml-OpenELM-270M-Instruct"
PKG = "OpenELM-270M-Instruct-128-float32.mlpackage"


@pytest.fixture
def setup(hub_env, tmp_path):
    repo = hub_env.add_repo(
        REPO,
        {
            f"{PKG}/Manifest.json": b"{}" * 100,
            f"{PKG}/Data/com.apple.CoreML/model.mlmodel": b"m" * 3000,
            f"{PKG}/Data/com.apple.CoreML/weights/weight.bin": b"w" * 5000,
            "README.md": b"readme",
        },
    )
    entry = entry_from_dict(
        {
            "id": "openelm",
            "name": "OpenELM",
            "repo": REPO,
            "folder": PKG,
            "framework": "coreml",
            "format": "mlpackage",
        },
        where="test",
    )
    paths = AppPaths.from_environment({"HFGUI_HOME": str(tmp_path / "home")})
    return hub_env, repo, entry, SizeCache(paths), HubClient(hub_env.url, token=False)


def _tree_calls(hub) -> int:
    return len([r for r in hub.requests if "/tree/" in r.path])


def test_size_comes_from_the_tree_and_is_cached(setup) -> None:
    hub, repo, entry, cache, client = setup
    size = entry_size(client, entry, cache)
    assert size == EntrySize(200 + 3000 + 5000, 3, repo.sha)
    hub.clear_requests()
    assert entry_size(client, entry, cache) == size
    assert _tree_calls(hub) == 0  # served from the cache; only model_info was asked for the commit
    on_disk = json.loads(cache.file.read_text(encoding="utf-8"))
    assert on_disk["repos"][f"{REPO}@main"]["commit"] == repo.sha


def test_new_commit_invalidates_the_cached_size(setup) -> None:
    hub, repo, entry, cache, client = setup
    first = entry_size(client, entry, cache)
    new_sha = repo.commit(files={f"{PKG}/Data/com.apple.CoreML/weights/weight.bin": b"w" * 7000})
    assert cache.get(entry, new_sha) is None
    hub.clear_requests()
    second = entry_size(client, entry, cache)
    assert _tree_calls(hub) >= 1
    assert second == EntrySize(200 + 3000 + 7000, 3, new_sha)
    assert second.total_bytes != first.total_bytes
    assert cache.get(entry, first.commit) is None  # the old commit's sizes were dropped


def test_changed_selection_is_a_cache_miss(setup) -> None:
    _, repo, entry, cache, client = setup
    entry_size(client, entry, cache)
    narrower = entry_from_dict({**entry.to_dict(), "folder": f"{PKG}/Data"}, where="test")
    assert cache.get(narrower, repo.sha) is None
    assert entry_size(client, narrower, cache).file_count == 2


def test_corrupt_cache_file_is_ignored(setup) -> None:
    _, repo, entry, cache, client = setup
    cache.file.parent.mkdir(parents=True, exist_ok=True)
    cache.file.write_text("{broken", encoding="utf-8")
    assert cache.get(entry, repo.sha) is None
    assert entry_size(client, entry, cache).file_count == 3
    assert cache.get(entry, repo.sha) is not None


def test_the_last_known_size_outlives_the_hub(setup) -> None:
    hub, _repo, entry, cache, client = setup
    assert cache.last_known(entry) is None
    size = entry_size(client, entry, cache)
    hub.close()  # offline from here on: the size is still known
    assert cache.last_known(entry) == size
    new_sha = "f" * 40
    assert cache.get(entry, new_sha) is None and cache.last_known(entry) == size


def test_ping_says_whether_the_hub_answers_at_all(setup) -> None:
    from hfgui.core.errors import NetworkError

    hub, _repo, _entry, _cache, client = setup
    client.ping()  # the emulator answers its root with 404: an answer all the same
    hub.close()
    with pytest.raises(NetworkError):
        client.ping()
