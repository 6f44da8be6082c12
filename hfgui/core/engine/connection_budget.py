"""The ranged connections all segmented files of one run share, and the bytes they moved together."""

from __future__ import annotations

import threading


class ConnectionBudget:
    """What the segmented files of one run share: the extra connections (beyond each file's first) they
    may hold at once, and the bytes they moved together.

    Growth is judged on the run's bytes, not one file's: when several big files download at once, a
    connection that only takes bandwidth from its neighbours raises its own file's rate but not the
    run's, and does not pay. And one file measures at a time (it holds the trial until its count
    settles): steps taken together would each be credited with the others' gains, and eight files
    trying more connections at once is eight more busy threads on a machine that may have none to spare.
    """

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._left = limit
        self._moved = 0
        self._trial: object | None = None  # the runner whose growth is being measured

    def claim_trial(self, owner: object) -> bool:
        """Whether `owner` may measure growth now (it then holds the trial until it releases it)."""
        with self._lock:
            if self._trial is None:
                self._trial = owner
            return self._trial is owner

    def release_trial(self, owner: object) -> None:
        with self._lock:
            if self._trial is owner:
                self._trial = None

    def moved(self, nbytes: int) -> None:
        with self._lock:
            self._moved += nbytes

    @property
    def total(self) -> int:
        """Bytes all files of the run have moved so far."""
        with self._lock:
            return self._moved

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def give(self) -> None:
        with self._lock:
            self._left += 1
