"""Thread-safe progress for one model: per-file counters in, coalesced ModelProgress snapshots out.

Workers call `add_bytes` from many threads; the consumer (CLI or window) receives immutable snapshots.
State changes are delivered at once; byte-only updates at most every `min_interval` seconds, so a consumer
sees about ten byte updates a second however many files run in parallel (progress_delivery.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from hfgui.core.engine.progress_counters import FileCounter, FileSlots
from hfgui.core.engine.progress_counters import RollingRate as RollingRate
from hfgui.core.engine.progress_delivery import ProgressCallback as ProgressCallback
from hfgui.core.engine.progress_delivery import SnapshotDelivery
from hfgui.core.types import FileState, ModelProgress, ModelState, RetryNotice

# No byte for this long while downloading: the speed shown is 0 and the window says "no data for N s"
# (the stall timeout, 10 s, then reconnects). Bytes of a slow but moving link arrive far more often.
QUIET_SECONDS = 3.0


def _is_complete(state: FileState) -> int:
    return 1 if state in (FileState.DONE, FileState.SKIPPED) else 0


class ProgressAggregator(SnapshotDelivery):
    """Counts bytes and states per file and for the model, and builds snapshots from them; when they are
    delivered is SnapshotDelivery's part."""

    def __init__(
        self,
        repo_id: str,
        files: Iterable[tuple[str, int]],
        on_progress: ProgressCallback | None = None,
        *,
        min_interval: float = 0.1,
        window: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        trailing: bool = True,
        heartbeat: float | None = 1.0,
    ) -> None:
        super().__init__(
            on_progress, min_interval=min_interval, clock=clock, trailing=trailing, heartbeat=heartbeat
        )
        self.repo_id = repo_id
        self._files: dict[str, FileCounter] = {}
        for index, (path, total) in enumerate(files):
            self._files[path] = FileCounter(index, path, int(total), window)
        self._slots = FileSlots(self._files.values())
        self._downloading = 0  # files in state DOWNLOADING
        self._reconnecting: dict[int, FileCounter] = {}  # by index: downloading files waiting to reconnect
        self._state = ModelState.QUEUED
        self._error: str | None = None
        self._done = 0
        self._total = sum(c.total for c in self._files.values())
        self._finished = 0  # files DONE or SKIPPED
        self._downloaded = 0  # bytes moved in this run; the speed is computed from it
        self._rate = RollingRate(window)
        self._last_byte = clock()  # when a byte last arrived, or files last started downloading

    # --- updates from workers ---------------------------------------------------------------------

    def add_bytes(self, path: str, n: int) -> None:
        """Count `n` new bytes for `path` (negative when a transfer restarts from zero)."""
        # Called for every chunk read: FileSlots.touch and the throttle check are inline on purpose.
        with self._lock:
            counter = self._files[path]
            counter.done += n
            counter.cached = None
            slots = self._slots
            slots.stale.add(counter)
            slots.changed.add(counter.index)
            self._done += n
            self._downloaded += n
            now = self._clock()
            self._last_byte = now
            counter.rate.record(now, counter.done)
            self._rate.record(now, self._downloaded)
            self._dirty = True
            wait = self._min_interval - (now - self._last_emit)
            resumed = n > 0 and counter.reconnecting is not None
            if resumed:  # bytes flow again: say so at once
                self._end_reconnect(counter)
            due = wait <= 0 or resumed
            if not due and self._trailing and self._timer is None and not self._closed:
                self._start_trailing_locked(wait)
        if due:
            self._emit(force=resumed)

    def set_bytes(self, path: str, done: int) -> None:
        """Set a file's byte count without it counting as speed (bytes found on disk, a resumed partial)."""
        with self._lock:
            counter = self._files[path]
            self._slots.touch(counter)
            self._done += done - counter.done
            counter.done = done
            self._dirty = True

    def set_reconnecting(self, path: str, notice: RetryNotice) -> None:
        """The file's transfer is waiting to try again (a drop, a stall, a 503…): shown at once, its
        speed 0 until bytes arrive again (add_bytes clears it)."""
        with self._lock:
            counter = self._files[path]
            if counter.state is not FileState.DOWNLOADING:
                return
            counter.reconnecting = notice
            self._reconnecting[counter.index] = counter
            self._slots.touch(counter)
        self._emit(force=True)

    def _end_reconnect(self, counter: FileCounter) -> None:
        counter.reconnecting = None
        self._reconnecting.pop(counter.index, None)
        # The wait is not speed: restart the file's rate from the bytes that arrive now.
        counter.rate = RollingRate(counter.rate.window, counter.rate.resolution)
        counter.rate.record(self._clock(), counter.done)

    def set_state(self, path: str, state: FileState, error: str | None = None) -> None:
        with self._lock:
            counter = self._files[path]
            self._slots.touch(counter)
            self._finished += _is_complete(state) - _is_complete(counter.state)
            if state is FileState.DOWNLOADING and self._downloading == 0:
                self._last_byte = self._clock()  # quiet time counts from when something downloads
            self._downloading += (state is FileState.DOWNLOADING) - (counter.state is FileState.DOWNLOADING)
            if counter.reconnecting is not None and state is not FileState.DOWNLOADING:
                counter.reconnecting = None
                self._reconnecting.pop(counter.index, None)
            counter.state = state
            counter.error = error
            if state in (FileState.DONE, FileState.SKIPPED) and counter.done != counter.total:
                # A finished file holds exactly its size, whatever the byte callbacks said on the way.
                self._done += counter.total - counter.done
                counter.done = counter.total
        self._emit(force=True)

    def set_model_state(self, state: ModelState, error: str | None = None) -> None:
        with self._lock:
            self._state = state
            self._error = error
            heartbeat = self._new_heartbeat_locked() if state is ModelState.DOWNLOADING else None
        if heartbeat is not None:
            heartbeat.start()
        self._emit(force=True)

    # --- snapshots -------------------------------------------------------------------------------

    def snapshot(self) -> ModelProgress:
        with self._lock:
            return self._snapshot_locked(self._clock())

    def _snapshot_locked(self, now: float) -> ModelProgress:
        files = self._slots.refresh(now)
        first = self._reconnecting[min(self._reconnecting)] if self._reconnecting else None
        reconnecting = first.reconnecting if first is not None else None
        # Every running transfer waits to reconnect: nothing moves, whatever the last seconds averaged.
        waiting = bool(self._reconnecting) and len(self._reconnecting) >= self._downloading
        idle = now - self._last_byte if self._downloading else 0.0
        speed = 0.0 if waiting or idle >= QUIET_SECONDS else self._rate.rate(now)
        remaining = max(0, self._total - self._done)
        eta = remaining / speed if speed > 0 else (0.0 if remaining == 0 else None)
        return ModelProgress(
            repo_id=self.repo_id,
            state=self._state,
            bytes_done=self._done,
            bytes_total=self._total,
            files_done=self._finished,
            files_total=len(self._files),
            speed=speed,
            eta_seconds=eta,
            files=files,
            error=self._error,
            reconnecting=reconnecting,
            idle_seconds=max(0.0, idle),
        )

    def _delivery_snapshot_locked(self, now: float) -> ModelProgress:
        changed = self._slots.take_changed()
        return replace(self._snapshot_locked(now), changed=changed)

    def _downloading_locked(self) -> bool:
        return self._state is ModelState.DOWNLOADING
