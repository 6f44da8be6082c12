"""Progress of each file: its counters, its speed over a rolling window, and its slot in a snapshot."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from hfgui.core.types import FileProgress, FileState, RetryNotice


class RollingRate:
    """Bytes per second over the last `window` seconds, from (time, cumulative bytes) samples."""

    def __init__(self, window: float = 5.0, resolution: float = 0.1) -> None:
        self.window = window
        self.resolution = resolution
        self._samples: deque[tuple[float, int]] = deque()

    def record(self, now: float, cumulative: int) -> None:
        if len(self._samples) > 1 and now - self._samples[-1][0] < self.resolution:
            # One sample per resolution step: refresh the newest instead of growing the deque.
            self._samples[-1] = (self._samples[-1][0], cumulative)
        else:
            self._samples.append((now, cumulative))
        # Keep the newest sample at or before the window start as the baseline.
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
            self._samples.popleft()

    def rate(self, now: float) -> float:
        if len(self._samples) < 2:
            return 0.0
        t0, b0 = self._samples[0]
        t1, b1 = self._samples[-1]
        if now - t1 >= self.window:
            return 0.0  # nothing arrived for a whole window: stalled, not slow
        elapsed = now - t0
        if elapsed <= 0:
            return 0.0
        return max(0.0, (b1 - b0) / elapsed)


class FileCounter:
    """One file's bytes, state and speed; its FileProgress is rebuilt only after a change (or while it
    downloads, as its speed changes with time)."""

    __slots__ = ("cached", "done", "error", "index", "path", "rate", "reconnecting", "state", "total")

    def __init__(self, index: int, path: str, total: int, window: float) -> None:
        self.index = index  # position in the snapshot's files tuple
        self.path = path
        self.total = total
        self.done = 0
        self.state = FileState.QUEUED
        self.error: str | None = None
        self.reconnecting: RetryNotice | None = None
        self.rate = RollingRate(window)
        self.cached: FileProgress | None = None  # last snapshot of an idle file, reused while unchanged

    def progress(self, now: float) -> FileProgress:
        if self.cached is not None and self.state is not FileState.DOWNLOADING:
            return self.cached
        snap = FileProgress(
            path=self.path,
            bytes_done=self.done,
            bytes_total=self.total,
            state=self.state,
            speed=self.rate.rate(now) if self.moving else 0.0,
            error=self.error,
            reconnecting=self.reconnecting,
        )
        self.cached = snap
        return snap

    @property
    def moving(self) -> bool:
        """Downloading and not waiting to reconnect: the only state in which it has a speed."""
        return self.state is FileState.DOWNLOADING and self.reconnecting is None


class FileSlots:
    """The latest FileProgress of every file, in order. A snapshot refreshes only the slots of changed or
    downloading files and copies the list, so a 2,500-file model costs no more than a small one."""

    def __init__(self, counters: Iterable[FileCounter]) -> None:
        self.slots: list[FileProgress] = [c.progress(0.0) for c in counters]
        self.stale: set[FileCounter] = set()  # counters whose slot is out of date
        self.changed: set[int] = set()  # slots changed since the last delivered snapshot

    def touch(self, counter: FileCounter) -> None:
        """The counter changed: rebuild its FileProgress and refresh its slot in the next snapshot."""
        counter.cached = None
        self.stale.add(counter)
        self.changed.add(counter.index)

    def refresh(self, now: float) -> tuple[FileProgress, ...]:
        slots = self.slots
        for counter in self.stale:
            slots[counter.index] = counter.progress(now)
        # Downloading files stay stale: their speed changes with time even without new bytes.
        self.stale = {c for c in self.stale if c.state is FileState.DOWNLOADING}
        return tuple(slots)

    def take_changed(self) -> tuple[int, ...]:
        """The slots changed since the last call, in order (what a delivered snapshot says changed)."""
        changed, self.changed = tuple(sorted(self.changed)), set()
        return changed
