"""Retry timing: backoff with jitter and the server's own wait hints."""

from __future__ import annotations

import pytest

from hfgui.core.wire.ratelimit import (
    RetryPolicy,
    backoff_delay,
    is_retryable_status,
    ratelimit_reset,
    retry_after,
    server_wait,
)


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    policy = RetryPolicy(base_wait=1.0, max_wait=8.0)
    lows = [backoff_delay(n, policy, rng=lambda: 0.0) for n in range(6)]
    highs = [backoff_delay(n, policy, rng=lambda: 1.0) for n in range(6)]
    assert highs == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert lows == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"api";r=0;t=55', 55),
        ('"api";r=12;t=55', None),
        ('"resolvers";r=0; t=7', 7),
        ('"api";r=3;t=9, "resolvers";r=0;t=120', 120),
        ("garbage", None),
        ("", None),
    ],
)
def test_ratelimit_reset(header: str, expected: int | None) -> None:
    assert ratelimit_reset({"RateLimit": header}) == expected


def test_retry_after_integer_only() -> None:
    assert retry_after({"Retry-After": "30"}) == 30
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    assert retry_after({}) is None


def test_server_wait_prefers_ratelimit_then_retry_after() -> None:
    assert server_wait({"RateLimit": '"api";r=0;t=5', "Retry-After": "60"}) == 5
    assert server_wait({"RateLimit": '"api";r=4;t=5', "Retry-After": "60"}) == 60
    assert server_wait({}) is None


def test_retryable_statuses() -> None:
    assert all(is_retryable_status(s) for s in (408, 429, 500, 502, 503, 504, 599))
    assert not any(is_retryable_status(s) for s in (400, 401, 403, 404, 416))


def test_ratelimit_remaining_reads_the_tightest_bucket():
    from hfgui.core.wire.ratelimit import ratelimit_remaining

    assert ratelimit_remaining({"RateLimit": '"resolvers";r=42;t=17'}) == (42, 17)
    assert ratelimit_remaining({"RateLimit": '"api";r=900;t=100, "resolvers";r=3;t=250'}) == (3, 250)
    assert ratelimit_remaining({}) is None
