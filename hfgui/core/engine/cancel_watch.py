"""The one thread that wakes a cancelled download's reads blocked on a silent socket."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Protocol

CANCEL_POLL = 0.2  # seconds between checks of the cancel event while a read may be blocked


class Interruptible(Protocol):
    def interrupt(self) -> None: ...  # wake every read blocked on its sockets (FileSource)


class CancelWatch:
    """One thread for all running downloads: a cancelled download's blocked reads are woken at once.

    A read on a silent socket only returns at the stall timeout; Pause must not wait that long. One
    shared thread instead of one per file: a model of thousands of small files would otherwise start
    thousands of threads that each wake five times a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[threading.Event, Interruptible]] = {}
        self._keys = itertools.count()
        self._running = False

    def add(self, cancel: threading.Event, source: Interruptible) -> int:
        with self._lock:
            key = next(self._keys)
            self._watched[key] = (cancel, source)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="hfgui-cancel", daemon=True).start()
        return key

    def remove(self, key: int) -> None:
        with self._lock:
            self._watched.pop(key, None)

    def _run(self) -> None:
        while True:
            time.sleep(CANCEL_POLL)
            with self._lock:
                if not self._watched:
                    self._running = False  # add() starts a new thread when needed
                    return
                fired = [key for key, (cancel, _) in self._watched.items() if cancel.is_set()]
                sources = [self._watched.pop(key)[1] for key in fired]
            for source in sources:
                source.interrupt()


CANCEL_WATCH = CancelWatch()
