"""Local Hugging Face Hub emulator on real loopback sockets (a Hub host and a separate "CDN" host).

Contract API (docs/contracts.md, "Emulator"):

    hub = HubEmulator()          # Hub at hub.url (http://127.0.0.1:P1), CDN at hub.cdn_url (http://localhost:P2)
    handle = hub.add_repo(repo_id, files={path: bytes | str | Content}, private=False,
                          gated=False|"auto"|"manual", disabled=False, lfs=None, branch="main", **metadata)
    handle.commit(files={...}, delete=(...)) -> sha; handle.sha
    hub.add_user(name, token, role="read", orgs=(), can_access=(...))
    hub.requests; hub.clear_requests()  # RequestRecord(host, method, path, query, headers, status, ...)
    hub.rate_limit(bucket="api"|"resolvers", quota=N, window=300)
    hub.faults.drop_after / corrupt / ignore_range / status / stall / expire_cdn_urls() / gzip_text / clear()
    hub.cdn_url_ttl = 3600
    hub.close()
    content_from_bytes(b), generated_content(size, seed=0)

Additions beyond the contract:

- `file_content(path)`: serve a file from disk (sendfile when no fault touches the body).
- `add_repo(..., library_name=, pipeline_tag=, tags=, downloads=, likes=, trending_score=, created_at=,
  message=)`; `lfs` may be an iterable of globs; a callable returning None means "default rule".
- `Repo` (alias `RepoHandle`): `.commit(files, delete, message=, branch=)`, `.create_branch(name, revision)`,
  `.tag(name, revision)`, `.create_pr(files, delete) -> (number, sha)` (revision `refs/pr/<n>`),
  `.resolve(revision) -> Commit | None`, `.head`, `.commits`, `.branches`, `.git_tags`; `.private`, `.gated`,
  `.disabled`, `.downloads`, `.likes`, ... can be changed at any time.
- `hub.repo(id)`, `hub.repos`, `hub.remove_repo(id)`, `hub.rename_repo(old, new)` (old id → 307 relative
  Location, for API and resolve; a wrongly-cased id redirects too), `hub.grant(token, repo_id)`,
  `hub.revoke_token(token)`, `hub.resolve_url(repo_id, path, revision="main")`,
  `hub.requests_for(file_path, host=None)` (requests for one file, CDN ones included).
- `hub.xet_headers = True` (X-Xet-Hash, Link rel="xet-auth" on 302s, `xetHash` in trees; set False to drop),
  `hub.send_retry_after = False` (add Retry-After to rate-limit 429s).
- Every fault method returns its `Fault` (`.hits` counts firings); `times=None` fires forever; `host=` limits
  body faults to "hub" or "cdn". A fault pattern is a repo file path or glob; a pattern starting with "/"
  matches the URL path instead (so `faults.status("/api/models/*", 503, host="hub")` fails API calls).
  `faults.status` defaults to host="cdn" (as in the contract): regular files are served by the Hub, so use
  host="hub" for them.
- `RequestRecord.params` (parsed query), `.authorized`; `headers` lookups ignore case.
- `with HubEmulator() as hub: ...` closes on exit.
- `tests.hubemu.demo.populate(hub)` adds the demo data set (see demo.py); `python -m tests.hubemu --demo`.
"""

from __future__ import annotations

from .content import Content, content_from_bytes, file_content, generated_content, git_blob_sha1
from .faults import Fault, FaultPlan
from .records import RequestRecord, User
from .repos import Commit, Repo, RepoFile
from .server import HubEmulator

RepoHandle = Repo

__all__ = [
    "Commit",
    "Content",
    "Fault",
    "FaultPlan",
    "HubEmulator",
    "Repo",
    "RepoFile",
    "RepoHandle",
    "RequestRecord",
    "User",
    "content_from_bytes",
    "file_content",
    "generated_content",
    "git_blob_sha1",
]
