"""Who a Hub client talks to and as whom: endpoint, token, session and settings, the variants of one client
(cancellable, observed, listening, anonymous), and the headers each URL gets."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Mapping
from typing import Literal, Protocol, TypeVar

import requests

from hfgui.core.types import RetryNotice
from hfgui.core.wire import urls
from hfgui.core.wire.auth import Token, TokenStore, resolve_token
from hfgui.core.wire.http import new_session, user_agent
from hfgui.core.wire.network import NetworkConfig
from hfgui.core.wire.ratelimit import RetryPolicy
from hfgui.core.wire.urls import endpoint_from_env

_Client = TypeVar("_Client", bound="ClientBase")


class ResponseObserver(Protocol):
    def hub_answered(self, status: int, headers: Mapping[str, str]) -> None: ...


class ClientBase:
    """Talks to the Hub at ``endpoint``; the token only ever goes to that endpoint's scheme, host and port.

    One client (and its session) may be shared by worker threads. Its variants are shallow copies that
    share the session, which stays the original's to close.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        token: Token | str | Literal[False] | None = None,
        *,
        store: TokenStore | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        network: NetworkConfig | None = None,
        cancel: threading.Event | None = None,
        on_retry: Callable[[RetryNotice], None] | None = None,
    ) -> None:
        # ``network`` (proxy, CA bundle) shapes the session made here; a caller's own session is used as is.
        # ``cancel`` ends waits between retries (see cancellable()), e.g. when the window closes.
        self.network = network or NetworkConfig()
        self.endpoint = urls.normalize_endpoint(endpoint) if endpoint else endpoint_from_env()
        if token is False:
            self.token: Token | None = None
        elif isinstance(token, Token):
            self.token = token
        else:
            self.token = resolve_token(token, store=store)
        self._owns_session = session is None
        self.session = session if session is not None else new_session(self.network)
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self._cancels: tuple[threading.Event, ...] = (cancel,) if cancel is not None else ()
        self._observer: ResponseObserver | None = None
        # Told before each wait between attempts (the CLI says "retrying in 4 s", a download shows
        # "reconnecting"); called on the requesting thread, so it must return quickly.
        self.on_retry = on_retry

    @property
    def authenticated(self) -> bool:
        return self.token is not None

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self: _Client) -> _Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.endpoint!r}, token={self.token!r})"

    # --- variants --------------------------------------------------------------------------------

    def cancellable(self: _Client, cancel: threading.Event) -> _Client:
        """This client (same session, token and retry policy) whose waits between retries end at
        ``cancel`` with DownloadCancelledError: Pause must not sit out a 503 backoff or a rate-limit wait,
        and a closing window must not wait for one. Clones of clones heed every event they were given."""
        clone = self._variant()
        clone._cancels = (*self._cancels, cancel)
        return clone

    def observed(self: _Client, observer: ResponseObserver) -> _Client:
        """This client (same session and settings) telling ``observer`` the status and headers of every
        answer, retried ones included (a download's concurrency yields to 429s and RateLimit quotas)."""
        clone = self._variant()
        clone._observer = observer
        return clone

    def listening(self: _Client, on_retry: Callable[[RetryNotice], None] | None) -> _Client:
        """This client (same session and settings) telling ``on_retry`` before each wait between attempts
        (None: tell nobody)."""
        clone = self._variant()
        clone.on_retry = on_retry
        return clone

    def anonymous(self: _Client) -> _Client:
        """This client without its token (same session and settings): public information is still
        readable when the Hub rejects the token itself."""
        clone = self._variant()
        clone.token = None
        return clone

    def _variant(self: _Client) -> _Client:
        clone = copy.copy(self)
        clone._owns_session = False  # the session stays this client's to close
        return clone

    # --- headers ---------------------------------------------------------------------------------

    def page_url(self, repo_id: str) -> str:
        return urls.page_url(self.endpoint, repo_id)

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """``Authorization`` for URLs on the endpoint's scheme+host+port only; nothing for a CDN."""
        if self.token is None or not urls.same_origin(url, self.endpoint):
            return {}
        return {"Authorization": f"Bearer {self.token.reveal()}"}

    def _headers_for(self, url: str, extra: dict[str, str] | None) -> dict[str, str | None]:
        headers: dict[str, str | None] = {"User-Agent": user_agent()}
        # A caller's (or the session's) Authorization never leaves here unchecked: we decide per URL.
        headers.update({k: v for k, v in (extra or {}).items() if k.lower() != "authorization"})
        headers["Authorization"] = None  # None removes a session-level header in requests' merge
        headers.update(self.auth_headers_for(url))
        return headers

    def _sent_token(self, url: str) -> bool:
        return bool(self.auth_headers_for(url))
