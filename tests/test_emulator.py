"""The Hub emulator speaks the protocol of hub-protocol.md: checked with plain `requests` over loopback."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.hubemu import content_from_bytes, file_content, generated_content, git_blob_sha1
from tests.hubemu.demo import DEMO_TOKEN, GATED_REPO, PRIVATE_REPO, SPLIT_GGUF_REPO, populate

CONFIG = b'{"model_type": "openelm", "vocab_size": 32000}\n'
TOKEN = "hf_alice_token"
OTHER_TOKEN = "hf_bob_token"


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture
def repo(hub):
    weights = generated_content(3 * 1024 * 1024 + 17, seed=5)
    return hub.add_repo(
        "acme/tiny",
        {
            "config.json": CONFIG,
            "README.md": "# tiny\n",
            "pkg.mlpackage/Manifest.json": b'{"fileFormatVersion": "1.0.0"}',
            "pkg.mlpackage/Data/com.apple.CoreML/model.mlmodel": generated_content(70_000, seed=6),
            "pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin": weights,
            "dir with space/na\u00efve #1.txt": b"odd name",
        },
        library_name="transformers",
        tags=["coreml", "text-generation"],
    )


def head(session, url, **kw):
    return session.head(url, allow_redirects=False, headers={"Accept-Encoding": "identity", **kw})


def get(session, url, **kw):
    return session.get(url, allow_redirects=False, headers={"Accept-Encoding": "identity", **kw})


# -- model info ------------------------------------------------------------------------------------


def test_model_info_has_the_hub_fields(hub, repo, session):
    r = session.get(f"{hub.url}/api/models/acme/tiny")
    assert r.status_code == 200
    info = r.json()
    keys = (
        "_id id private sha lastModified gated disabled siblings library_name tags downloads likes createdAt"
    )
    for key in [*keys.split(), "usedStorage"]:
        assert key in info, key
    assert info["id"] == "acme/tiny" and info["sha"] == repo.sha and re.fullmatch(r"[0-9a-f]{40}", repo.sha)
    assert {"rfilename": "config.json"} in info["siblings"]
    assert all(set(s) == {"rfilename"} for s in info["siblings"])
    assert info["lastModified"].endswith("Z") and info["library_name"] == "transformers"


def test_model_info_blobs_gives_sizes_and_lfs_sha256(hub, repo, session):
    siblings = {
        s["rfilename"]: s
        for s in session.get(f"{hub.url}/api/models/acme/tiny?blobs=true").json()["siblings"]
    }
    config = siblings["config.json"]
    assert config["blobId"] == git_blob_sha1(CONFIG) and config["size"] == len(CONFIG) and "lfs" not in config
    weight = siblings["pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin"]
    content = repo.head.files["pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin"].content
    assert weight["lfs"]["sha256"] == content.sha256 == hashlib.sha256(content.read()).hexdigest()
    assert weight["size"] == weight["lfs"]["size"] == content.size
    assert weight["lfs"]["pointerSize"] > 100


def test_model_info_at_revision_and_unknown_revision(hub, repo, session):
    first = repo.sha
    second = repo.commit({"config.json": b"{}"})
    assert session.get(f"{hub.url}/api/models/acme/tiny/revision/{first}").json()["sha"] == first
    assert session.get(f"{hub.url}/api/models/acme/tiny/revision/main").json()["sha"] == second
    r = session.get(f"{hub.url}/api/models/acme/tiny/revision/nope")
    assert r.status_code == 404 and r.headers["X-Error-Code"] == "RevisionNotFound"
    assert r.json() == {"error": "Invalid rev id: nope"}


def test_unknown_expand_is_a_bad_request(hub, repo, session):
    r = session.get(f"{hub.url}/api/models/acme/tiny?expand=bogus")
    assert r.status_code == 400 and "downloadsAllTime" in r.json()["error"]
    r = session.get(f"{hub.url}/api/models/acme/tiny", params=[("expand", "downloads"), ("expand", "sha")])
    assert set(r.json()) == {"_id", "id", "downloads", "sha"}


# -- resolve ---------------------------------------------------------------------------------------


def test_public_regular_file_goes_through_resolve_cache(hub, repo, session):
    r = head(session, f"{hub.url}/acme/tiny/resolve/main/config.json")
    assert r.status_code == 307
    location = r.headers["Location"]
    assert location.startswith(f"/api/resolve-cache/models/acme/tiny/{repo.sha}/config.json?")
    assert location.endswith(
        f"%2Facme%2Ftiny%2Fresolve%2Fmain%2Fconfig.json=&etag=%22{git_blob_sha1(CONFIG)}%22"
    )
    final = head(session, urljoin(hub.url, location))
    assert final.status_code == 200
    assert final.headers["ETag"] == f'"{git_blob_sha1(CONFIG)}"'
    assert final.headers["X-Repo-Commit"] == repo.sha
    assert final.headers["Content-Length"] == str(len(CONFIG))
    assert final.headers["Accept-Ranges"] == "bytes"
    assert get(session, urljoin(hub.url, location)).content == CONFIG


def test_private_regular_file_is_served_by_resolve_itself(hub, session):
    hub.add_user("alice", TOKEN)
    repo = hub.add_repo("alice/secret", {"config.json": CONFIG}, private=True)
    r = get(session, f"{hub.url}/alice/secret/resolve/main/config.json", Authorization=f"Bearer {TOKEN}")
    assert r.status_code == 200 and r.content == CONFIG
    assert r.headers["X-Repo-Commit"] == repo.sha and r.headers["ETag"] == f'"{git_blob_sha1(CONFIG)}"'


def test_lfs_file_redirects_to_signed_cdn_url_on_another_host(hub, repo, session):
    path = "pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
    content = repo.head.files[path].content
    r = head(session, f"{hub.url}/acme/tiny/resolve/main/{path}")
    assert r.status_code == 302
    h = r.headers
    assert h["X-Linked-Etag"] == f'"{content.sha256}"' and h["X-Linked-Size"] == str(content.size)
    assert h["X-Repo-Commit"] == repo.sha and h["Accept-Ranges"] == "bytes"
    assert h["ETag"] != h["X-Linked-Etag"] and h["Content-Type"] == "text/plain; charset=utf-8"
    assert "X-Xet-Hash" in h and 'rel="xet-auth"' in h["Link"]
    location = urlsplit(h["Location"])
    assert location.hostname == "localhost" and location.hostname != urlsplit(hub.url).hostname
    assert "Expires=" in location.query and "Signature=" in location.query
    cdn = get(session, h["Location"])
    assert cdn.status_code == 200 and cdn.content == content.read()
    assert re.fullmatch(r'"[0-9a-f]{64}"', cdn.headers["ETag"]) and content.sha256 not in cdn.headers["ETag"]
    assert cdn.headers["Content-Disposition"].startswith("inline; filename*=UTF-8''weight.bin")
    for hub_header in ("X-Repo-Commit", "X-Linked-Etag", "X-Linked-Size", "X-Error-Code"):
        assert hub_header not in cdn.headers


def test_token_is_not_sent_to_the_cdn_by_requests(hub, repo, session):
    hub.add_user("alice", TOKEN)
    path = "pkg.mlpackage/Data/com.apple.CoreML/model.mlmodel"
    r = session.get(f"{hub.url}/acme/tiny/resolve/main/{path}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.content == repo.head.files[path].content.read()
    hub_hits = [x for x in hub.requests if x.host == "hub"]
    cdn_hits = [x for x in hub.requests if x.host == "cdn"]
    assert hub_hits[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert len(cdn_hits) == 1 and not cdn_hits[0].authorized


def test_paths_are_percent_decoded(hub, repo, session):
    r = session.get(f"{hub.url}/acme/tiny/resolve/main/dir%20with%20space/na%C3%AFve%20%231.txt")
    assert r.status_code == 200 and r.content == b"odd name"


@pytest.mark.parametrize("host", ["hub", "cdn"])
def test_ranges(hub, repo, session, host):
    path = (
        "pkg.mlpackage/Manifest.json"
        if host == "hub"
        else "pkg.mlpackage/Data/com.apple.CoreML/model.mlmodel"
    )
    data = repo.head.files[path].content.read()
    url = session.head(f"{hub.url}/acme/tiny/resolve/main/{path}", allow_redirects=True).url
    assert urlsplit(url).hostname == ("localhost" if host == "cdn" else "127.0.0.1")
    r = get(session, url, Range="bytes=3-9")
    assert r.status_code == 206 and r.content == data[3:10]
    assert r.headers["Content-Range"] == f"bytes 3-9/{len(data)}" and r.headers["Content-Length"] == "7"
    r = get(session, url, Range="bytes=5-")
    assert r.status_code == 206 and r.content == data[5:]
    r = get(session, url, Range="bytes=-4")
    assert r.status_code == 206 and r.content == data[-4:]
    r = get(session, url, Range=f"bytes={len(data)}-")
    assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{len(data)}"
    r = get(session, url, Range=f"bytes=0-{len(data) + 100}")
    assert r.status_code == 206 and r.content == data


def test_if_none_match_gives_304(hub, repo, session):
    url = f"{hub.url}/acme/tiny/resolve/main/config.json"
    r = get(session, url, **{"If-None-Match": f'"{git_blob_sha1(CONFIG)}"'})
    assert r.status_code == 304 and r.headers["X-Repo-Commit"] == repo.sha and r.content == b""
    assert get(session, url, **{"If-None-Match": '"0000"'}).status_code == 307


def test_old_commit_keeps_old_content_and_revisions_resolve(hub, repo, session):
    old = repo.sha
    new = repo.commit({"config.json": b'{"v": 2}'}, delete=["README.md"], message="v2")
    repo.tag("v1", old)
    number, pr_sha = repo.create_pr({"config.json": b'{"v": "pr"}'})
    url = f"{hub.url}/acme/tiny/resolve/{{}}/config.json"
    assert session.get(url.format(old)).content == CONFIG
    assert session.get(url.format(old[:7])).content == CONFIG
    assert session.get(url.format("v1")).content == CONFIG
    assert session.get(url.format("main")).content == b'{"v": 2}'
    r = session.get(url.format(f"refs%2Fpr%2F{number}"))
    assert r.content == b'{"v": "pr"}' and r.headers["X-Repo-Commit"] == pr_sha
    assert session.get(url.format(f"refs/pr/{number}")).content == b'{"v": "pr"}'
    assert (
        session.head(f"{hub.url}/acme/tiny/resolve/{old}/README.md", allow_redirects=True).status_code == 200
    )
    gone = session.head(f"{hub.url}/acme/tiny/resolve/{new}/README.md")
    assert gone.status_code == 404 and gone.headers["X-Repo-Commit"] == new


def test_commit_shas_are_deterministic_for_the_same_history(hub):
    a = hub.add_repo("acme/a", {"x.txt": b"1"})
    b = hub.add_repo("acme/a2", {"x.txt": b"1"})
    assert re.fullmatch(r"[0-9a-f]{40}", a.sha) and a.sha != b.sha  # repo id is part of the commit
    hub.remove_repo("acme/a")
    assert hub.add_repo("acme/a", {"x.txt": b"1"}).sha == a.sha


# -- errors table (hub-protocol.md §3.2) -----------------------------------------------------------


@pytest.fixture
def access_hub(hub):
    hub.add_user("alice", TOKEN, orgs=("alice-org",), can_access=("meta/gated",))
    hub.add_user("bob", OTHER_TOKEN)
    hub.add_repo("acme/public", {"config.json": CONFIG})
    hub.add_repo("alice-org/private", {"config.json": CONFIG}, private=True)
    hub.add_repo("meta/gated", {"config.json": CONFIG, "w.bin": b"w" * 10}, gated="manual")
    hub.add_repo("acme/disabled", {"config.json": CONFIG}, disabled=True)
    return hub


ANON_NOT_FOUND = (401, None, "Invalid username or password.")
NOT_FOUND = (404, "RepoNotFound", "Repository not found")
GATED_ANON = (401, "GatedRepo", "Access to model meta/gated is restricted. You must have access to it and be "
              "authenticated to access it. Please log in.")  # fmt: skip
DISABLED = (403, None, "Access to this resource is disabled.")
BAD_TOKEN = (401, None, "Invalid credentials in Authorization header")
ENTRY = (404, "EntryNotFound", "Entry not found")


@pytest.mark.parametrize(
    ("repo_id", "path", "token", "expected"),
    [
        ("acme/missing", "config.json", None, ANON_NOT_FOUND),
        ("acme/missing", "config.json", OTHER_TOKEN, NOT_FOUND),
        ("alice-org/private", "config.json", None, ANON_NOT_FOUND),
        ("alice-org/private", "config.json", OTHER_TOKEN, NOT_FOUND),
        ("acme/public", "config.json", "hf_revoked", BAD_TOKEN),
        ("meta/gated", "config.json", None, GATED_ANON),
        ("acme/disabled", "config.json", OTHER_TOKEN, DISABLED),
        ("acme/disabled", "config.json", None, ANON_NOT_FOUND),
        ("acme/public", "missing.json", None, ENTRY),
    ],
)
@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_resolve_errors(access_hub, session, repo_id, path, token, expected, method):
    status, code, message = expected
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = session.request(method, f"{access_hub.url}/{repo_id}/resolve/main/{path}", headers=headers)
    assert r.status_code == status
    assert r.headers.get("X-Error-Code") == code
    assert r.headers["X-Error-Message"] == message
    assert r.headers["X-Request-Id"].startswith("Root=1-")
    assert r.headers["RateLimit"].startswith('"resolvers";r=')
    if method == "GET":
        assert r.text == message and r.headers["Content-Type"].startswith("text/plain")
    else:
        assert r.content == b""


def test_gated_repo_with_token_but_no_grant_is_403_with_visit_message(access_hub, session):
    r = session.get(
        f"{access_hub.url}/meta/gated/resolve/main/w.bin", headers={"Authorization": f"Bearer {OTHER_TOKEN}"}
    )
    assert r.status_code == 403 and r.headers["X-Error-Code"] == "GatedRepo"
    assert r.text.endswith(f"Visit {access_hub.url}/meta/gated to ask for access.")
    granted = head(
        session, f"{access_hub.url}/meta/gated/resolve/main/w.bin", Authorization=f"Bearer {TOKEN}"
    )
    assert granted.status_code == 302


def test_entry_not_found_carries_the_commit(access_hub, session):
    r = session.get(f"{access_hub.url}/acme/public/resolve/main/nope.bin")
    assert r.headers["X-Repo-Commit"] == access_hub.repo("acme/public").sha


def test_revision_not_found_on_resolve(access_hub, session):
    r = session.head(f"{access_hub.url}/acme/public/resolve/v9/config.json")
    assert (r.status_code, r.headers["X-Error-Code"]) == (404, "RevisionNotFound")


def test_api_errors_are_json(access_hub, session):
    r = session.get(f"{access_hub.url}/api/models/alice-org/private")
    assert r.status_code == 401 and r.json() == {"error": "Invalid username or password."}
    r = session.get(
        f"{access_hub.url}/api/models/alice-org/private", headers={"Authorization": f"Bearer {OTHER_TOKEN}"}
    )
    assert r.status_code == 404 and r.headers["X-Error-Code"] == "RepoNotFound"
    r = session.get(
        f"{access_hub.url}/api/models/alice-org/private", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert r.status_code == 200 and r.json()["private"] is True
    r = session.get(f"{access_hub.url}/api/models/acme/public", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json() == {"error": "Invalid credentials in Authorization header"}


def test_gated_and_disabled_model_info_stays_visible(access_hub, session):
    gated = session.get(f"{access_hub.url}/api/models/meta/gated")
    assert gated.status_code == 200 and gated.json()["gated"] == "manual"
    disabled = session.get(f"{access_hub.url}/api/models/acme/disabled")
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True


def test_renamed_repo_redirects_relatively(hub, session):
    hub.add_repo("old-owner/model", {"config.json": CONFIG})
    hub.rename_repo("old-owner/model", "new-owner/model")
    r = session.get(f"{hub.url}/api/models/old-owner/model?blobs=true", allow_redirects=False)
    assert r.status_code == 307 and r.headers["Location"] == "/api/models/new-owner/model?blobs=true"
    r = head(session, f"{hub.url}/old-owner/model/resolve/main/config.json")
    assert r.status_code == 307 and r.headers["Location"] == "/new-owner/model/resolve/main/config.json"
    assert session.get(f"{hub.url}/OLD-owner/model/resolve/main/config.json").content == CONFIG


# -- tree, paths-info, refs ------------------------------------------------------------------------


def test_tree_lists_directories_and_files_relative_to_root(hub, repo, session):
    entries = session.get(f"{hub.url}/api/models/acme/tiny/tree/main?recursive=True&expand=False").json()
    by_path = {e["path"]: e for e in entries}
    assert by_path["pkg.mlpackage"]["type"] == "directory" and by_path["pkg.mlpackage"]["size"] == 0
    assert by_path["pkg.mlpackage/Data/com.apple.CoreML/weights"]["type"] == "directory"
    weight = by_path["pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin"]
    content = repo.head.files[weight["path"]].content
    assert weight["lfs"]["oid"] == content.sha256 and weight["size"] == content.size
    assert weight["oid"] == git_blob_sha1(content.lfs_pointer())
    assert by_path["config.json"]["oid"] == git_blob_sha1(CONFIG) and "lfs" not in by_path["config.json"]
    top = session.get(f"{hub.url}/api/models/acme/tiny/tree/main").json()
    assert {e["path"] for e in top} == {"config.json", "README.md", "pkg.mlpackage", "dir with space"}


@pytest.mark.parametrize("sub", ["pkg.mlpackage/Data", "pkg.mlpackage%2FData"])
def test_tree_sub_path_raw_or_encoded(hub, repo, session, sub):
    entries = session.get(f"{hub.url}/api/models/acme/tiny/tree/main/{sub}?recursive=true").json()
    paths = {e["path"] for e in entries}
    assert "pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin" in paths
    assert "pkg.mlpackage/Data/com.apple.CoreML" in paths and "pkg.mlpackage/Manifest.json" not in paths


def test_tree_missing_path_is_entry_not_found(hub, repo, session):
    r = session.get(f"{hub.url}/api/models/acme/tiny/tree/main/nothing-here")
    assert r.status_code == 404 and r.headers["X-Error-Code"] == "EntryNotFound" and "error" in r.json()


def test_tree_paginates_past_1000_entries_with_link_header(hub, session):
    files = {f"shards/part-{i:05d}.txt": b"%d" % i for i in range(2500)}
    hub.add_repo("acme/many", files)
    url, pages, seen = f"{hub.url}/api/models/acme/many/tree/main?recursive=true", 0, []
    while url:
        r = session.get(url)
        pages += 1
        seen += [e["path"] for e in r.json()]
        url = r.links.get("next", {}).get("url")
        if url:
            assert url.startswith(f"{hub.url}/api/models/acme/many/tree/main?") and "cursor=" in url
            assert "recursive=true" in url
    assert pages == 3 and len(seen) == 2501 and len(set(seen)) == 2501  # 2500 files + the "shards" directory


def test_tree_expand_pages_by_50_and_adds_last_commit(hub, session):
    repo = hub.add_repo("acme/expand", {f"f{i:03d}.txt": b"x" for i in range(60)})
    changed = repo.commit({"f000.txt": b"changed"}, message="change f000")
    r = session.get(f"{hub.url}/api/models/acme/expand/tree/main?expand=true")
    assert len(r.json()) == 50 and "next" in r.links
    first = r.json()[0]
    assert first["path"] == "f000.txt" and first["lastCommit"]["id"] == changed
    assert first["lastCommit"]["title"] == "change f000"
    assert r.json()[1]["lastCommit"]["id"] != changed
    assert len(session.get(r.links["next"]["url"]).json()) == 10


def test_paths_info_and_refs(hub, repo, session):
    r = session.post(
        f"{hub.url}/api/models/acme/tiny/paths-info/main",
        data={"paths": ["config.json", "pkg.mlpackage", "nope"], "expand": "false"},
    )
    assert [(e["type"], e["path"]) for e in r.json()] == [
        ("file", "config.json"),
        ("directory", "pkg.mlpackage"),
    ]
    repo.tag("v1.0")
    repo.create_pr({"x.txt": b"x"})
    refs = session.get(f"{hub.url}/api/models/acme/tiny/refs?include_prs=1").json()
    assert refs["branches"] == [{"name": "main", "ref": "refs/heads/main", "targetCommit": repo.sha}]
    assert refs["tags"][0]["name"] == "v1.0" and refs["pullRequests"][0]["ref"] == "refs/pr/1"


# -- search and whoami -----------------------------------------------------------------------------


@pytest.fixture
def catalog(hub):
    hub.add_repo(
        "TheBloke/phi-2-GGUF", {"a.gguf": b"GGUF"}, library_name="gguf", tags=["gguf"], downloads=50, likes=3
    )
    hub.add_repo("Qwen/Qwen2.5-0.5B-Instruct-GGUF", {"b.gguf": b"GGUF"}, tags=["gguf"], downloads=90, likes=1)
    hub.add_repo("mlx-community/phi-2", {"w.safetensors": b"x"}, library_name="mlx", downloads=10, likes=9)
    hub.add_repo("someone/hidden-phi", {"x.bin": b"x"}, private=True, downloads=1000)
    return hub


def test_search_filters_sorts_and_hides_private(catalog, session):
    r = session.get(f"{catalog.url}/api/models", params={"search": "PHI", "sort": "downloads"})
    assert [m["id"] for m in r.json()] == ["TheBloke/phi-2-GGUF", "mlx-community/phi-2"]
    r = session.get(f"{catalog.url}/api/models", params={"filter": "gguf", "sort": "likes"})
    assert [m["id"] for m in r.json()] == ["TheBloke/phi-2-GGUF", "Qwen/Qwen2.5-0.5B-Instruct-GGUF"]
    r = session.get(f"{catalog.url}/api/models", params={"author": "mlx-community", "full": "true"})
    (item,) = r.json()
    assert item["library_name"] == "mlx" and item["siblings"] == [{"rfilename": "w.safetensors"}]
    assert session.get(f"{catalog.url}/api/models", params={"sort": "stars"}).status_code == 400


def test_search_pages_with_cursor(catalog, session):
    r = session.get(f"{catalog.url}/api/models", params={"limit": 2, "sort": "downloads"})
    assert [m["id"] for m in r.json()] == ["Qwen/Qwen2.5-0.5B-Instruct-GGUF", "TheBloke/phi-2-GGUF"]
    rest = session.get(r.links["next"]["url"])
    assert [m["id"] for m in rest.json()] == ["mlx-community/phi-2"] and "next" not in rest.links


def test_whoami(hub, session):
    hub.add_user("alice", TOKEN, role="fineGrained", orgs=("acme",))
    r = session.get(f"{hub.url}/api/whoami-v2", headers={"Authorization": f"Bearer {TOKEN}"})
    body = r.json()
    assert body["name"] == "alice" and body["orgs"][0]["name"] == "acme"
    assert body["auth"]["accessToken"]["role"] == "fineGrained" and body["auth"]["accessToken"]["displayName"]
    bad = session.get(f"{hub.url}/api/whoami-v2", headers={"Authorization": "Bearer hf_nope"})
    assert bad.status_code == 401 and bad.json() == {"error": "Invalid credentials in Authorization header"}
    assert session.get(f"{hub.url}/api/whoami-v2").status_code == 401


# -- rate limiting ---------------------------------------------------------------------------------


def test_rate_limit_headers_everywhere_and_429_when_exhausted(hub, repo, session):
    hub.rate_limit("resolvers", quota=3, window=300)
    first = head(session, f"{hub.url}/acme/tiny/resolve/main/config.json")  # 307: counts
    assert first.headers["RateLimit"].startswith('"resolvers";r=2;t=')
    assert first.headers["RateLimit-Policy"] == '"fixed window";"resolvers";q=3;w=300'
    cached = head(session, urljoin(hub.url, first.headers["Location"]))  # resolve-cache is a resolver too
    assert cached.headers["RateLimit"].startswith('"resolvers";r=1;')
    head(session, f"{hub.url}/acme/tiny/resolve/main/nope")  # errors count
    limited = head(session, f"{hub.url}/acme/tiny/resolve/main/config.json")
    assert limited.status_code == 429
    remaining, reset = re.fullmatch(r'"resolvers";r=(\d+);t=(\d+)', limited.headers["RateLimit"]).groups()
    assert remaining == "0" and 0 < int(reset) <= 300
    api = session.get(f"{hub.url}/api/models/acme/tiny")  # other bucket unaffected
    assert api.status_code == 200 and api.headers["RateLimit"].startswith('"api";')


def test_rate_limit_can_send_retry_after(hub, repo, session):
    hub.rate_limit("api", quota=1)
    hub.send_retry_after = True
    session.get(f"{hub.url}/api/models/acme/tiny")
    r = session.get(f"{hub.url}/api/models/acme/tiny")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0 and "error" in r.json()


# -- faults ----------------------------------------------------------------------------------------

WEIGHT = "pkg.mlpackage/Data/com.apple.CoreML/weights/weight.bin"


def cdn_url(hub, session, path=WEIGHT):
    return head(session, f"{hub.url}/acme/tiny/resolve/main/{path}").headers["Location"]


def test_drop_after_cuts_the_body(hub, repo, session):
    url = cdn_url(hub, session)
    fault = hub.faults.drop_after(WEIGHT, 100_000)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session.get(url).content  # noqa: B018
    assert fault.hits == 1 and [r.bytes_sent for r in hub.requests if r.host == "cdn"] == [100_000]
    assert session.get(url).content == repo.head.files[WEIGHT].content.read()  # one-shot


def test_corrupt_flips_one_byte(hub, repo, session):
    url = cdn_url(hub, session)
    hub.faults.corrupt(WEIGHT, 2_000_000)
    good = repo.head.files[WEIGHT].content.read()
    bad = session.get(url).content
    assert len(bad) == len(good) and bad != good
    at = 2_000_000
    assert bad[:at] == good[:at] and bad[at + 1 :] == good[at + 1 :] and bad[at] == good[at] ^ 0xFF


def test_ignore_range_answers_200_with_everything(hub, repo, session):
    url = cdn_url(hub, session)
    hub.faults.ignore_range(WEIGHT)
    r = get(session, url, Range="bytes=10-")
    assert r.status_code == 200 and len(r.content) == repo.head.files[WEIGHT].size
    assert get(session, url, Range="bytes=10-").status_code == 206


def test_status_fault_on_cdn_and_hub(hub, repo, session):
    url = cdn_url(hub, session)
    hub.faults.status(WEIGHT, 503, times=2, retry_after=7)
    assert [get(session, url).status_code for _ in range(3)] == [503, 503, 200]
    hub.faults.status("config.json", 500, host="hub")
    r = head(session, f"{hub.url}/acme/tiny/resolve/main/config.json")
    assert r.status_code == 500
    assert head(session, f"{hub.url}/acme/tiny/resolve/main/config.json").status_code == 307
    hub.faults.status("/api/models/*", 429, host="hub", retry_after=1)
    r = session.get(f"{hub.url}/api/models/acme/tiny")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"


def test_stall_pauses_then_completes(hub, repo, session):
    url = cdn_url(hub, session)
    fault = hub.faults.stall(WEIGHT, after_bytes=1000, seconds=0.2)
    r = session.get(url)
    assert fault.hits == 1 and r.content == repo.head.files[WEIGHT].content.read()


def test_stalled_read_times_out_on_the_client(hub, repo, session):
    url = cdn_url(hub, session)
    hub.faults.stall(WEIGHT, after_bytes=1000, seconds=30)
    with pytest.raises(requests.exceptions.ConnectionError):
        r = session.get(url, stream=True, timeout=0.3)
        for _ in r.iter_content(65536):
            pass


def test_expired_cdn_urls_get_403_and_a_fresh_resolve_works(hub, repo, session):
    url = cdn_url(hub, session)
    hub.faults.expire_cdn_urls()
    r = get(session, url)
    assert r.status_code == 403 and "expired" in r.text and "X-Error-Code" not in r.headers
    assert get(session, cdn_url(hub, session)).status_code == 200
    tampered = url.replace("Signature=", "Signature=0")
    assert get(session, tampered).status_code == 403


def test_zero_ttl_urls_expire(hub, repo, session):
    hub.cdn_url_ttl = -1
    assert get(session, cdn_url(hub, session)).status_code == 403


def test_gzip_text_like_cloudfront(hub, repo, session):
    hub.faults.gzip_text = True
    url = urljoin(hub.url, head(session, f"{hub.url}/acme/tiny/resolve/main/config.json").headers["Location"])
    r = session.get(url, headers={"Accept-Encoding": "gzip", "Range": "bytes=5-"}, stream=True)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in r.headers
    assert gzip.decompress(r.raw.read()) == CONFIG
    plain = get(session, url, Range="bytes=5-")  # identity: normal ranges
    assert plain.status_code == 206 and plain.content == CONFIG[5:]


# -- content ---------------------------------------------------------------------------------------


def test_generated_content_is_deterministic_and_range_consistent():
    a, b = generated_content(3_000_000, seed=1), generated_content(3_000_000, seed=1)
    whole = a.read()
    assert whole == b.read() and whole != generated_content(3_000_000, seed=2).read()
    assert a.read(1_048_000, 1_049_000) == whole[1_048_000:1_049_000]
    assert a.sha256 == hashlib.sha256(whole).hexdigest() and a.git_sha1 == git_blob_sha1(whole)
    blocks = [whole[i : i + 1 << 20] for i in range(0, len(whole), 1 << 20)]
    assert len(set(blocks)) == len(blocks)  # a wrong-offset resume would show


def test_generated_content_over_4_gib_serves_ranges_without_holding_it(hub, session):
    big = generated_content(5 * 1024**3 + 3, seed=9)
    hub.add_repo("acme/huge", {"huge.bin": big}, lfs=lambda path, size: False)  # regular: no sha256 needed
    hub.repo("acme/huge").head.files["huge.bin"].content._git_sha1 = "0" * 40  # skip hashing 5 GiB here
    hub.repo("acme/huge").head.files["huge.bin"].content._sha256 = "0" * 64
    url = session.head(f"{hub.url}/acme/huge/resolve/main/huge.bin", allow_redirects=True).url
    start = 5 * 1024**3 - 10
    r = get(session, url, Range=f"bytes={start}-")
    assert r.status_code == 206 and r.headers["Content-Range"] == f"bytes {start}-{big.size - 1}/{big.size}"
    assert r.content == big.read(start, big.size) and len(r.content) == 13


def test_file_content_is_served_from_disk(hub, session, tmp_path):
    data = bytes(range(256)) * 5000
    (tmp_path / "w.gguf").write_bytes(data)
    repo = hub.add_repo("acme/disk", {"w.gguf": file_content(tmp_path / "w.gguf")})
    r = session.get(f"{hub.url}/acme/disk/resolve/main/w.gguf")
    assert r.content == data and repo.head.files["w.gguf"].lfs
    r = session.get(r.url, headers={"Range": "bytes=1000-1999"})
    assert r.content == data[1000:2000]


def test_content_from_bytes_accepts_str():
    assert content_from_bytes("héllo").read() == "héllo".encode()


# -- plumbing --------------------------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(hub, repo, session):
    for _ in range(3):
        session.get(f"{hub.url}/api/models/acme/tiny")
    raw = socket.create_connection(("127.0.0.1", hub.port))
    raw.sendall(b"GET /api/models/acme/tiny HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
    received = b""
    while received.count(b"HTTP/1.1 200") < 2 or not received.rstrip().endswith(b"}"):
        received += raw.recv(65536)
    raw.close()
    assert received.count(b"HTTP/1.1 200") == 2
    body = json.loads(received.rsplit(b"\r\n\r\n", 1)[1])
    assert body["id"] == "acme/tiny"


def test_request_log_records_and_clears(hub, repo, session):
    session.get(f"{hub.url}/acme/tiny/resolve/main/config.json", headers={"Accept-Encoding": "identity"})
    assert [(r.host, r.method, r.status) for r in hub.requests] == [("hub", "GET", 307), ("hub", "GET", 200)]
    assert hub.requests[1].bytes_sent == len(CONFIG) and "etag" in hub.requests[1].params
    assert len(hub.requests_for("config.json")) == 2
    hub.clear_requests()
    assert hub.requests == []


def test_close_cuts_stalled_transfers(hub, repo, session):
    url = cdn_url(hub, session)
    hub.faults.stall(WEIGHT, after_bytes=10, seconds=600)
    r = session.get(url, stream=True)
    assert len(r.raw.read(10)) == 10  # the server is now stalled mid-body
    hub.close()
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        r.content  # noqa: B018
    assert [r.bytes_sent for r in hub.requests if r.host == "cdn"] == [10]


def test_demo_data_set_covers_the_catalog_shapes(hub, session):
    info = populate(hub)
    assert len(info.repos["coreml"]) == 4 and all(info.repos[k] for k in ("gguf", "onnx", "mlx", "gated"))
    tree = session.get(f"{hub.url}/api/models/{info.repos['coreml'][0]}/tree/main?recursive=true").json()
    lfs = {e["path"].rsplit("/", 1)[-1]: "lfs" in e for e in tree if e["type"] == "file"}
    assert lfs["Manifest.json"] is False and lfs["model.mlmodel"] is True and lfs["weight.bin"] is True
    split = [
        s["rfilename"] for s in session.get(f"{hub.url}/api/models/{SPLIT_GGUF_REPO}").json()["siblings"]
    ]
    assert any(name.endswith("-00001-of-00002.gguf") for name in split)
    magic = session.get(
        f"{hub.url}/TheBloke/phi-2-GGUF/resolve/main/phi-2.Q4_K_M.gguf", stream=True
    ).raw.read(4)
    assert magic == b"GGUF"
    auth = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    assert session.get(f"{hub.url}/{PRIVATE_REPO}/resolve/main/config.json", headers=auth).status_code == 200
    assert session.head(f"{hub.url}/{GATED_REPO}/resolve/main/config.json", headers=auth).status_code == 307
    assert session.head(f"{hub.url}/{GATED_REPO}/resolve/main/config.json").status_code == 401


def test_runs_on_its_own_and_prints_the_endpoint(session):
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.hubemu", "--demo"], cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        lines = []
        while not lines or not lines[-1].startswith("  export HF_ENDPOINT="):
            line = proc.stdout.readline()
            assert line, "the emulator exited before printing HF_ENDPOINT"
            lines.append(line)
        endpoint = lines[-1].split("=", 1)[1].strip()
        assert any("HF_TOKEN=hf_" in line for line in lines)
        info = session.get(f"{endpoint}/api/models/corenet-community/coreml-OpenELM-270M-Instruct").json()
        assert any(s["rfilename"].endswith(".mlpackage/Manifest.json") for s in info["siblings"])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait() == 0


def test_the_emulator_can_go_offline_and_come_back_on_the_same_ports(hub):
    import requests

    hub.add_repo("owner/model", files={"a.txt": b"a"})
    info_url = f"{hub.url}/api/models/owner/model"
    assert requests.get(info_url, timeout=5).status_code == 200
    hub.go_offline()
    with pytest.raises(requests.ConnectionError):
        requests.get(info_url, timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{hub.cdn_url}/", timeout=5)
    hub.come_back()
    assert requests.get(info_url, timeout=5).status_code == 200
