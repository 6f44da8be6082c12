"""Proxy, no-proxy and CA-bundle settings, applied to every requests session hfgui opens."""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from hfgui.core.errors import REDACTED_USERINFO, HfGuiError, redact_userinfo

try:  # PySocks is a dependency; without it SOCKS proxies are refused with an install hint
    import socks
except ImportError:  # pragma: no cover - only a broken install lacks it
    socks = None

PROXY_MODES = ("system", "none", "manual")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
SOCKS_SCHEMES = frozenset(s for s in PROXY_SCHEMES if s.startswith("socks"))
# requests reads the first two itself in system mode; SSL_CERT_FILE is OpenSSL's and requests ignores it.
# All three are honoured in every proxy mode: they say whom to trust, not how to reach the network.
CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$", re.IGNORECASE)
_SETTINGS_HINT = "Fix it in Settings (Network) or switch the proxy to System."


# --- redaction -----------------------------------------------------------------------------------


redact_url = redact_userinfo  # the name the network code and its callers use


# --- proxy URL -----------------------------------------------------------------------------------


def normalize_proxy_url(url: str) -> str:
    """Trimmed, and ``host:port`` without a scheme read as ``http://host:port`` (as curl does).

    A SOCKS4 user id alone (``socks4://id@host``) gets an empty password, ``id:@``: requests drops a
    user name that has no password, and SOCKS4 has no passwords.
    """
    url = url.strip()
    if "://" not in url:
        return f"http://{url}"
    scheme, _, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if scheme.lower() in ("socks4", "socks4a") and at and userinfo and ":" not in userinfo:
        return f"{scheme}://{userinfo}:@{host}"
    return url


def redact_proxy_url(url: str) -> str:
    """A proxy address safe to show: everything before its last ``@`` hidden, even a malformed one."""
    url = url.strip()
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    if "@" not in rest:
        return url
    return f"{scheme}{sep}{REDACTED_USERINFO}@{rest.rpartition('@')[2]}"


def split_proxy_password(url: str) -> tuple[str, str]:
    """``scheme://user:secret@host:port`` -> (``scheme://user@host:port``, ``secret``) exactly as written
    (still percent-encoded); an address without a password comes back as is with ``""``."""
    url = url.strip()
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    userinfo, at, host = rest.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not (at and colon and password):
        return url, ""
    return f"{scheme}{sep}{user}@{host}", password


def join_proxy_password(url: str, password: str) -> str:
    """The inverse of split_proxy_password: the password put back after the address's user name."""
    url = url.strip()
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    userinfo, at, host = rest.rpartition("@")
    if not (at and password) or ":" in userinfo:
        return url
    return f"{scheme}{sep}{userinfo}:{password}@{host}"


def proxy_url_problem(url: Any) -> str | None:
    """Why ``url`` cannot be used as a proxy address, or None when it can."""
    if not isinstance(url, str) or not url.strip():
        return "the proxy address is empty"
    parts = urlsplit(normalize_proxy_url(url))
    shown = redact_proxy_url(url)
    if parts.scheme.lower() not in PROXY_SCHEMES:
        return f"'{shown}' uses '{parts.scheme}', but a proxy must be {', '.join(PROXY_SCHEMES)}"
    if not parts.hostname:
        return f"'{shown}' has no host name"
    if any(c.isspace() for c in url.strip()) or not _is_host(parts.hostname):
        return f"'{shown}' is not an address: use scheme://host:port, e.g. http://proxy.example.com:3128"
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port out of range or not a number
    except ValueError:
        return f"'{shown}' has an invalid port"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"'{shown}' must be only scheme://[user:password@]host:port"
    if parts.scheme.lower() in ("socks4", "socks4a") and parts.password:
        return f"'{shown}' has a password, but SOCKS4 only knows a user id (use socks5:// for a password)"
    return None


def socks_available() -> bool:
    """requests speaks SOCKS only with PySocks installed (``requests[socks]``)."""
    return importlib.util.find_spec("socks") is not None


def _socks_error(url: str) -> HfGuiError:
    return HfGuiError(
        f"The proxy {redact_proxy_url(url)} is a SOCKS proxy, which needs the PySocks package.",
        "Install it (pip install PySocks) or use an http:// proxy.",
    )


# --- SOCKS failures ------------------------------------------------------------------------------


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
    cause = _find_cause(exc, socks.ProxyError) if socks is not None else None
    if cause is None:
        if _find_cause(exc, socket.gaierror) is not None:  # the proxy's own name did not resolve
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


