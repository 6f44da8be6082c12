"""Repositories of the emulated Hub: commit history, branches, tags, pull-request refs and tree entries."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from .content import Content, as_content

LFS_PATTERNS = ("*.bin", "*.mlmodel", "*.gguf", "*.safetensors", "*.onnx", "*.onnx_data")
LFS_SIZE_THRESHOLD = 10 * 1000 * 1000
SHORT_SHA = re.compile(r"^[0-9a-fA-F]{5,40}$")

LfsRule = Callable[[str, int], "bool | None"]


def default_is_lfs(path: str, size: int) -> bool:
    name = path.rsplit("/", 1)[-1]
    return size >= LFS_SIZE_THRESHOLD or any(fnmatch.fnmatchcase(name, p) for p in LFS_PATTERNS)


def iso_now() -> str:
    now = _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def hex_id(*parts: object, length: int = 40) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:length]


@dataclass(frozen=True)
class RepoFile:
    path: str
    content: Content
    lfs: bool

    @property
    def size(self) -> int:
        return self.content.size

    @property
    def etag(self) -> str:
        """What the Hub sends as the file's (linked) ETag: sha256 for LFS files, git blob sha1 otherwise."""
        return self.content.sha256 if self.lfs else self.content.git_sha1

    @property
    def oid(self) -> str:
        """Tree `oid`: the git blob id of what git stores (the pointer file, for LFS)."""
        if self.lfs:
            pointer = self.content.lfs_pointer()
            return hashlib.sha1(b"blob %d\0" % len(pointer) + pointer).hexdigest()
        return self.content.git_sha1

    @property
    def xet_hash(self) -> str:
        return hashlib.sha256(b"xet:" + self.content.sha256.encode()).hexdigest()

    @property
    def key(self) -> tuple:
        return (self.content.identity, self.lfs)


@dataclass(frozen=True)
class Commit:
    sha: str
    parent: str | None
    files: Mapping[str, RepoFile]
    title: str
    date: str
    _dirs: dict = field(default_factory=dict, compare=False, repr=False)

    def directories(self) -> dict[str, str]:
        """Every directory path (not the root) mapped to a deterministic tree id; computed once."""
        if not self._dirs:
            lines: dict[str, list[str]] = {}
            for path, repo_file in self.files.items():
                parts = path.split("/")
                for depth in range(1, len(parts)):
                    lines.setdefault("/".join(parts[:depth]), [])
                if len(parts) > 1:
                    lines["/".join(parts[:-1])].append(f"f {path} {repo_file.key!r}")
            dirs: dict[str, str] = {}
            # Deepest first, so a directory's id can include its subdirectories' ids.
            for directory in sorted(lines, key=lambda d: d.count("/"), reverse=True):
                dirs[directory] = hashlib.sha1("\n".join(sorted(lines[directory])).encode()).hexdigest()
                if "/" in directory:
                    lines[directory.rsplit("/", 1)[0]].append(f"d {directory} {dirs[directory]}")
            self._dirs.update(dirs)
            self._dirs.setdefault("", "")  # marks "computed" even for repos without directories
        return {k: v for k, v in self._dirs.items() if k}

    def is_dir(self, path: str) -> bool:
        return path == "" or path in self.directories()


