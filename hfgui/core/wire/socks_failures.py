"""SOCKS proxy failures in words: which proxy (password hidden), what failed, whether a retry may help."""

from __future__ import annotations

import errno
import socket
from typing import Any
from urllib.parse import urlsplit

import requests

from hfgui.core.errors import HfGuiError
from hfgui.core.wire.causes import find_cause
from hfgui.core.wire.proxy import normalize_proxy_url, redact_proxy_url

try:  # PySocks is a dependency; without it SOCKS proxies are refused with an install hint
    import socks
except ImportError:  # pragma: no cover - only a broken install lacks it
    socks = None


class SocksProxyError(requests.exceptions.ProxyError):
    """A SOCKS proxy failed one connection in a way a later try may not (down, refused, reset).

    Still a requests ConnectionError, so the Hub client retries it like any dropped connection;
    ``detail`` says which proxy (password hidden) and what went wrong, for the NetworkError it ends as.
    """

    def __init__(self, detail: str, *, request: Any = None) -> None:
        super().__init__(detail, request=request)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


class SocksProxyTimeout(SocksProxyError, requests.exceptions.ConnectTimeout):
    """The SOCKS proxy (or the host behind it) did not complete the connection in time."""


def socks_failure(
    exc: BaseException, proxy_url: str, target_url: str, *, from_settings: bool
) -> Exception | None:
    """What to raise for ``exc``, a failure of a request sent through the SOCKS proxy ``proxy_url``.

    Problems a retry cannot fix (credentials refused, not a SOCKS server) become an HfGuiError the Hub
    client passes on at once; the rest a SocksProxyError it retries. None: not a SOCKS failure.
    """
    proxy_url = normalize_proxy_url(proxy_url)
    shown = redact_proxy_url(proxy_url)
    scheme = urlsplit(proxy_url).scheme.lower()
    kind = "SOCKS4" if scheme.startswith("socks4") else "SOCKS5"
    host = urlsplit(target_url).hostname or target_url
    fix = (
        "Settings (Network)"
        if from_settings
        else "your proxy variable (ALL_PROXY, HTTPS_PROXY or HTTP_PROXY)"
    )
    timed_out = isinstance(exc, requests.Timeout)
    cause = find_cause(exc, socks.ProxyError) if socks is not None else None
    if cause is None:
        if find_cause(exc, socket.gaierror) is not None:  # the proxy's own name did not resolve
            return SocksProxyError(f"the host name of the {kind} proxy {shown} could not be resolved")
        if timed_out:
            return SocksProxyTimeout(f"the {kind} proxy {shown} did not answer in time")
        return None
    # ProxyError is an OSError, so PySocks wraps its own handshake errors in "Socket error": unwrap them.
    while socks is not None and isinstance(getattr(cause, "socket_err", None), socks.ProxyError):
        cause = cause.socket_err
    message = str(getattr(cause, "msg", "") or cause)
    socket_err = getattr(cause, "socket_err", None)
    if isinstance(cause, socks.SOCKS5AuthError):
        # With no password set PySocks offers "no authentication" only, and a proxy wanting one refuses it.
        if "no username" in message.lower() or not urlsplit(proxy_url).password:
            what = f"The SOCKS5 proxy {shown} asks for a user name and password, and none is set."
        elif "methods" in message.lower():
            what = f"The SOCKS5 proxy {shown} accepted none of the sign-in methods offered."
        else:
            what = f"The SOCKS5 proxy {shown} rejected the user name or password."
        return HfGuiError(what, f"Correct the proxy address in {fix}: socks5://user:password@host:port.")
    if isinstance(cause, (socks.SOCKS5Error, socks.SOCKS4Error)):
        code, _, reason = message.partition(": ")
        if code in ("0x5c", "0x5d"):  # SOCKS4: the proxy checks the user id with identd
            return HfGuiError(
                f"The SOCKS4 proxy {shown} refused the user id.",
                f"Correct it in {fix}, or use a socks5:// proxy with a user name and password.",
            )
        reason = (reason or message).lower()
        return SocksProxyError(f"the {kind} proxy {shown} could not connect to {host}: {reason}")
    if timed_out or isinstance(socket_err, TimeoutError):
        return SocksProxyTimeout(f"the {kind} proxy {shown} did not answer in time")
    if isinstance(cause, socks.ProxyConnectionError):
        return SocksProxyError(f"cannot connect to the {kind} proxy {shown}: {_socket_reason(socket_err)}")
    if "invalid data" in message or "invalid response" in message:
        return HfGuiError(
            f"{shown} did not answer as a {kind} proxy.",
            f"Check the proxy's scheme and port in {fix} (an HTTP proxy is written http://host:port).",
        )
    if isinstance(socket_err, socket.gaierror):  # socks4/socks5: names are looked up here, not by the proxy
        remote = {"socks5": "socks5h", "socks4": "socks4a"}.get(scheme)
        tip = f" (with {remote}:// the proxy looks names up)" if remote else ""
        return SocksProxyError(f"{host} could not be resolved on this computer{tip}")
    return SocksProxyError(f"the {kind} proxy {shown} closed the connection during its handshake")


def _socket_reason(error: BaseException | None) -> str:
    number = getattr(error, "errno", None)
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if number == errno.ECONNREFUSED:
        return "connection refused"
    if number in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "network unreachable"
    if error is None:
        return "failed"
    return getattr(error, "strerror", None) or type(error).__name__
