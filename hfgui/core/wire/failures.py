"""Failures told in words: a failed answer becomes the error a person understands, a broken connection a
NetworkError, and a redirect from HTTPS to plain HTTP is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from hfgui.core.errors import (
    DisabledRepoError,
    DowngradeRefusedError,
    EntryNotFoundError,
    GatedRepoError,
    HfGuiError,
    HubHTTPError,
    InvalidTokenError,
    NetworkError,
    RateLimitedError,
    RepoNotFoundError,
    RevisionNotFoundError,
)
from hfgui.core.wire import urls
from hfgui.core.wire.auth import Token, redact
from hfgui.core.wire.http import request_id, server_message
from hfgui.core.wire.ratelimit import server_wait
from hfgui.core.wire.socks_failures import SocksProxyError

INVALID_CREDENTIALS = "Invalid credentials"
DISABLED_MESSAGE = "Access to this resource is disabled."


def answer_error(
    response: requests.Response,
    repo_id: str | None,
    revision: str | None,
    path: str | None,
    *,
    endpoint: str,
    token: Token | None,
    sent_token: bool,
) -> HfGuiError:
    """Map a failed response to the error a person understands (order as huggingface_hub's).

    ``repo_id``/``revision``/``path`` say what was asked for; ``sent_token``, whether this request
    carried the token (a 401 or 404 means something else with and without one).
    """
    status = response.status_code
    code = response.headers.get("X-Error-Code", "")
    message = server_message(response)
    response.close()
    if repo_id:
        if code == "RevisionNotFound":
            return RevisionNotFoundError(repo_id, revision or "main")
        if code == "EntryNotFound":
            return EntryNotFoundError(repo_id, path or "", revision or "main")
        if code == "GatedRepo":
            return GatedRepoError(
                repo_id, page_url=urls.page_url(endpoint, repo_id), authenticated=sent_token
            )
        if message == DISABLED_MESSAGE:
            return DisabledRepoError(repo_id)
        if code == "RepoNotFound" or (status == 401 and INVALID_CREDENTIALS not in message):
            return RepoNotFoundError(repo_id, authenticated=sent_token)
    if status == 401 and sent_token and token is not None:
        return InvalidTokenError(token.label)
    if status == 429:
        return RateLimitedError(server_wait(response.headers), authenticated=sent_token)
    return HubHTTPError(
        status,
        urls.display_url(response.url),
        redact(message, token),
        request_id(response),
        cdn=not urls.same_origin(response.url, endpoint),
    )


def network_error(url: str, exc: BaseException, timeout: tuple[float, float]) -> NetworkError:
    """The NetworkError for a request to ``url`` that got no answer (``timeout``: connect, read)."""
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.netloc}" if parts.netloc else url
    detail = describe(exc)
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.exceptions.ConnectTimeout):
        detail = f"no answer within {timeout[1]:g} s"
    return NetworkError(where, detail, timed_out=isinstance(exc, requests.Timeout))


_DNS_FAILURES = (
    "name or service not known",
    "getaddrinfo",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
)
_BAD_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


def describe(exc: BaseException) -> str:
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
    if any(s in lowered for s in _DNS_FAILURES):
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
    if isinstance(exc, _BAD_URL):
        return "invalid URL"
    return "connection failed"


def refuse_downgrade(source: str, target: str) -> None:
    """DowngradeRefusedError for a redirect from HTTPS to plain HTTP (the body would travel unencrypted)."""
    if urlsplit(source).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
        raise DowngradeRefusedError(urls.host_of(source), urls.host_of(target))