class Repo:
    """A model repository. Also the handle `HubEmulator.add_repo` returns (alias RepoHandle)."""

    def __init__(
        self,
        repo_id: str,
        files: Mapping[str, bytes | str | Content] | None = None,
        *,
        private: bool = False,
        gated: bool | str = False,
        disabled: bool = False,
        lfs: LfsRule | Iterable[str] | None = None,
        branch: str = "main",
        library_name: str | None = None,
        pipeline_tag: str | None = None,
        tags: Iterable[str] = (),
        downloads: int = 0,
        likes: int = 0,
        trending_score: int = 0,
        created_at: str | None = None,
        message: str = "Initial commit",
    ) -> None:
        if gated not in (False, "auto", "manual", True):
            raise ValueError("gated must be False, 'auto' or 'manual'")
        self.repo_id = repo_id
        self.private = private
        self.gated: bool | str = "auto" if gated is True else gated
        self.disabled = disabled
        self._lfs_rule = lfs
        self.default_branch = branch
        self.library_name = library_name
        self.pipeline_tag = pipeline_tag
        self.tags = list(tags)
        self.downloads = downloads
        self.likes = likes
        self.trending_score = trending_score
        self.created_at = created_at or iso_now()
        self.object_id = hex_id("repo", repo_id, length=24)
        self.commits: dict[str, Commit] = {}
        self.branches: dict[str, str] = {}
        self.git_tags: dict[str, str] = {}
        self.pull_requests: dict[int, str] = {}
        self._lock = threading.RLock()
        self._last_commit_cache: dict[tuple[str, str], Commit] = {}
        self.commit(files or {}, message=message, branch=branch)

    # -- identity ---------------------------------------------------------------------------
    @property
    def owner(self) -> str:
        return self.repo_id.split("/", 1)[0] if "/" in self.repo_id else ""

    @property
    def sha(self) -> str:
        """Head commit of the default branch."""
        return self.branches[self.default_branch]

    @property
    def head(self) -> Commit:
        return self.commits[self.sha]

    def __repr__(self) -> str:
        return f"Repo({self.repo_id!r}, sha={self.sha[:7]})"

    # -- writing ----------------------------------------------------------------------------
    def is_lfs(self, path: str, size: int) -> bool:
        rule = self._lfs_rule
        if rule is None:
            return default_is_lfs(path, size)
        if callable(rule):
            decided = rule(path, size)
            return default_is_lfs(path, size) if decided is None else bool(decided)
        return any(
            fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], p) for p in rule
        )

    def _new_commit(
        self,
        parent: str | None,
        files: Mapping[str, bytes | str | Content],
        delete: Iterable[str],
        message: str,
    ) -> Commit:
        tree = dict(self.commits[parent].files) if parent else {}
        for path in delete:
            if path not in tree:
                raise KeyError(f"cannot delete {path!r}: not in {self.repo_id}")
            del tree[path]
        for path, value in files.items():
            if not path or path.startswith("/") or "//" in path or path.endswith("/"):
                raise ValueError(f"bad repo path {path!r}")
            content = as_content(value)
            tree[path] = RepoFile(path, content, self.is_lfs(path, content.size))
        sha = hex_id(
            "commit",
            self.repo_id,
            parent,
            message,
            sorted((p, f.key) for p, f in tree.items()),
            len(self.commits),
        )
        commit = Commit(sha=sha, parent=parent, files=tree, title=message, date=iso_now())
        self.commits[sha] = commit
        return commit

    def commit(
        self,
        files: Mapping[str, bytes | str | Content] | None = None,
        delete: Iterable[str] = (),
        *,
        message: str = "Update files",
        branch: str | None = None,
    ) -> str:
        """New commit on `branch` (default branch if None) adding/changing `files` and deleting `delete`."""
        branch = branch or self.default_branch
        with self._lock:
            commit = self._new_commit(self.branches.get(branch), files or {}, delete, message)
            self.branches[branch] = commit.sha
            return commit.sha

    def create_branch(self, name: str, revision: str | None = None) -> str:
        with self._lock:
            self.branches[name] = self._must_resolve(revision or self.default_branch).sha
            return self.branches[name]

    def tag(self, name: str, revision: str | None = None) -> str:
        with self._lock:
            self.git_tags[name] = self._must_resolve(revision or self.default_branch).sha
            return self.git_tags[name]

    def create_pr(
        self, files: Mapping[str, bytes | str | Content] | None = None, delete: Iterable[str] = ()
    ) -> tuple[int, str]:
        """A pull request on top of the default branch; its revision is `refs/pr/<number>`."""
        with self._lock:
            number = max(self.pull_requests, default=0) + 1
            commit = self._new_commit(self.sha, files or {}, delete, f"Pull request #{number}")
            self.pull_requests[number] = commit.sha
            return number, commit.sha

    # -- reading ----------------------------------------------------------------------------
    def resolve(self, revision: str) -> Commit | None:
        """Branch, tag, `refs/heads/x`, `refs/tags/x`, `refs/pr/N`, full or unique short commit sha."""
        with self._lock:
            if revision in self.branches:
                return self.commits[self.branches[revision]]
            if revision in self.git_tags:
                return self.commits[self.git_tags[revision]]
            for prefix, refs in (("refs/heads/", self.branches), ("refs/tags/", self.git_tags)):
                if revision.startswith(prefix) and revision[len(prefix) :] in refs:
                    return self.commits[refs[revision[len(prefix) :]]]
            match = re.fullmatch(r"refs/pr/(\d+)", revision)
            if match and int(match.group(1)) in self.pull_requests:
                return self.commits[self.pull_requests[int(match.group(1))]]
            if SHORT_SHA.match(revision):
                lowered = revision.lower()
                found = [c for sha, c in self.commits.items() if sha.startswith(lowered)]
                if len(found) == 1:
                    return found[0]
            return None

    def _must_resolve(self, revision: str) -> Commit:
        commit = self.resolve(revision)
        if commit is None:
            raise KeyError(f"unknown revision {revision!r} in {self.repo_id}")
        return commit

    def last_commit_for(self, commit: Commit, path: str) -> Commit:
        """Oldest commit in the unbroken run of ancestors that have `path` exactly as in `commit`."""
        cache_key = (commit.sha, path)
        found = self._last_commit_cache.get(cache_key)
        if found is None:
            target = commit.files.get(path)
            found = commit
            while found.parent:
                parent = self.commits[found.parent]
                if target is not None:
                    entry = parent.files.get(path)
                    if entry is None or entry.key != target.key:
                        break
                elif not parent.is_dir(path):
                    break
                found = parent
            self._last_commit_cache[cache_key] = found
        return found

    def used_storage(self) -> int:
        seen: dict[tuple, int] = {}
        for commit in list(self.commits.values()):
            for repo_file in commit.files.values():
                seen[repo_file.key] = repo_file.size
        return sum(seen.values())