def _find_cause(exc: BaseException, wanted: type[BaseException]) -> BaseException | None:
    """The first ``wanted`` among ``exc``'s causes, contexts and wrapped errors (urllib3 nests them)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, wanted):
            return current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return None


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


# --- no-proxy list -------------------------------------------------------------------------------


def parse_no_proxy(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Entries of a NO_PROXY-style list (commas or whitespace between them), lower-cased, in order."""
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(item.strip().lower() for item in items if item and item.strip()))


def no_proxy_problem(entry: str) -> str | None:
    """Why a no-proxy entry is unusable (valid: ``*``, host, ``.domain``, IP, CIDR, each ± ``:port``)."""
    if entry == "*":
        return None
    if "/" in entry:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return f"'{entry}' is not a valid network (write it like 10.0.0.0/8)"
        return None
    host, _port = _split_port(entry)
    if host is None:
        return f"'{entry}' has an invalid port"
    if _ip(host) is not None:
        return None
    labels = host.removeprefix("*.").removeprefix(".").split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        return f"'{entry}' is not a host name, domain, IP address or network"
    return None


def _is_host(host: str) -> bool:
    """A host name or an IP address (urlsplit lets anything through, spaces included)."""
    return _ip(host) is not None or all(_HOST_LABEL.match(label) for label in host.split("."))


