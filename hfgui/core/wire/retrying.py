"""Sending one request to the Hub: retries with backoff and rate-limit waits, cancellable pauses, retry
notices, redirects followed by hand, and failed answers turned into errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from hfgui.core.errors import DownloadCancelledError, HfGuiError, RateLimitedError, RedirectLoopError
from hfgui.core.types import RetryNotice
from hfgui.core.wire import urls
from hfgui.core.wire.client_base import ClientBase
from hfgui.core.wire.failures import answer_error, describe, network_error, refuse_downgrade
from hfgui.core.wire.http import NO_NETRC
from hfgui.core.wire.ratelimit import backoff_delay, is_retryable_status, server_wait
from hfgui.core.wire.tls import certificate_error
from hfgui.core.wire.urls import display_url

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
# Errors worth another attempt; anything else (bad URL, bad scheme) fails at once.
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)

Context = tuple[str | None, str | None, str | None]  # repo_id, revision, path: they shape error messages


class WaitBudget:
    """Total time one call may spend sleeping between attempts."""

    def __init__(self, seconds: float) -> None:
        self.remaining = seconds

    def spend(self, seconds: float) -> None:
        self.remaining = max(0.0, self.remaining - seconds)


class RetryingClient(ClientBase):
    """A Hub client's request(): one answer with status < 400 after retries, or an HfGuiError."""

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        repo_id: str | None = None,
        revision: str | None = None,
        path: str | None = None,
        retry: bool = True,
        allow_redirects: bool = False,
        accept: Collection[int] = (),
    ) -> requests.Response:
        """Send one request (retrying transient failures) and return a response with status < 400, or
        one of the statuses in ``accept`` (the caller handles those itself).

        Redirects are followed by hand when ``allow_redirects`` is set, so Authorization is attached per
        hop and never reaches another host; one from HTTPS to plain HTTP is refused. ``repo_id``/
        ``revision``/``path`` only shape error messages. Raises an HfGuiError subclass for every failure.
        """
        method = method.upper()
        budget = WaitBudget(self.retry.max_total_wait)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(
                method, url, params, headers, stream, retry, budget, (repo_id, revision, path), accept
            )
            location = response.headers.get("Location")
            if not allow_redirects or response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            target = urljoin(response.url, location)
            refuse_downgrade(response.url, target)
            url, params = target, None
            if response.status_code == 303 and method != "HEAD":
                method = "GET"
        raise RedirectLoopError(MAX_REDIRECTS, urls.host_of(url))

    def _send(
        self,
        method: str,
        url: str,
        params: Any,
        headers: dict[str, str] | None,
        stream: bool,
        retry: bool,
        budget: WaitBudget,
        context: Context,
        accept: Collection[int] = (),
    ) -> requests.Response:
        policy = self.retry
        attempt = 0
        while True:
            if self._cancelled():
                raise DownloadCancelledError("Download")
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    headers=self._headers_for(url, headers),
                    stream=stream,
                    timeout=self.timeout,
                    allow_redirects=False,
                    auth=NO_NETRC,
                )
            except _TRANSIENT as exc:
                untrusted = certificate_error(exc, url)
                if untrusted is not None:  # no retry fixes a certificate
                    raise untrusted from None
                delay = backoff_delay(attempt, policy)
                if not retry or attempt >= policy.max_retries or delay > budget.remaining:
                    raise network_error(url, exc, self.timeout) from None
                reason = describe(exc)
                log.info("%s %s failed (%s); retrying in %.1f s", method, display_url(url), reason, delay)
            except requests.RequestException as exc:
                raise network_error(url, exc, self.timeout) from None
            else:
                log.debug("%s %s -> %s", method, display_url(response.url), response.status_code)
                status = response.status_code
                if self._observer is not None:
                    self._observer.hub_answered(status, response.headers)
                if status < 400 or status in accept:
                    return response
                if not (retry and is_retryable_status(status)) or attempt >= policy.max_retries:
                    raise self._error_for(response, context)
                asked = server_wait(response.headers)
                if asked is not None:
                    if asked > budget.remaining:
                        # Sleeping would blow the budget: say how long to wait instead of hanging.
                        if status != 429:
                            raise self._error_for(response, context)
                        response.close()
                        raise RateLimitedError(asked, authenticated=self._sent_token(response.url))
                    delay = min(asked + 1.0, budget.remaining)  # +1: the reset time is rounded down
                else:
                    delay = backoff_delay(attempt, policy)
                    if delay > budget.remaining:
                        raise self._error_for(response, context)
                response.close()
                reason = f"HTTP {status}"
                log.info("%s %s -> %s; retrying in %.1f s", method, display_url(url), status, delay)
            self._tell_retry(url, reason, attempt, delay)
            self._pause(delay)
            budget.spend(delay)
            attempt += 1

    def _error_for(self, response: requests.Response, context: Context) -> HfGuiError:
        return answer_error(
            response,
            *context,
            endpoint=self.endpoint,
            token=self.token,
            sent_token=self._sent_token(response.url),
        )

    def _tell_retry(self, url: str, reason: str, attempt: int, delay: float) -> None:
        if self.on_retry is None:
            return
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        notice = RetryNotice(reason, attempt + 2, self.retry.max_retries + 1, delay, host)
        try:
            self.on_retry(notice)
        except Exception:  # a listener's bug must not turn a retry into a failure
            log.exception("Retry listener failed")

    def _pause(self, delay: float) -> None:
        """Sleep ``delay`` seconds between attempts, or until one of the cancel events is set."""
        if self._sleep is not time.sleep or not self._cancels:
            self._sleep(delay)  # an injected sleep (tests record the backoff instead of waiting) has its say
        elif len(self._cancels) == 1:
            self._cancels[0].wait(delay)
        else:  # no wait-for-any in threading: look at each every tenth of a second
            deadline = time.monotonic() + delay
            while not self._cancelled() and (left := deadline - time.monotonic()) > 0:
                self._cancels[-1].wait(min(left, 0.1))
        if self._cancelled():
            raise DownloadCancelledError("Download")

    def _cancelled(self) -> bool:
        return any(event.is_set() for event in self._cancels)
