"""When progress snapshots reach the consumer: state changes at once, byte updates at most every
`min_interval` seconds (the last one delivered by a trailing timer), and a heartbeat while downloading."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hfgui.core.types import ModelProgress

ProgressCallback = Callable[[ModelProgress], None]
log = logging.getLogger(__name__)


class SnapshotDelivery:
    """The delivering half of progress.ProgressAggregator, which counts and builds the snapshots.

    `_lock` guards the subclass's counters and the delivery state here alike; the subclass provides
    `_delivery_snapshot_locked` (the snapshot to deliver now) and `_downloading_locked`.
    """

    def __init__(
        self,
        on_progress: ProgressCallback | None,
        *,
        min_interval: float,
        clock: Callable[[], float] = time.monotonic,
        trailing: bool = True,
        heartbeat: float | None = 1.0,
    ) -> None:
        self._on_progress = on_progress
        self._min_interval = min_interval
        self._clock = clock
        self._lock = threading.Lock()  # guards the counters and the fields below
        self._emit_lock = threading.Lock()  # keeps snapshots delivered in the order they were taken
        self._last_emit = float("-inf")
        self._dirty = False  # byte updates not delivered yet
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

    def _delivery_snapshot_locked(self, now: float) -> ModelProgress:
        raise NotImplementedError

    def _downloading_locked(self) -> bool:
        raise NotImplementedError

    def _start_trailing_locked(self, wait: float) -> None:
        """Deliver the byte update just throttled in `wait` seconds, unless another delivers it first."""
        self._timer = threading.Timer(wait, self._flush_trailing)
        self._timer.daemon = True
        self._timer.start()

    def _new_heartbeat_locked(self) -> threading.Thread | None:
        """The heartbeat thread to start (after the lock is released), when none runs yet."""
        if self._heartbeat is None or self._heartbeat_thread is not None or self._closed:
            return None
        self._heartbeat_thread = threading.Thread(
            target=self._beat, name="hfgui-progress-heartbeat", daemon=True
        )
        return self._heartbeat_thread

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
                downloading = self._downloading_locked()
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
                snap = self._delivery_snapshot_locked(now)
            self._on_progress(snap)
        finally:
            self._emit_lock.release()
