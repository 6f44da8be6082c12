"""The Hub's answers read into hfgui's types: model info, file listings, file metadata, accounts, hits."""

from __future__ import annotations

from typing import Any

import requests

from hfgui.core.errors import HubHTTPError
from hfgui.core.types import Account, FileMetadata, ModelInfo, ModelSummary, TreeEntry
from hfgui.core.wire.urls import display_url


def model_info(data: Any, response: requests.Response, repo_id: str) -> ModelInfo:
    """``/api/models/{repo_id}`` read; an answer without the commit sha is refused (a download needs it)."""
    if not isinstance(data, dict) or not isinstance(data.get("sha"), str) or not data["sha"]:
        raise HubHTTPError(response.status_code, display_url(response.url), "model info without a commit sha")
    siblings = tuple(
        s["rfilename"] for s in data.get("siblings") or () if isinstance(s, dict) and "rfilename" in s
    )
    return ModelInfo(
        repo_id=str(data.get("id") or repo_id),
        sha=data["sha"],
        private=bool(data.get("private", False)),
        gated=_gated(data.get("gated")),
        disabled=bool(data.get("disabled", False)),
        siblings=siblings,
        last_modified=data.get("lastModified"),
        library_name=data.get("library_name"),
        pipeline_tag=data.get("pipeline_tag"),
        tags=tuple(data.get("tags") or ()),
        downloads=int(data.get("downloads") or 0),
        likes=int(data.get("likes") or 0),
    )


def tree_entry(item: Any, url: str) -> TreeEntry:
    """One item of a ``/tree`` listing: a file or a directory, with its LFS and Xet hashes if it has any."""
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("path"), str)
        or item.get("type") not in ("file", "directory")
    ):
        raise HubHTTPError(200, display_url(url), "malformed entry in the file listing")
    lfs = item.get("lfs") if isinstance(item.get("lfs"), dict) else None
    return TreeEntry(
        path=item["path"],
        type=item["type"],
        size=int(item.get("size") or 0),
        oid=str(item.get("oid") or ""),
        lfs_sha256=lfs.get("oid") if lfs else None,
        lfs_size=int(lfs["size"]) if lfs and lfs.get("size") is not None else None,
        xet_hash=item.get("xetHash"),
    )


def file_metadata(response: requests.Response, location: str, *, redirected: bool) -> FileMetadata:
    """The headers of a HEAD on a resolve URL read: commit, ETag (the X-Linked ones win) and size.

    After a redirect to a CDN ``Content-Length`` is the redirect's own body, so only X-Linked-Size counts.
    """
    headers = response.headers
    commit = headers.get("X-Repo-Commit", "").strip()
    etag = normalize_etag(headers.get("X-Linked-Etag") or headers.get("ETag") or "")
    if not commit or not etag:
        missing = "X-Repo-Commit" if not commit else "ETag"
        raise HubHTTPError(
            response.status_code, display_url(response.url), f"the answer has no {missing} header"
        )
    size_text = headers.get("X-Linked-Size") or ("" if redirected else headers.get("Content-Length", ""))
    size = int(size_text) if size_text.strip().isdigit() else None
    return FileMetadata(commit=commit, etag=etag, size=size, location=location)


def normalize_etag(value: str) -> str:
    """An ETag without quotes or the weak ``W/`` prefix."""
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def account(data: Any, response: requests.Response) -> Account:
    """``/api/whoami-v2`` read: the account's name and organisations, and the token's role and name."""
    if not isinstance(data, dict) or not data.get("name"):
        raise HubHTTPError(response.status_code, display_url(response.url), "no account name in the answer")
    orgs = tuple(o["name"] for o in data.get("orgs") or () if isinstance(o, dict) and o.get("name"))
    access = ((data.get("auth") or {}).get("accessToken")) or {}
    return Account(
        name=data["name"],
        type=str(data.get("type") or "user"),
        fullname=str(data.get("fullname") or ""),
        orgs=orgs,
        token_role=access.get("role"),
        token_name=access.get("displayName"),
    )


def model_summary(item: dict[str, Any]) -> ModelSummary:
    """One hit of ``/api/models`` (search); the caller has checked it is a dict with an ``id``."""
    score = item.get("trendingScore")
    return ModelSummary(
        repo_id=str(item["id"]),
        downloads=int(item.get("downloads") or 0),
        likes=int(item.get("likes") or 0),
        library_name=item.get("library_name"),
        pipeline_tag=item.get("pipeline_tag"),
        tags=tuple(item.get("tags") or ()),
        private=bool(item.get("private", False)),
        gated=_gated(item.get("gated")),
        created_at=item.get("createdAt"),
        last_modified=item.get("lastModified"),
        trending_score=float(score) if isinstance(score, (int, float)) else None,
    )


def _gated(value: Any) -> str | bool:
    """``"auto"``/``"manual"`` as the Hub says them, anything else as gated or not."""
    return value if value in ("auto", "manual") else bool(value)
