"""The Hub's answers read into hfgui's types, and the answers refused because a download cannot use them."""

from __future__ import annotations

import pytest

from hfgui.core.errors import HubHTTPError
from hfgui.core.wire import answers
from tests.core.wire.fake_answers import answer


def test_model_info_reads_the_commit_siblings_and_flags():
    data = {
        "id": "Org/Model",
        "sha": "a" * 40,
        "gated": "manual",
        "siblings": [{"rfilename": "config.json"}, {"size": 1}, "junk"],
        "tags": ["gguf"],
        "downloads": None,
    }
    info = answers.model_info(data, answer(), "org/model")
    assert (info.repo_id, info.sha, info.gated) == ("Org/Model", "a" * 40, "manual")
    assert info.siblings == ("config.json",) and info.tags == ("gguf",) and info.downloads == 0
    assert answers.model_info({"sha": "b" * 40, "gated": True}, answer(), "org/model").repo_id == "org/model"


@pytest.mark.parametrize("data", [{}, {"sha": ""}, {"sha": 5}, ["not", "a", "dict"]])
def test_model_info_without_a_commit_is_refused(data):
    with pytest.raises(HubHTTPError, match="without a commit sha"):
        answers.model_info(data, answer(), "org/model")


def test_tree_entry_reads_lfs_and_xet_hashes():
    item = {
        "type": "file",
        "path": "w.safetensors",
        "size": 7,
        "oid": "git",
        "lfs": {"oid": "s" * 64, "size": 7},
        "xetHash": "x",
    }
    entry = answers.tree_entry(item, "https://h/api/models/a/b/tree/main")
    assert (entry.path, entry.size, entry.lfs_sha256, entry.lfs_size, entry.xet_hash) == (
        "w.safetensors",
        7,
        "s" * 64,
        7,
        "x",
    )
    folder = answers.tree_entry({"type": "directory", "path": "sub"}, "https://h/x")
    assert (folder.type, folder.size, folder.oid, folder.lfs_sha256) == ("directory", 0, "", None)


@pytest.mark.parametrize("item", [{"type": "file"}, {"type": "link", "path": "a"}, "a", None])
def test_malformed_tree_entry_is_refused(item):
    with pytest.raises(HubHTTPError, match="malformed entry"):
        answers.tree_entry(item, "https://h/x")


def test_file_metadata_prefers_the_linked_headers():
    headers = {
        "X-Repo-Commit": "c" * 40,
        "ETag": '"git-oid"',
        "X-Linked-Etag": 'W/"sha256"',
        "X-Linked-Size": "123",
        "Content-Length": "9",
    }
    meta = answers.file_metadata(answer(302, headers=headers), "https://cdn/x", redirected=True)
    assert (meta.commit, meta.etag, meta.size, meta.location) == ("c" * 40, "sha256", 123, "https://cdn/x")


def test_file_metadata_size_after_a_redirect_is_never_the_redirects_own_body():
    headers = {"X-Repo-Commit": "c" * 40, "ETag": '"e"', "Content-Length": "9"}
    assert answers.file_metadata(answer(302, headers=headers), "https://cdn/x", redirected=True).size is None
    assert answers.file_metadata(answer(200, headers=headers), "https://h/x", redirected=False).size == 9


@pytest.mark.parametrize(
    ("headers", "missing"), [({"ETag": '"e"'}, "X-Repo-Commit"), ({"X-Repo-Commit": "c"}, "ETag")]
)
def test_file_metadata_without_commit_or_etag_is_refused(headers, missing):
    with pytest.raises(HubHTTPError, match=f"no {missing} header"):
        answers.file_metadata(answer(headers=headers), "https://h/x", redirected=False)


def test_account_reads_orgs_and_the_tokens_role():
    data = {
        "name": "alice",
        "orgs": [{"name": "acme"}, {}, "junk"],
        "auth": {"accessToken": {"role": "read", "displayName": "laptop"}},
    }
    account = answers.account(data, answer())
    assert (account.name, account.type, account.orgs) == ("alice", "user", ("acme",))
    assert (account.token_role, account.token_name) == ("read", "laptop")
    with pytest.raises(HubHTTPError, match="no account name"):
        answers.account({"type": "user"}, answer())


def test_model_summary_keeps_a_numeric_trending_score_only():
    hit = answers.model_summary({"id": "a/b", "trendingScore": 3, "gated": "auto", "likes": 2})
    assert (hit.repo_id, hit.trending_score, hit.gated, hit.likes) == ("a/b", 3.0, "auto", 2)
    assert answers.model_summary({"id": "a/b", "trendingScore": "hot"}).trending_score is None
