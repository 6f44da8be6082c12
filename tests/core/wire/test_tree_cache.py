"""The in-process listing cache: commit-pinned whole listings only, per endpoint and token, bounded."""

from __future__ import annotations

from hfgui.core.types import TreeEntry
from hfgui.core.wire import tree_cache

SHA = "a" * 40


def entries(n: int) -> tuple[TreeEntry, ...]:
    return tuple(TreeEntry(path=f"f{i}", type="file", size=1, oid="b" * 40) for i in range(n))


def test_only_whole_recursive_listings_at_a_commit_are_cached():
    assert tree_cache.cacheable(SHA, "", True)
    assert not tree_cache.cacheable("main", "", True)
    assert not tree_cache.cacheable(SHA, "sub", True)
    assert not tree_cache.cacheable(SHA, "", False)
    assert not tree_cache.cacheable(SHA[:12], "", True)


def test_keys_keep_tokens_and_endpoints_apart_without_holding_the_token():
    anonymous = tree_cache.key("http://hub", "o/r", SHA, None)
    alice = tree_cache.key("http://hub", "o/r", SHA, "hf_alice")
    assert anonymous != alice != tree_cache.key("http://mirror", "o/r", SHA, "hf_alice")
    assert "hf_alice" not in repr(alice)
    assert tree_cache.key("http://hub", "O/R", SHA, None) == anonymous  # repo ids ignore case


def test_least_recently_used_listings_go_first(monkeypatch):
    monkeypatch.setattr(tree_cache, "MAX_LISTINGS", 2)
    keys = [tree_cache.key("http://hub", f"o/r{i}", SHA, None) for i in range(3)]
    tree_cache.put(keys[0], entries(1))
    tree_cache.put(keys[1], entries(1))
    assert tree_cache.get(keys[0]) is not None  # now the most recent
    tree_cache.put(keys[2], entries(1))
    assert tree_cache.get(keys[1]) is None and tree_cache.get(keys[0]) and tree_cache.get(keys[2])


def test_a_huge_listing_is_not_kept(monkeypatch):
    monkeypatch.setattr(tree_cache, "MAX_ENTRIES", 10)
    key = tree_cache.key("http://hub", "o/huge", SHA, None)
    tree_cache.put(key, entries(11))
    assert tree_cache.get(key) is None
