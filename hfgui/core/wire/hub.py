"""The Hub client: authenticated, retrying, error-mapping HTTP calls and the Hub API calls hfgui makes."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, Literal, Protocol
from urllib.parse import urljoin, urlsplit

import requests

from hfgui.core.errors import (
    DisabledRepoError,
    DowngradeRefusedError,
    DownloadCancelledError,
    EntryNotFoundError,
    GatedRepoError,
    HfGuiError,
    HubHTTPError,
    InvalidTokenError,
    MalformedJsonError,
    NetworkError,
    RateLimitedError,
    RedirectLoopError,
    RepoNotFoundError,
    RevisionNotFoundError,
    UnexpectedResponseError,
)
from hfgui.core.types import Account, FileMetadata, ModelInfo, ModelSummary, RetryNotice, TreeEntry
from hfgui.core.wire import tree_cache, urls
from hfgui.core.wire.auth import Token, TokenStore, redact, resolve_token
from hfgui.core.wire.http import NO_NETRC, json_body, new_session, request_id, server_message, user_agent
from hfgui.core.wire.network import NetworkConfig
from hfgui.core.wire.ratelimit import RetryPolicy, backoff_delay, is_retryable_status, server_wait
from hfgui.core.wire.repo_id import validate_repo_id
from hfgui.core.wire.socks_failures import SocksProxyError
from hfgui.core.wire.tls import certificate_error
from hfgui.core.wire.urls import display_url, endpoint_from_env, model_info_url, resolve_url, tree_url

__all__ = [
    "HubClient",
    "RetryPolicy",
    "endpoint_from_env",
    "model_info_url",
    "resolve_url",
    "tree_url",
    "validate_repo_id",
]

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
INVALID_CREDENTIALS = "Invalid credentials"
DISABLED_MESSAGE = "Access to this resource is disabled."
SORT_FIELDS = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trendingScore",
    "trendingScore": "trendingScore",
    "recent": "lastModified",
    "lastModified": "lastModified",
    "createdAt": "createdAt",
}
# The sorts and format filters offered to people (CLI and window); a format maps to the Hub tag that
# search's `filter` matches.
SEARCH_SORTS = ("downloads", "likes", "trending", "recent")
SEARCH_FORMAT_TAGS = {
    "gguf": "gguf",
    "coreml": "coreml",
    "onnx": "onnx",
    "mlx": "mlx",
    "safetensors": "safetensors",
}
# Errors worth another attempt; anything else (bad URL, bad scheme) fails at once.
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class ResponseObserver(Protocol):
    def hub_answered(self, status: int, headers: Mapping[str, str]) -> None: ...


class _WaitBudget:
    """Total time one call may spend sleeping between attempts."""

    def __init__(self, seconds: float) -> None:
        self.remaining = seconds

    def spend(self, seconds: float) -> None:
        self.remaining = max(0.0, self.remaining - seconds)


class HubClient:
    """Talks to the Hub at ``endpoint``; the token only ever goes to that endpoint's scheme, host and port.

    One client (and its session) may be shared by worker threads.
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

    # --- plumbing ------------------------------------------------------------------------------

    @property
    def authenticated(self) -> bool:
        return self.token is not None

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HubClient(endpoint={self.endpoint!r}, token={self.token!r})"

    def cancellable(self, cancel: threading.Event) -> HubClient:
        """This client (same session, token and retry policy) whose waits between retries end at
        ``cancel`` with DownloadCancelledError: Pause must not sit out a 503 backoff or a rate-limit wait,
        and a closing window must not wait for one. Clones of clones heed every event they were given."""
        clone = copy.copy(self)
        clone._cancels = (*self._cancels, cancel)
        clone._owns_session = False  # the session stays this client's to close
        return clone

    def observed(self, observer: ResponseObserver) -> HubClient:
        """This client (same session and settings) telling ``observer`` the status and headers of every
        answer, retried ones included (a download's concurrency yields to 429s and RateLimit quotas)."""
        clone = copy.copy(self)
        clone._observer = observer
        clone._owns_session = False
        return clone

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

    def listening(self, on_retry: Callable[[RetryNotice], None] | None) -> HubClient:
        """This client (same session and settings) telling ``on_retry`` before each wait between attempts
        (None: tell nobody)."""
        clone = copy.copy(self)
        clone.on_retry = on_retry
        clone._owns_session = False
        return clone

    def anonymous(self) -> HubClient:
        """This client without its token (same session and settings): public information is still
        readable when the Hub rejects the token itself."""
        clone = copy.copy(self)
        clone.token = None
        clone._owns_session = False
        return clone

    def page_url(self, repo_id: str) -> str:
        return urls.page_url(self.endpoint, repo_id)

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """``Authorization`` for URLs on the endpoint's scheme+host+port only; nothing for a CDN."""
        if self.token is None or not urls.same_origin(url, self.endpoint):
            return {}
        return {"Authorization": f"Bearer {self.token.reveal()}"}

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
        budget = _WaitBudget(self.retry.max_total_wait)
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
        budget: _WaitBudget,
        context: tuple[str | None, str | None, str | None],
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
                    raise _network_error(url, exc, self.timeout) from None
                reason = _describe(exc)
                log.info("%s %s failed (%s); retrying in %.1f s", method, display_url(url), reason, delay)
            except requests.RequestException as exc:
                raise _network_error(url, exc, self.timeout) from None
            else:
                log.debug("%s %s -> %s", method, display_url(response.url), response.status_code)
                status = response.status_code
                if self._observer is not None:
                    self._observer.hub_answered(status, response.headers)
                if status < 400 or status in accept:
                    return response
                if not (retry and is_retryable_status(status)) or attempt >= policy.max_retries:
                    raise self._error_for(response, *context)
                asked = server_wait(response.headers)
                if asked is not None:
                    if asked > budget.remaining:
                        # Sleeping would blow the budget: say how long to wait instead of hanging.
                        if status != 429:
                            raise self._error_for(response, *context)
                        response.close()
                        raise RateLimitedError(asked, authenticated=self._sent_token(response.url))
                    delay = min(asked + 1.0, budget.remaining)  # +1: the reset time is rounded down
                else:
                    delay = backoff_delay(attempt, policy)
                    if delay > budget.remaining:
                        raise self._error_for(response, *context)
                response.close()
                reason = f"HTTP {status}"
                log.info("%s %s -> %s; retrying in %.1f s", method, display_url(url), status, delay)
            self._tell_retry(url, reason, attempt, delay)
            self._pause(delay)
            budget.spend(delay)
            attempt += 1

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

    def _headers_for(self, url: str, extra: dict[str, str] | None) -> dict[str, str | None]:
        headers: dict[str, str | None] = {"User-Agent": user_agent()}
        # A caller's (or the session's) Authorization never leaves here unchecked: we decide per URL.
        headers.update({k: v for k, v in (extra or {}).items() if k.lower() != "authorization"})
        headers["Authorization"] = None  # None removes a session-level header in requests' merge
        headers.update(self.auth_headers_for(url))
        return headers

    def _sent_token(self, url: str) -> bool:
        return bool(self.auth_headers_for(url))

    def _error_for(
        self, response: requests.Response, repo_id: str | None, revision: str | None, path: str | None
    ) -> HfGuiError:
        """Map a failed response to the error a person understands (order as huggingface_hub's)."""
        status = response.status_code
        code = response.headers.get("X-Error-Code", "")
        message = server_message(response)
        response.close()
        sent_token = self._sent_token(response.url)
        if repo_id:
            if code == "RevisionNotFound":
                return RevisionNotFoundError(repo_id, revision or "main")
            if code == "EntryNotFound":
                return EntryNotFoundError(repo_id, path or "", revision or "main")
            if code == "GatedRepo":
                return GatedRepoError(repo_id, page_url=self.page_url(repo_id), authenticated=sent_token)
            if message == DISABLED_MESSAGE:
                return DisabledRepoError(repo_id)
            if code == "RepoNotFound" or (status == 401 and INVALID_CREDENTIALS not in message):
                return RepoNotFoundError(repo_id, authenticated=sent_token)
        if status == 401 and sent_token and self.token is not None:
            return InvalidTokenError(self.token.label)
        if status == 429:
            return RateLimitedError(server_wait(response.headers), authenticated=sent_token)
        return HubHTTPError(
            status,
            display_url(response.url),
            redact(message, self.token),
            request_id(response),
            cdn=not urls.same_origin(response.url, self.endpoint),
        )

    def _get_json(self, url: str, *, params: Any = None, **context: Any) -> tuple[Any, requests.Response]:
        """GET and decode JSON; a body cut short is retried like a dropped connection (bounded, backoff)."""
        budget = _WaitBudget(self.retry.max_total_wait)
        attempt = 0
        while True:
            response = self.request(
                "GET",
                url,
                params=params,
                headers={"Accept": "application/json"},
                allow_redirects=True,
                **context,
            )
            try:
                return json_body(response), response
            except MalformedJsonError:
                delay = backoff_delay(attempt, self.retry)
                if attempt >= self.retry.max_retries or delay > budget.remaining:
                    raise
                log.info("GET %s: truncated or invalid JSON; retrying in %.1f s", display_url(url), delay)
            self._tell_retry(url, "answer cut short", attempt, delay)
            self._sleep(delay)
            budget.spend(delay)
            attempt += 1

    def _pages(self, url: str, params: Any, **context: Any) -> Iterator[Any]:
        """Items of a paginated JSON list, following ``Link: <…>; rel="next"`` (used verbatim) to the end."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            data, response = self._get_json(next_url, params=params, **context)
            if not isinstance(data, list):
                raise UnexpectedResponseError(
                    display_url(response.url), response.headers.get("Content-Type", "")
                )
            yield from data
            seen.add(response.url)
            link = response.links.get("next", {}).get("url")
            next_url = urljoin(response.url, link) if link else None
            if next_url in seen:  # a broken server must not loop us forever
                raise HubHTTPError(response.status_code, display_url(response.url), "pagination loops")
            params = None  # the next URL already carries the query and its cursor

    # --- Hub calls -----------------------------------------------------------------------------

    def model_info(self, repo_id: str, revision: str | None = None) -> ModelInfo:
        """Model info at ``revision`` (default branch when None); ``sha`` is that revision's commit."""
        validate_repo_id(repo_id)
        url = model_info_url(self.endpoint, repo_id, revision)
        data, response = self._get_json(url, repo_id=repo_id, revision=revision)
        if not isinstance(data, dict) or not isinstance(data.get("sha"), str) or not data["sha"]:
            raise HubHTTPError(
                response.status_code, display_url(response.url), "model info without a commit sha"
            )
        siblings = tuple(
            s["rfilename"] for s in data.get("siblings") or () if isinstance(s, dict) and "rfilename" in s
        )
        return ModelInfo(
            repo_id=str(data.get("id") or repo_id),
            sha=data["sha"],
            private=bool(data.get("private", False)),
            gated=_gated(data.get("gated")),
            disabled=bool(data.get("disabled", False)),
            siblings=siblings,
            last_modified=data.get("lastModified"),
            library_name=data.get("library_name"),
            pipeline_tag=data.get("pipeline_tag"),
            tags=tuple(data.get("tags") or ()),
            downloads=int(data.get("downloads") or 0),
            likes=int(data.get("likes") or 0),
        )

    def iter_tree(
        self, repo_id: str, revision: str = "main", path: str = "", recursive: bool = True
    ) -> Iterator[TreeEntry]:
        """Every entry (files and directories) under ``path``, across all pages.

        A whole recursive listing at a full commit sha is fetched once per process (tree_cache.py).
        """
        validate_repo_id(repo_id)
        cache_key = None
        if tree_cache.cacheable(revision, path, recursive):
            cache_key = tree_cache.key(self.endpoint, repo_id, revision, self.token and self.token.reveal())
            cached = tree_cache.get(cache_key)
            if cached is not None:
                yield from cached
                return
        url = tree_url(self.endpoint, repo_id, revision, path)
        params = {"recursive": "true" if recursive else "false", "expand": "false"}
        listed: list[TreeEntry] = []
        for item in self._pages(url, params, repo_id=repo_id, revision=revision, path=path or None):
            entry = _tree_entry(item, url)
            if cache_key is not None:
                listed.append(entry)
            yield entry
        if cache_key is not None:
            tree_cache.put(cache_key, tuple(listed))

    def list_tree(
        self, repo_id: str, revision: str = "main", path: str = "", recursive: bool = True
    ) -> list[TreeEntry]:
        return list(self.iter_tree(repo_id, revision, path, recursive))

    def file_metadata(self, repo_id: str, path: str, revision: str = "main") -> FileMetadata:
        """HEAD the resolve URL, following Hub-host redirects only; read metadata from the last response."""
        validate_repo_id(repo_id)
        url = resolve_url(self.endpoint, repo_id, path, revision)
        context = {"repo_id": repo_id, "revision": revision, "path": path}
        for _ in range(MAX_REDIRECTS + 1):
            response = self.request("HEAD", url, headers={"Accept-Encoding": "identity"}, **context)
            response.close()
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                target = urljoin(response.url, location)  # keeps the query (resolve-cache needs its etag)
                if urls.same_origin(target, self.endpoint):
                    url = target
                    continue
                return _metadata(response, target, redirected=True)
            return _metadata(response, response.url, redirected=False)
        raise RedirectLoopError(MAX_REDIRECTS, urls.host_of(url))

    def ping(self) -> None:
        """Ask the endpoint once, without retrying: returns when the Hub answered anything (any status)
        and raises NetworkError when it cannot be reached. The window's offline watch uses it."""
        self.request("HEAD", f"{self.endpoint}/", retry=False, accept=range(400, 600)).close()

    def whoami(self) -> Account:
        """The account behind the token (``/api/whoami-v2``)."""
        if self.token is None:
            raise HfGuiError(
                "No Hugging Face token is set, so there is no account to check.",
                "Add a token in Settings or set HF_TOKEN.",
            )
        data, response = self._get_json(urls.whoami_url(self.endpoint))
        if not isinstance(data, dict) or not data.get("name"):
            raise HubHTTPError(
                response.status_code, display_url(response.url), "no account name in the answer"
            )
        orgs = tuple(o["name"] for o in data.get("orgs") or () if isinstance(o, dict) and o.get("name"))
        access = ((data.get("auth") or {}).get("accessToken")) or {}
        return Account(
            name=data["name"],
            type=str(data.get("type") or "user"),
            fullname=str(data.get("fullname") or ""),
            orgs=orgs,
            token_role=access.get("role"),
            token_name=access.get("displayName"),
        )

    def search_models(
        self,
        search: str | None = None,
        *,
        author: str | None = None,
        filters: Iterable[str] | str = (),
        sort: str | None = None,
        limit: int | None = None,
        page_size: int = 100,
        full: bool = False,
    ) -> Iterator[ModelSummary]:
        """Models matching the query, most first by ``sort`` (always descending), up to ``limit``.

        ``full`` asks for the longer records, which carry ``lastModified`` (and file names).
        """
        params: list[tuple[str, str]] = []
        if search:
            params.append(("search", search))
        if author:
            params.append(("author", author))
        if full:
            params.append(("full", "true"))
        params += [("filter", f) for f in ([filters] if isinstance(filters, str) else filters)]
        if sort:
            if sort not in SORT_FIELDS:
                raise HfGuiError(
                    f"Unknown sort order '{sort}'.", "Use downloads, likes, trending, recent or createdAt."
                )
            params.append(("sort", SORT_FIELDS[sort]))
        if limit is not None and limit <= 0:
            return
        params.append(("limit", str(min(page_size, limit) if limit else page_size)))
        count = 0
        for item in self._pages(urls.models_search_url(self.endpoint), params):
            if isinstance(item, dict) and item.get("id"):
                yield _summary(item)
                count += 1
                if limit is not None and count >= limit:
                    return