def _split_port(entry: str) -> tuple[str | None, int | None]:
    """(host, port) of ``host``, ``host:port``, ``[v6]`` or ``[v6]:port``; host None when the port is bad."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else None
        if rest and port_text is None:
            return None, None
    elif entry.count(":") == 1:
        host, port_text = entry.split(":")
    else:  # a bare name, or an IPv6 address without brackets
        host, port_text = entry, None
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return None, None
    return host, int(port_text)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def bypasses_proxy(url: str, no_proxy: Iterable[str]) -> bool:
    """True when ``url``'s host matches the no-proxy list (names compared as written: no DNS lookup)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        port = None
    address = _ip(host)
    for entry in no_proxy:
        if entry == "*":
            return True
        if "/" in entry:
            try:
                if address is not None and address in ipaddress.ip_network(entry, strict=False):
                    return True
            except (ValueError, TypeError):  # invalid entry, or IPv4 vs IPv6 mismatch
                pass
            continue
        wanted_host, wanted_port = _split_port(entry)
        if wanted_host is None or (wanted_port is not None and wanted_port != port):
            continue
        wanted_ip = _ip(wanted_host)
        if wanted_ip is not None:
            if address == wanted_ip:
                return True
            continue
        domain = wanted_host.removeprefix("*.").removeprefix(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


# --- CA bundle -----------------------------------------------------------------------------------


def check_ca_bundle(path: str) -> str:
    """The usable absolute path of a PEM bundle (a file, or an OpenSSL hashed directory), else HfGuiError."""
    resolved = Path(path).expanduser()
    if resolved.is_dir():
        return str(resolved)
    if not resolved.is_file():
        raise HfGuiError(
            f"The CA bundle {resolved} does not exist.",
            "Choose an existing PEM certificate file in Settings (Network), or clear the CA bundle setting.",
        )
    try:
        with open(resolved, "rb") as handle:
            head = handle.read(1_000_000)
    except OSError as exc:
        raise HfGuiError(
            f"The CA bundle {resolved} cannot be read ({exc.strerror or exc}).",
            "Check its permissions, or choose another PEM file in Settings (Network).",
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in head:
        raise HfGuiError(
            f"The CA bundle {resolved} holds no PEM certificate.",
            "Export the certificate as PEM (Base64, -----BEGIN CERTIFICATE-----) and choose that file.",
        )
    return str(resolved)


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkConfig:
    """How hfgui reaches the network: proxy mode and address, hosts that skip the proxy, extra CA bundle.

    ``system``: requests' defaults (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY). ``none``: environment
    proxies ignored. ``manual``: ``proxy_url`` (http, https or socks4/4a/5/5h) for http and https traffic
    except hosts in ``no_proxy``. ``ca_bundle`` (all modes) is trusted instead of the default CAs; without
    it REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or SSL_CERT_FILE is (all modes). TLS verification is never
    turned off.
    """

    proxy_mode: str = "system"
    proxy_url: str | None = None
    no_proxy: tuple[str, ...] = ()
    ca_bundle: str | None = None

    def __repr__(self) -> str:  # the proxy URL may hold a password
        shown = redact_url(self.proxy_url) if self.proxy_url else None
        return (
            f"NetworkConfig(proxy_mode={self.proxy_mode!r}, proxy_url={shown!r}, "
            f"no_proxy={self.no_proxy!r}, ca_bundle={self.ca_bundle!r})"
        )

    __str__ = __repr__

    @classmethod
    def from_settings(cls, settings: Any) -> NetworkConfig:
        """From a Settings object (or anything with the same attribute names; missing ones default)."""
        return cls(
            proxy_mode=getattr(settings, "proxy_mode", "system") or "system",
            proxy_url=getattr(settings, "proxy_url", None) or None,
            no_proxy=parse_no_proxy(getattr(settings, "no_proxy", None)),
            ca_bundle=getattr(settings, "ca_bundle", None) or None,
        )

    def problems(self) -> list[str]:
        """Everything wrong with the settings themselves, as short phrases (file existence not checked)."""
        found: list[str] = []
        if self.proxy_mode not in PROXY_MODES:
            found.append(f"proxy mode '{self.proxy_mode}' is not one of {', '.join(PROXY_MODES)}")
        if self.proxy_mode == "manual":
            if not self.proxy_url:
                found.append("a manual proxy needs a proxy address")
            else:
                problem = proxy_url_problem(self.proxy_url)
                if problem:
                    found.append(problem)
        found.extend(p for p in map(no_proxy_problem, self.no_proxy) if p)
        return found

    def check(self) -> NetworkConfig:
        """Self, with the proxy URL normalised and the CA bundle path resolved; HfGuiError if unusable."""
        found = self.problems()
        if found:
            raise HfGuiError(f"The network settings are not usable: {found[0]}.", _SETTINGS_HINT)
        proxy_url = normalize_proxy_url(self.proxy_url) if self.proxy_url else None
        if self.proxy_mode == "manual" and proxy_url and _is_socks(proxy_url) and not socks_available():
            raise _socks_error(proxy_url)
        ca_bundle = check_ca_bundle(self.ca_bundle) if self.ca_bundle else None
        return NetworkConfig(self.proxy_mode, proxy_url, self.no_proxy, ca_bundle)

    def proxies_for(self, url: str) -> dict[str, str]:
        """The requests ``proxies`` mapping for one URL in manual/none mode ({} means a direct connection)."""
        if self.proxy_mode != "manual" or not self.proxy_url or bypasses_proxy(url, self.no_proxy):
            return {}
        proxy = normalize_proxy_url(self.proxy_url)
        return {"http": proxy, "https": proxy}


def _is_socks(proxy_url: str) -> bool:
    return urlsplit(proxy_url).scheme.lower() in SOCKS_SCHEMES


def _frozen(proxies: Any) -> Any:
    return tuple(sorted(proxies.items())) if isinstance(proxies, dict) else proxies


def _tls_off_error() -> HfGuiError:
    return HfGuiError(
        "TLS certificate verification cannot be turned off in hfgui.",
        "If your network inspects TLS, add its CA certificate as the CA bundle in Settings (Network).",
    )


def _ca_from_environment() -> str | bool:
    """The first CA bundle the environment names that exists, else True (the default CAs)."""
    for name in CA_BUNDLE_ENV:
        value = os.environ.get(name, "").strip()
        if value and os.path.exists(value):
            return value
    return True


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
            raise _tls_off_error()
        config = self.network
        if config.proxy_mode != "system":
            chosen = dict(proxies) if proxies else config.proxies_for(url)
            return {
                "proxies": chosen,
                "stream": self.stream if stream is None else stream,
                "verify": verify if isinstance(verify, str) else (config.ca_bundle or _ca_from_environment()),
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
            merged["verify"] = _ca_from_environment()
        if merged["verify"] is False:
            raise _tls_off_error()
        proxy = requests.utils.select_proxy(url, merged["proxies"])
        if proxy and _is_socks(normalize_proxy_url(proxy)) and not socks_available():
            raise _socks_error(proxy)
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
            if not proxy or not _is_socks(normalize_proxy_url(proxy)):
                raise
            failure = socks_failure(
                exc, proxy, request.url or "", from_settings=self.network.proxy_mode == "manual"
            )
            if failure is None:
                raise
            if isinstance(failure, requests.RequestException):
                failure.request = request
            raise failure from None
