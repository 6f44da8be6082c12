"""HTTP plumbing shared by Hub calls: the session (pooled, applying the NetworkConfig, TLS always verified),
the User-Agent, JSON bodies and server messages."""

from __future__ import annotations

import platform
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from hfgui import __version__
from hfgui.core.errors import MalformedJsonError, UnexpectedResponseError
from hfgui.core.wire.network import NetworkConfig
from hfgui.core.wire.proxy import is_socks, normalize_proxy_url, require_socks_support
from hfgui.core.wire.socks_failures import socks_failure
from hfgui.core.wire.tls import ca_from_environment, tls_off_error
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


def _frozen(proxies: Any) -> Any:
    return tuple(sorted(proxies.items())) if isinstance(proxies, dict) else proxies


class NetworkSession(requests.Session):
    """A requests session that applies a NetworkConfig to every request; TLS verification stays on."""

    def __init__(self, config: NetworkConfig | None = None) -> None:
        super().__init__()
        self.network = (config or NetworkConfig()).check()
        # In none/manual mode no proxy and no .netrc comes from the environment (its CA variables still do).
        self.trust_env = self.network.proxy_mode == "system"
        self.verify = self.network.ca_bundle or True
        self._environment_cache: dict[tuple, dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: str, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if verify is False or self.verify is False:
            raise tls_off_error()
        config = self.network
        if config.proxy_mode != "system":
            chosen = dict(proxies) if proxies else config.proxies_for(url)
            return {
                "proxies": chosen,
                "stream": self.stream if stream is None else stream,
                "verify": verify if isinstance(verify, str) else (config.ca_bundle or ca_from_environment()),
                "cert": cert if cert is not None else self.cert,
            }
        # What the environment says for one origin does not change during a run: look it up once. (Per
        # request it cost a tenth of a small file's CPU: every lookup walks the whole environment.)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, _frozen(proxies), verify, cert)
        cached = self._environment_cache.get(key)
        if cached is None:
            cached = self._from_environment(url, proxies, verify, cert)
            if len(self._environment_cache) < 64:
                self._environment_cache[key] = cached
        return {**cached, "stream": self.stream if stream is None else stream}

    def _from_environment(self, url: str, proxies: Any, verify: Any, cert: Any) -> dict[str, Any]:
        merged = super().merge_environment_settings(url, proxies, None, verify, cert)
        if self.network.ca_bundle:  # the bundle chosen in Settings beats REQUESTS_CA_BUNDLE
            merged["verify"] = self.network.ca_bundle
        elif merged["verify"] is True:
            merged["verify"] = ca_from_environment()
        if merged["verify"] is False:
            raise tls_off_error()
        proxy = requests.utils.select_proxy(url, merged["proxies"])
        if proxy:
            require_socks_support(proxy)
        return merged

    def resolve_redirects(self, resp: Any, req: Any, *args: Any, yield_requests: bool = False, **kwargs: Any):
        """As requests does, except the request it prepares for ``Response.next`` when redirects are not
        followed: hfgui follows them by hand and never reads it, and preparing it (proxies from the
        environment, .netrc, cookies) cost a fifth of a small file's CPU on every 307. The redirect's
        small body is still read, as requests does there, so its connection goes back to the pool."""
        if not yield_requests:
            return super().resolve_redirects(resp, req, *args, yield_requests=yield_requests, **kwargs)
        if self.get_redirect_target(resp):
            try:
                resp.content  # noqa: B018 - read to the end: the connection is then kept alive
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
                RuntimeError,
            ):
                resp.raw.read(decode_content=False)
        return iter(())

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """As requests does, with failures of a SOCKS proxy told in hfgui's words (password hidden)."""
        try:
            return super().send(request, **kwargs)
        except requests.ConnectionError as exc:
            proxy = requests.utils.select_proxy(request.url, kwargs.get("proxies") or {})
            if not proxy or not is_socks(normalize_proxy_url(proxy)):
                raise
            failure = socks_failure(
                exc, proxy, request.url or "", from_settings=self.network.proxy_mode == "manual"
            )
            if failure is None:
                raise
            if isinstance(failure, requests.RequestException):
                failure.request = request
            raise failure from None


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
