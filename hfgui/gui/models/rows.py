"""What one row of the models view holds: the model it describes and its current download state."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from hfgui.core.engine.progress import QUIET_SECONDS
from hfgui.core.library.catalog import CatalogEntry
from hfgui.core.types import ModelProgress, RetryNotice
from hfgui.gui.widgets.formatting import permille, reconnecting_text, speed_text


class Status(enum.Enum):
    AVAILABLE = "Available"
    PRIVATE_OR_MISSING = "Not found or private"  # asked without a token: the Hub does not say which
    NOT_FOUND = "Not found"  # asked with a token: no such repository for this account
    LICENSE_REQUIRED = "License required"
    OFFLINE = "Offline"  # the Hub could not be asked
    QUEUED = "Queued"
    WAITING = "Waiting for the Hub"  # queued while the Hub cannot be reached; starts when it answers
    DOWNLOADING = "Downloading"
    VERIFYING = "Verifying"
    INSTALLED = "Installed"
    PAUSED = "Paused"
    FAILED = "Failed"

    @property
    def active(self) -> bool:
        """A download for the model is queued, waiting for the Hub or running."""
        return self in (Status.QUEUED, Status.WAITING, Status.DOWNLOADING, Status.VERIFYING)

    @property
    def hub_decides(self) -> bool:
        """A state only an answer from the Hub can tell (offline, it is unknown)."""
        return self in HUB_DECIDED


HUB_DECIDED = frozenset(
    {Status.AVAILABLE, Status.PRIVATE_OR_MISSING, Status.NOT_FOUND, Status.LICENSE_REQUIRED, Status.OFFLINE}
)


@dataclass(frozen=True)
class ModelEntry:
    """A model the window offers: from the bundled catalog or added by the user."""

    key: str  # unique within the view (a repo may appear twice, e.g. two quantisations of one GGUF repo)
    name: str
    repo_id: str
    format: str  # group label, e.g. "Core ML", "GGUF (llama.cpp)"
    format_label: str = ""  # the file format itself, e.g. ".mlpackage"
    quantization: str = ""
    ram_hint: str = ""
    include: tuple[str, ...] = ()  # file globs to fetch; empty = the whole repository
    exclude: tuple[str, ...] = ()
    revision: str = "main"
    description: str = ""
    user_added: bool = False
    catalog: CatalogEntry | None = field(default=None, compare=False, repr=False)


LOCATION_LABELS = {"hf-cache": "Hugging Face cache", "reference": "imported"}


@dataclass(frozen=True)
class RowState:
    """Everything the view paints for one model; replaced (never mutated) on every change."""

    entry: ModelEntry
    status: Status = Status.AVAILABLE
    size: int | None = None  # exact bytes from the tree listing; None while unknown
    progress: ModelProgress | None = None
    error: str | None = None  # one-line message when FAILED (or why a token is needed)
    location: str = ""  # INSTALLED outside the library: "hf-cache" or "reference"
    notice: RetryNotice | None = None  # QUEUED: a Hub request of its planning is waiting to try again

    def with_(self, **changes) -> RowState:
        return replace(self, **changes)

    @property
    def permille(self) -> int:
        if self.progress is None:
            return 1000 if self.status is Status.INSTALLED else 0
        return permille(self.progress.bytes_done, self.progress.bytes_total)

    @property
    def shown_size(self) -> int | None:
        if self.size is not None:
            return self.size
        if self.progress is not None and self.progress.bytes_total:
            return self.progress.bytes_total
        return None

    @property
    def cell_text(self) -> str:
        """The status in the models list: beside a progress bar "Downloading" goes without saying."""
        progress = self.progress
        if (
            self.status is Status.DOWNLOADING
            and progress is not None
            and (progress.reconnecting is None or progress.speed)
            and progress.idle_seconds < QUIET_SECONDS
        ):
            speed = speed_text(progress.speed)
            return f"{self.permille // 10} %" + (f"  ·  {speed}" if speed else "")
        return self.status_text

    @property
    def status_text(self) -> str:
        if self.status is Status.DOWNLOADING:
            progress = self.progress
            if progress is not None and progress.reconnecting is not None and not progress.speed:
                return reconnecting_text(progress.reconnecting)  # while other files move, they show
            if progress is not None and progress.idle_seconds >= QUIET_SECONDS:
                return f"Downloading {self.permille // 10} %  ·  no data for {int(progress.idle_seconds)} s"
            speed = speed_text(progress.speed) if progress is not None else ""
            return f"Downloading {self.permille // 10} %" + (f"  ·  {speed}" if speed else "")
        if self.status is Status.QUEUED and self.notice is not None:
            return reconnecting_text(self.notice)
        if self.status is Status.WAITING and self.progress is not None and self.progress.bytes_total:
            return f"Waiting for the Hub at {self.permille // 10} %"
        if self.status is Status.PAUSED and self.progress is not None and self.progress.bytes_total:
            return f"Paused at {self.permille // 10} %"
        if self.status is Status.FAILED and self.error:
            return f"Failed ({self.error})"
        if self.status is Status.INSTALLED and self.location:
            return f"Installed ({LOCATION_LABELS.get(self.location, self.location)})"
        return self.status.value
