"""Retry policy: which answers are retried, how long to wait (backoff with jitter, RateLimit, Retry-After)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

_RATELIMIT_FIELD = re.compile(r";\s*([rt])\s*=\s*(\d+)")


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5  # retries after the first attempt
    base_wait: float = 1.0  # first backoff, doubled each retry
    max_wait: float = 8.0  # cap of one backoff
    max_total_wait: float = 120.0  # cap of all waiting within one call


def is_retryable_status(status: int) -> bool:
    return status in RETRY_STATUSES or 500 <= status <= 599


def backoff_delay(retry_number: int, policy: RetryPolicy, rng: Callable[[], float] = random.random) -> float:
    """Wait before retry ``retry_number`` (0-based): half fixed, half random, so clients spread out."""
    ceiling = min(policy.max_wait, policy.base_wait * (2**retry_number))
    return ceiling / 2 + rng() * ceiling / 2


def ratelimit_reset(headers: Mapping[str, str]) -> int | None:
    """Seconds until the quota resets when a ``RateLimit: "bucket";r=0;t=N`` entry is exhausted, else None."""
    value = headers.get("RateLimit")
    if not value:
        return None
    resets = []
    for item in value.split(","):
        fields = dict(_RATELIMIT_FIELD.findall(item))
        if fields.get("r") == "0" and "t" in fields:
            resets.append(int(fields["t"]))
    return max(resets) if resets else None


def ratelimit_remaining(headers: Mapping[str, str]) -> tuple[int, int] | None:
    """(requests left, seconds until the window resets) from ``RateLimit: "bucket";r=N;t=T``, the
    tightest bucket when several are listed; None without the header."""
    value = headers.get("RateLimit")
    if not value:
        return None
    found = []
    for item in value.split(","):
        fields = dict(_RATELIMIT_FIELD.findall(item))
        if "r" in fields:
            found.append((int(fields["r"]), int(fields.get("t", "0"))))
    return min(found) if found else None


def retry_after(headers: Mapping[str, str]) -> int | None:
    """An integer ``Retry-After`` in seconds (the HTTP-date form is ignored, like huggingface_hub does)."""
    value = (headers.get("Retry-After") or "").strip()
    return int(value) if value.isdigit() else None


def server_wait(headers: Mapping[str, str]) -> int | None:
    """How long the server asked us to wait, from RateLimit (exhausted) or Retry-After."""
    reset = ratelimit_reset(headers)
    return reset if reset is not None else retry_after(headers)
