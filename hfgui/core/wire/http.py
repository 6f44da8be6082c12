"""HTTP plumbing shared by Hub calls: the session, the User-Agent, JSON bodies and server messages."""

from __future__ import annotations

import platform
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from hfgui import __version__
from hfgui.core.errors import MalformedJsonError, UnexpectedResponseError
from hfgui.core.wire.network import NetworkConfig, NetworkSession
from hfgui.core.wire.urls import display_url

# Connections kept alive per host: a run's files in flight (concurrency.MAX_FILES_IN_FLIGHT) plus a
# segmented file's ranged connections (up to 16). A smaller pool would close what it cannot
# keep, and each later request would pay a new connection's round trip again.
POOL_SIZE = 48
HOST_POOLS = 16  # hosts with a pool of their own (Hub, CDN, mirrors, proxies)


def user_agent() -> str:
    return f"hfgui/{__version__}; python/{platform.python_version()}; requests/{requests.__version__}"


class NoNetrcAuth(requests.auth.AuthBase):
    """Passed as ``auth=`` so requests never adds ``.netrc`` credentials (which it would send to any host).

    Needed even when ``trust_env`` is off (proxy mode none/manual): it keeps the guard independent of
    the proxy settings.
    """

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


NO_NETRC = NoNetrcAuth()


def new_session(network: NetworkConfig | None = None) -> requests.Session:
    """A pooled session with hfgui's User-Agent, using ``network`` (default: the system's proxy and CAs).

    Raises HfGuiError when the network settings are unusable (bad proxy URL, missing CA bundle).
    """
    session = NetworkSession(network)
    session.headers["User-Agent"] = user_agent()
    adapter = HTTPAdapter(pool_connections=HOST_POOLS, pool_maxsize=POOL_SIZE)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def request_id(response: requests.Response) -> str:
    headers = response.headers
    return headers.get("X-Request-Id") or headers.get("X-Amzn-Trace-Id") or headers.get("X-Amz-Cf-Id") or ""


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body; UnexpectedResponseError for HTML/other bodies (captive portals, proxies),
    MalformedJsonError for a JSON answer that does not parse (cut off on the way: worth another try)."""
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        raise UnexpectedResponseError(display_url(response.url), content_type)
    try:
        return response.json()
    except ValueError:
        raise MalformedJsonError(display_url(response.url), content_type) from None


def server_message(response: requests.Response) -> str:
    """The Hub's own explanation: X-Error-Message, else the JSON ``error``, else a short text body."""
    header = response.headers.get("X-Error-Message", "").strip()
    if header:
        return header
    if response.request is not None and response.request.method == "HEAD":
        return ""
    content_type = response.headers.get("Content-Type", "").lower()
    try:
        if "json" in content_type:
            data = response.json()
            if isinstance(data, dict):
                for key in ("error", "error_description", "message"):
                    if isinstance(data.get(key), str) and data[key].strip():
                        return data[key].strip()
                errors = data.get("errors")
                if isinstance(errors, list):
                    texts = [e.get("message", "") for e in errors if isinstance(e, dict)]
                    return "; ".join(t for t in texts if t)
            return ""
        if content_type.startswith("text/plain"):
            text = response.text.strip()
            return text if len(text) <= 300 else text[:300] + "…"
    except (ValueError, RuntimeError, requests.RequestException):  # body cut short or undecodable
        return ""
    return ""