# --- parsing helpers -----------------------------------------------------------------------------


def _gated(value: Any) -> str | bool:
    return value if value in ("auto", "manual") else bool(value)


def _tree_entry(item: Any, url: str) -> TreeEntry:
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("path"), str)
        or item.get("type")
        not in (
            "file",
            "directory",
        )
    ):
        raise HubHTTPError(200, display_url(url), "malformed entry in the file listing")
    lfs = item.get("lfs") if isinstance(item.get("lfs"), dict) else None
    return TreeEntry(
        path=item["path"],
        type=item["type"],
        size=int(item.get("size") or 0),
        oid=str(item.get("oid") or ""),
        lfs_sha256=lfs.get("oid") if lfs else None,
        lfs_size=int(lfs["size"]) if lfs and lfs.get("size") is not None else None,
        xet_hash=item.get("xetHash"),
    )


def _normalize_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def _metadata(response: requests.Response, location: str, *, redirected: bool) -> FileMetadata:
    headers = response.headers
    commit = headers.get("X-Repo-Commit", "").strip()
    etag = _normalize_etag(headers.get("X-Linked-Etag") or headers.get("ETag") or "")
    if not commit or not etag:
        missing = "X-Repo-Commit" if not commit else "ETag"
        raise HubHTTPError(
            response.status_code, display_url(response.url), f"the answer has no {missing} header"
        )
    size_text = headers.get("X-Linked-Size") or ("" if redirected else headers.get("Content-Length", ""))
    size = int(size_text) if size_text.strip().isdigit() else None
    return FileMetadata(commit=commit, etag=etag, size=size, location=location)


