"""Immutable value objects shared by core, CLI and window (safe to pass between threads)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

SHA256_HEX_LEN = 64
GIT_SHA1_HEX_LEN = 40


@dataclass(frozen=True)
class ModelInfo:
    """`GET /api/models/{repo}[/revision/{rev}]`."""

    repo_id: str
    sha: str  # 40-hex commit of the requested revision
    private: bool = False
    gated: str | bool = False  # False, "auto" or "manual"
    disabled: bool = False
    siblings: tuple[str, ...] = ()
    last_modified: str | None = None
    library_name: str | None = None
    pipeline_tag: str | None = None
    tags: tuple[str, ...] = ()
    downloads: int = 0
    likes: int = 0


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a tree listing (`GET /api/models/{repo}/tree/{rev}`)."""

    path: str
    type: str  # "file" or "directory"
    size: int = 0
    oid: str = ""  # git blob sha1 for files (of the pointer, for LFS files)
    lfs_sha256: str | None = None
    lfs_size: int | None = None
    xet_hash: str | None = None

    @property
    def is_file(self) -> bool:
        return self.type == "file"

    @property
    def is_lfs(self) -> bool:
        return self.lfs_sha256 is not None

    @property
    def etag(self) -> str:
        """The value the Hub sends as (X-Linked-)ETag: sha256 for LFS files, git blob sha1 otherwise."""
        return self.lfs_sha256 if self.lfs_sha256 else self.oid


@dataclass(frozen=True)
class FileMetadata:
    """What a HEAD on a resolve URL tells (read from the last Hub-host response)."""

    commit: str
    etag: str  # normalised: no W/ prefix, no quotes
    size: int | None
    location: str  # URL to GET the content from (CDN URL for LFS files)

    @property
    def is_lfs(self) -> bool:
        return len(self.etag) == SHA256_HEX_LEN


@dataclass(frozen=True)
class Account:
    """`GET /api/whoami-v2`."""

    name: str
    type: str = "user"
    fullname: str = ""
    orgs: tuple[str, ...] = ()
    token_role: str | None = None  # read, write or fineGrained
    token_name: str | None = None


@dataclass(frozen=True)
class ModelSummary:
    """One search result from `GET /api/models`."""

    repo_id: str
    downloads: int = 0
    likes: int = 0
    library_name: str | None = None
    pipeline_tag: str | None = None
    tags: tuple[str, ...] = ()
    private: bool = False
    gated: str | bool = False
    created_at: str | None = None
    last_modified: str | None = None
    trending_score: float | None = None


class FileState(enum.Enum):
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"
    DONE = "done"
    SKIPPED = "skipped"  # already present and verified
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped by the user; partial kept

    @property
    def finished(self) -> bool:
        return self in (FileState.DONE, FileState.SKIPPED, FileState.FAILED, FileState.CANCELLED)


class ModelState(enum.Enum):
    QUEUED = "queued"
    PLANNING = "planning"
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"
    INSTALLED = "installed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RetryNotice:
    """A request or transfer about to try again: after a drop, a stall, a refused connection or a 5xx.

    Given to retry listeners (HubClient.on_retry) as the wait begins, and carried by FileProgress and
    ModelProgress as `reconnecting` until bytes flow again.
    """

    reason: str  # short: "connection dropped", "no data for 10 s", "HTTP 503", "DNS lookup failed"
    attempt: int  # the attempt about to be made: 2 for the first retry
    max_attempts: int  # attempts allowed in all (the first one included)
    delay: float  # seconds waited before that attempt
    host: str = ""  # scheme://host[:port] the request went to


@dataclass(frozen=True)
class FileProgress:
    """Progress of one file. Byte counts are Python ints (64-bit safe)."""

    path: str
    bytes_done: int
    bytes_total: int
    state: FileState
    speed: float = 0.0  # bytes per second, rolling window; 0 while reconnecting
    error: str | None = None  # one-line user message when FAILED
    # Set while the transfer waits to reconnect (state stays DOWNLOADING); None once bytes flow again.
    reconnecting: RetryNotice | None = None


@dataclass(frozen=True)
class ModelProgress:
    """Progress of a whole model download."""

    repo_id: str
    state: ModelState
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int
    speed: float = 0.0  # bytes per second, rolling window
    eta_seconds: float | None = None
    files: tuple[FileProgress, ...] = field(default=())
    error: str | None = None
    # Indexes into `files` of entries whose state or bytes changed since the previous snapshot delivered
    # to the same consumer; None when unknown (treat every entry as changed). Lets a consumer of a
    # 2,500-file model look at a handful of entries per update instead of all of them.
    changed: tuple[int, ...] | None = None
    # The first downloading file that is waiting to reconnect, if any (see FileProgress.reconnecting).
    # While every downloading file is reconnecting, `speed` is 0 and `eta_seconds` None.
    reconnecting: RetryNotice | None = None
    # Seconds since the last byte of this download arrived while files are downloading (0 otherwise).
    # Past QUIET_SECONDS the speed is 0: a stall shows at once, not when the rolling average fades.
    idle_seconds: float = 0.0
