"""Where the Hugging Face cache is, and where each part of one repository's commit goes inside it."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hfgui.core.errors import UnsafePathError
from hfgui.core.store.hashing import checked_etag, normalize_etag
from hfgui.core.store.pathsafe import check_repo_path, safe_join
from hfgui.core.wire.repo_id import validate_repo_id

REPO_PREFIX = "models--"
SEPARATOR = "--"
STAGING_DIR_NAME = ".hfgui-staging"  # inside the repo folder: same filesystem as blobs/, gone with the repo
_COMMIT = re.compile(r"[0-9a-f]{40}")


def hub_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """The cache huggingface_hub uses: $HF_HUB_CACHE, legacy $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub.

    $HF_HOME defaults to $XDG_CACHE_HOME/huggingface, then ~/.cache/huggingface.
    """
    env = os.environ if env is None else env

    def expand(value: str) -> Path:
        return Path(os.path.expandvars(os.path.expanduser(value)))

    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(name):
            return expand(env[name])
    if env.get("HF_HOME"):
        return expand(env["HF_HOME"]) / "hub"
    xdg = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return expand(xdg) / "huggingface" / "hub"


def cache_root(cache_dir: Path | None) -> Path:
    """`cache_dir`, or huggingface_hub's own cache when it is None."""
    return hub_cache_dir() if cache_dir is None else Path(cache_dir)


def repo_folder_name(repo_id: str) -> str:
    """`owner/name` -> `models--owner--name` (hfgui's repo ids never contain `--`, so this is reversible)."""
    return REPO_PREFIX + repo_id.replace("/", SEPARATOR)


def repo_id_from_folder(name: str) -> str | None:
    if not name.startswith(REPO_PREFIX) or len(name) == len(REPO_PREFIX):
        return None
    return name[len(REPO_PREFIX) :].replace(SEPARATOR, "/")


def is_commit(text: str) -> bool:
    """A full 40-hex commit sha, as snapshot folders and refs/ files name them."""
    return bool(_COMMIT.fullmatch(text or ""))


def _check_commit(commit: str) -> str:
    if not is_commit(commit):
        raise UnsafePathError(commit, "the commit is not a 40-character hex sha")
    return commit


@dataclass(frozen=True)
class CacheTarget:
    """Where one commit of one repository goes in a Hugging Face cache."""

    repo_id: str
    commit: str  # 40-hex
    revision: str = "main"  # the name the user asked for; refs/<revision> records it
    cache_dir: Path | None = None  # None: hub_cache_dir()

    def __post_init__(self) -> None:
        validate_repo_id(self.repo_id)
        _check_commit(self.commit)
        object.__setattr__(self, "cache_dir", cache_root(self.cache_dir))

    @property
    def repo_folder(self) -> Path:
        return self.cache_dir / repo_folder_name(self.repo_id)

    @property
    def blobs_dir(self) -> Path:
        return self.repo_folder / "blobs"

    @property
    def snapshot_dir(self) -> Path:
        return self.repo_folder / "snapshots" / self.commit

    @property
    def staging_dir(self) -> Path:
        """Partials for this repo: beside blobs/ (so installing is a rename), invisible to huggingface_hub."""
        return self.repo_folder / STAGING_DIR_NAME

    @property
    def tree_file(self) -> Path:
        return self.repo_folder / "trees" / f"{self.commit}.json"

    def blob_path(self, etag: str) -> Path:
        # The blob name comes straight from the server: anything but a hex digest could name a path.
        return self.blobs_dir / checked_etag(etag, etag)

    def snapshot_path(self, repo_path: str) -> Path:
        """`snapshots/<commit>/<repo_path>`; UnsafePathError for hostile paths (checked, nothing created)."""
        parts = check_repo_path(repo_path)
        if len(parts) > 1:
            # Check the folder part only: the entry itself may already be a symlink into blobs/.
            safe_join(self.snapshot_dir, "/".join(parts[:-1]))
        return self.snapshot_dir.joinpath(*parts)

    def ready_path(self, repo_path: str, etag: str) -> Path:
        """Where the downloader leaves a verified file before `install_file` takes it (same filesystem)."""
        key = hashlib.sha256(f"{repo_path}\0{normalize_etag(etag)}".encode()).hexdigest()[:40]
        return self.staging_dir / "ready" / key

    def ref_path(self) -> Path | None:
        """`refs/<revision>`, or None when the revision is the commit itself (nothing to record)."""
        if self.revision == self.commit:
            return None
        check_repo_path(self.revision)  # "refs/pr/1" is fine, ".." is not
        return self.repo_folder / "refs" / Path(*self.revision.split("/"))