def _summary(item: dict[str, Any]) -> ModelSummary:
    score = item.get("trendingScore")
    return ModelSummary(
        repo_id=str(item["id"]),
        downloads=int(item.get("downloads") or 0),
        likes=int(item.get("likes") or 0),
        library_name=item.get("library_name"),
        pipeline_tag=item.get("pipeline_tag"),
        tags=tuple(item.get("tags") or ()),
        private=bool(item.get("private", False)),
        gated=_gated(item.get("gated")),
        created_at=item.get("createdAt"),
        last_modified=item.get("lastModified"),
        trending_score=float(score) if isinstance(score, (int, float)) else None,
    )


def _describe(exc: BaseException) -> str:
    """A short, token-free description of a transport failure."""
    text = str(exc)
    if isinstance(exc, SocksProxyError):  # names the SOCKS proxy (password hidden) and what failed
        return exc.detail
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy refused or failed the connection"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS/SSL error"
    lowered = text.lower()
    if any(
        s in lowered
        for s in (
            "name or service not known",
            "getaddrinfo",
            "nodename nor servname",
            "temporary failure in name resolution",
            "no address associated",
        )
    ):
        return "DNS lookup failed"
    if "refused" in lowered:
        return "connection refused"
    if "network is unreachable" in lowered:
        return "network is unreachable"
    if (
        isinstance(exc, requests.exceptions.ChunkedEncodingError)
        or "aborted" in lowered
        or "reset" in lowered
    ):
        return "connection closed by the server"
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ),
    ):
        return "invalid URL"
    return "connection failed"


def refuse_downgrade(source: str, target: str) -> None:
    """DowngradeRefusedError for a redirect from HTTPS to plain HTTP (the body would travel unencrypted)."""
    if urlsplit(source).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
        raise DowngradeRefusedError(urls.host_of(source), urls.host_of(target))


def _network_error(url: str, exc: BaseException, timeout: tuple[float, float]) -> NetworkError:
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else url
    detail = _describe(exc)
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.exceptions.ConnectTimeout):
        detail = f"no answer within {timeout[1]:g} s"
    return NetworkError(where, detail, timed_out=isinstance(exc, requests.Timeout))
