"""Fixed-window rate limiting per bucket (api, resolvers, pages) with the Hub's RateLimit headers."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

DEFAULT_QUOTA = 1_000_000  # high, so tests never hit it unless they ask for it
DEFAULT_WINDOW = 300


@dataclass
class _Bucket:
    quota: int
    window: int
    started: float
    used: int = 0


@dataclass(frozen=True)
class RateDecision:
    bucket: str
    allowed: bool
    remaining: int
    reset: int  # seconds until the window ends
    quota: int
    window: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit": f'"{self.bucket}";r={self.remaining};t={self.reset}',
            "RateLimit-Policy": f'"fixed window";"{self.bucket}";q={self.quota};w={self.window}',
        }


class RateLimiter:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def configure(self, bucket: str, quota: int, window: int = DEFAULT_WINDOW) -> None:
        if bucket not in ("api", "resolvers", "pages"):
            raise ValueError("bucket must be 'api', 'resolvers' or 'pages'")
        with self._lock:
            self._buckets[bucket] = _Bucket(quota, window, self._clock())

    def hit(self, bucket: str) -> RateDecision:
        """Count one request (every request counts, redirects and errors included)."""
        with self._lock:
            now = self._clock()
            state = self._buckets.get(bucket)
            if state is None:
                state = self._buckets[bucket] = _Bucket(DEFAULT_QUOTA, DEFAULT_WINDOW, now)
            if now - state.started >= state.window:
                state.started, state.used = now, 0
            state.used += 1
            reset = max(1, math.ceil(state.started + state.window - now))
            allowed = state.used <= state.quota
            remaining = max(0, state.quota - state.used)
            return RateDecision(bucket, allowed, remaining, reset, state.quota, state.window)
