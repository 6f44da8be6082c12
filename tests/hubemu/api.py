"""JSON shapes of the Hub API: model info, tree entries, refs, search items, whoami."""

from __future__ import annotations

from typing import Any

from .records import User
from .repos import Commit, Repo, RepoFile, hex_id

EXPANDABLE = (
    "author, baseModels, cardData, config, createdAt, disabled, downloads, downloadsAllTime, evalResults, "
    "gated, inference, inferenceProviderMapping, lastModified, library_name, likes, mask_token, model-index, "
    "pipeline_tag, private, safetensors, sha, siblings, spaces, tags, transformersInfo, trendingScore, "
    "widgetData, gguf, resourceGroup, xetEnabled, childrenModelCount, usedStorage"
).split(", ")

SORT_KEYS = {
    "downloads": lambda r: r.downloads,
    "likes": lambda r: r.likes,
    "trendingScore": lambda r: r.trending_score,
    "lastModified": lambda r: r.head.date,
    "createdAt": lambda r: r.created_at,
}


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def sibling(repo_file: RepoFile, blobs: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"rfilename": repo_file.path}
    if blobs:
        entry["blobId"] = repo_file.oid
        entry["size"] = repo_file.size
        if repo_file.lfs:
            pointer_size = len(repo_file.content.lfs_pointer())
            entry["lfs"] = {
                "sha256": repo_file.content.sha256,
                "size": repo_file.size,
                "pointerSize": pointer_size,
            }
    return entry


def model_info(repo: Repo, commit: Commit, *, blobs: bool = False, expand: list[str] | None = None) -> dict:
    siblings = [sibling(f, blobs) for _, f in sorted(commit.files.items())]
    full = _drop_none(
        {
            "_id": repo.object_id,
            "id": repo.repo_id,
            "private": repo.private,
            "pipeline_tag": repo.pipeline_tag,
            "library_name": repo.library_name,
            "tags": list(repo.tags),
            "downloads": repo.downloads,
            "likes": repo.likes,
            "modelId": repo.repo_id,
            "author": repo.owner or None,
            "sha": commit.sha,
            "lastModified": commit.date,
            "gated": repo.gated,
            "disabled": repo.disabled,
            "siblings": siblings,
            "createdAt": repo.created_at,
            "usedStorage": repo.used_storage(),
        }
    )
    if expand:
        extra = {
            "trendingScore": repo.trending_score,
            "downloadsAllTime": repo.downloads,
            "xetEnabled": True,
            "spaces": [],
            "inference": "warm",
        }
        body = {"_id": full["_id"], "id": full["id"]}
        for name in expand:
            if name in full:
                body[name] = full[name]
            elif name in extra:
                body[name] = extra[name]
        return body
    return full


def file_entry(repo: Repo, commit: Commit, repo_file: RepoFile, expand: bool, xet: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "file", "oid": repo_file.oid, "size": repo_file.size}
    if repo_file.lfs:
        pointer_size = len(repo_file.content.lfs_pointer())
        entry["lfs"] = {"oid": repo_file.content.sha256, "size": repo_file.size, "pointerSize": pointer_size}
        if xet:
            entry["xetHash"] = repo_file.xet_hash
    entry["path"] = repo_file.path
    if expand:
        last = repo.last_commit_for(commit, repo_file.path)
        entry["lastCommit"] = {"id": last.sha, "title": last.title, "date": last.date}
        entry["securityFileStatus"] = {
            "status": "safe",
            "avScan": {"virusFound": False},
            "pickleImportScan": None,
        }
    return entry


def dir_entry(repo: Repo, commit: Commit, path: str, expand: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "directory", "oid": commit.directories()[path], "size": 0, "path": path}
    if expand:
        last = repo.last_commit_for(commit, path)
        entry["lastCommit"] = {"id": last.sha, "title": last.title, "date": last.date}
    return entry


def tree_paths(commit: Commit, base: str, recursive: bool) -> list[tuple[str, str]] | None:
    """(kind, path) pairs under `base` ("" = root), directories first; None if `base` does not exist."""
    if base and base in commit.files:
        return [("file", base)]
    if not commit.is_dir(base):
        return None
    prefix = base + "/" if base else ""
    dirs = [d for d in commit.directories() if d.startswith(prefix)]
    files = [p for p in commit.files if p.startswith(prefix)]
    if not recursive:
        dirs = [d for d in dirs if "/" not in d[len(prefix) :]]
        files = [p for p in files if "/" not in p[len(prefix) :]]
    return [("directory", d) for d in sorted(dirs)] + [("file", p) for p in sorted(files)]


def entry_for(repo: Repo, commit: Commit, kind: str, path: str, expand: bool, xet: bool) -> dict[str, Any]:
    if kind == "directory":
        return dir_entry(repo, commit, path, expand)
    return file_entry(repo, commit, commit.files[path], expand, xet)


def refs(repo: Repo, include_prs: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "branches": [
            {"name": name, "ref": f"refs/heads/{name}", "targetCommit": sha}
            for name, sha in repo.branches.items()
        ],
        "converts": [],
        "tags": [
            {"name": name, "ref": f"refs/tags/{name}", "targetCommit": sha}
            for name, sha in repo.git_tags.items()
        ],
    }
    if include_prs:
        body["pullRequests"] = [
            {"name": f"PR #{n}", "ref": f"refs/pr/{n}", "targetCommit": sha}
            for n, sha in repo.pull_requests.items()
        ]
    return body


def search_item(repo: Repo, full: bool) -> dict[str, Any]:
    item = _drop_none(
        {
            "_id": repo.object_id,
            "id": repo.repo_id,
            "likes": repo.likes,
            "trendingScore": repo.trending_score,
            "private": repo.private,
            "downloads": repo.downloads,
            "tags": list(repo.tags),
            "pipeline_tag": repo.pipeline_tag,
            "library_name": repo.library_name,
            "createdAt": repo.created_at,
            "modelId": repo.repo_id,
        }
    )
    if full:
        head = repo.head
        item.update(
            _drop_none(
                {
                    "author": repo.owner or None,
                    "sha": head.sha,
                    "lastModified": head.date,
                    "gated": repo.gated,
                    "disabled": repo.disabled,
                    "siblings": [{"rfilename": p} for p in sorted(head.files)],
                }
            )
        )
    return item


def whoami(user: User) -> dict[str, Any]:
    token: dict[str, Any] = {
        "displayName": user.token_name,
        "role": user.role,
        "createdAt": "2025-01-01T00:00:00.000Z",
    }
    if user.role == "fineGrained":
        token["fineGrained"] = {"canReadGatedRepos": True, "global": ["discussion.write"], "scoped": []}
    return {
        "type": "user",
        "id": hex_id("user", user.name, length=24),
        "name": user.name,
        "fullname": user.fullname or user.name,
        "email": user.email or f"{user.name}@example.invalid",
        "emailVerified": True,
        "canPay": False,
        "billingMode": "prepaid",
        "periodEnd": None,
        "isPro": False,
        "avatarUrl": f"/avatars/{hex_id('avatar', user.name, length=32)}.svg",
        "orgs": [
            {
                "type": "org",
                "name": org,
                "fullname": org,
                "id": hex_id("org", org, length=24),
                "roleInOrg": "read",
            }
            for org in user.orgs
        ],
        "auth": {"type": "access_token", "accessToken": token},
    }
