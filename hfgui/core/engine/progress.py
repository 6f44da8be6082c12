"""Thread-safe progress for one model: per-file counters in, coalesced ModelProgress snapshots out.

Workers call `add_bytes` from many threads; the consumer (CLI or window) receives immutable snapshots.
State changes are delivered at once; byte-only updates at most every `min_interval` seconds, so a consumer
sees about ten byte updates a second however many files run in parallel.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace

from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState, RetryNotice

ProgressCallback = Callable[[ModelProgress], None]
log = logging.getLogger(__name__)


# No byte for this long while downloading: the speed shown is 0 and the window says "no data for N s"
# (the stall timeout, 10 s, then reconnects). Bytes of a slow but moving link arrive far more often.
QUIET_SECONDS = 3.0


def _is_complete(state: FileState) -> int:
    return 1 if state in (FileState.DONE, FileState.SKIPPED) else 0


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


class _FileCounter:
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


class ProgressAggregator:
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
        self.repo_id = repo_id
        self._on_progress = on_progress
        self._min_interval = min_interval
        self._clock = clock
        self._lock = threading.Lock()  # guards the counters
        self._emit_lock = threading.Lock()  # keeps snapshots delivered in the order they were taken
        self._files: dict[str, _FileCounter] = {}
        self._order: list[str] = []
        for path, total in files:
            self._files[path] = _FileCounter(len(self._order), path, int(total), window)
            self._order.append(path)
        # Latest FileProgress per file, in order. A snapshot refreshes only the slots of changed or
        # downloading files and copies the list, so a 2,500-file model costs no more than a small one.
        self._slots: list[FileProgress] = [c.progress(0.0) for c in self._files.values()]
        self._stale: set[_FileCounter] = set()
        self._downloading = 0  # files in state DOWNLOADING
        self._reconnecting: dict[int, _FileCounter] = {}  # by index: downloading files waiting to reconnect
        self._changed: set[int] = set()  # slots changed since the last delivered snapshot
        self._state = ModelState.QUEUED
        self._error: str | None = None
        self._done = 0
        self._total = sum(c.total for c in self._files.values())
        self._finished = 0  # files DONE or SKIPPED
        self._downloaded = 0  # bytes moved in this run; the speed is computed from it
        self._rate = RollingRate(window)
        self._last_byte = clock()  # when a byte last arrived, or files last started downloading
        self._last_emit = float("-inf")
        self._dirty = False
        # A throttled byte update is delivered later by a timer, so a stalled transfer still shows its
        # last bytes instead of the value from before the throttle window.
        self._trailing = trailing and on_progress is not None
        self._timer: threading.Timer | None = None
        self._closed = False
        # While downloading, a snapshot at least every `heartbeat` seconds: when no byte arrives (a
        # stall, a dropped connection being retried) the speed must be seen falling, not frozen.
        self._heartbeat = heartbeat if on_progress is not None else None
        self._stop_heartbeat = threading.Event()
        self._heartbeat_thread: threading.Thread | None = None

    # --- updates from workers ---------------------------------------------------------------------

    def add_bytes(self, path: str, n: int) -> None:
        """Count `n` new bytes for `path` (negative when a transfer restarts from zero)."""
        with self._lock:
            counter = self._files[path]
            counter.done += n
            counter.cached = None
            self._stale.add(counter)
            self._changed.add(counter.index)
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
                self._timer = threading.Timer(wait, self._flush_trailing)
                self._timer.daemon = True
                self._timer.start()
        if due:
            self._emit(force=resumed)

    def set_bytes(self, path: str, done: int) -> None:
        """Set a file's byte count without it counting as speed (bytes found on disk, a resumed partial)."""
        with self._lock:
            counter = self._files[path]
            self._done += done - counter.done
            counter.done = done
            counter.cached = None
            self._stale.add(counter)
            self._changed.add(counter.index)
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
            counter.cached = None
            self._stale.add(counter)
            self._changed.add(counter.index)
        self._emit(force=True)

    def _end_reconnect(self, counter: _FileCounter) -> None:
        counter.reconnecting = None
        self._reconnecting.pop(counter.index, None)
        # The wait is not speed: restart the file's rate from the bytes that arrive now.
        counter.rate = RollingRate(counter.rate.window, counter.rate.resolution)
        counter.rate.record(self._clock(), counter.done)

    def set_state(self, path: str, state: FileState, error: str | None = None) -> None:
        with self._lock:
            counter = self._files[path]
            self._finished += _is_complete(state) - _is_complete(counter.state)
            if state is FileState.DOWNLOADING and self._downloading == 0:
                self._last_byte = self._clock()  # quiet time counts from when something downloads
            self._downloading += (state is FileState.DOWNLOADING) - (counter.state is FileState.DOWNLOADING)
            if counter.reconnecting is not None and state is not FileState.DOWNLOADING:
                counter.reconnecting = None
                self._reconnecting.pop(counter.index, None)
            counter.state = state
            counter.error = error
            counter.cached = None
            self._stale.add(counter)
            self._changed.add(counter.index)
            if state in (FileState.DONE, FileState.SKIPPED) and counter.done != counter.total:
                # A finished file holds exactly its size, whatever the byte callbacks said on the way.
                self._done += counter.total - counter.done
                counter.done = counter.total
        self._emit(force=True)

    def set_model_state(self, state: ModelState, error: str | None = None) -> None:
        with self._lock:
            self._state = state
            self._error = error
            start = (
                state is ModelState.DOWNLOADING
                and self._heartbeat is not None
                and self._heartbeat_thread is None
                and not self._closed
            )
            if start:
                self._heartbeat_thread = threading.Thread(
                    target=self._beat, name="hfgui-progress-heartbeat", daemon=True
                )
        if start:
            self._heartbeat_thread.start()
        self._emit(force=True)

    def close(self) -> None:
        """Stop the trailing timer and the heartbeat (call when the download is over)."""
        with self._lock:
            self._closed = True
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self._stop_heartbeat.set()
        beating = self._heartbeat_thread
        if beating is not None and beating is not threading.current_thread():
            beating.join()  # no heartbeat snapshot may follow the final ones

    def _beat(self) -> None:
        while not self._stop_heartbeat.wait(self._heartbeat):
            with self._lock:
                quiet = self._clock() - self._last_emit >= self._heartbeat
                downloading = self._state is ModelState.DOWNLOADING
            if quiet and downloading:
                try:
                    self._emit(force=True)
                except Exception:  # a consumer's error must not end the heartbeat silently
                    log.exception("Progress callback failed")

    def _flush_trailing(self) -> None:
        with self._lock:
            self._timer = None
            if self._closed:
                return
        self.flush()

    def flush(self) -> None:
        """Deliver pending byte updates now."""
        with self._lock:
            dirty = self._dirty
        if dirty:
            self._emit(force=True)

    # --- snapshots -------------------------------------------------------------------------------

    def snapshot(self) -> ModelProgress:
        with self._lock:
            return self._snapshot_locked(self._clock())

    def _snapshot_locked(self, now: float) -> ModelProgress:
        slots = self._slots
        for counter in self._stale:
            slots[counter.index] = counter.progress(now)
        # Downloading files stay stale: their speed changes with time even without new bytes.
        self._stale = {c for c in self._stale if c.state is FileState.DOWNLOADING}
        files = tuple(slots)
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

    def _emit(self, *, force: bool) -> None:
        if self._on_progress is None:
            with self._lock:
                self._dirty = False
            return
        # Byte updates never wait for a busy consumer: the next one carries the same counters.
        if not self._emit_lock.acquire(blocking=force):
            return
        try:
            with self._lock:
                now = self._clock()
                if not force and now - self._last_emit < self._min_interval:
                    return
                self._last_emit = now
                self._dirty = False
                changed, self._changed = tuple(sorted(self._changed)), set()
                snap = replace(self._snapshot_locked(now), changed=changed)
            self._on_progress(snap)
        finally:
            self._emit_lock.release()
