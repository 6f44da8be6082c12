"""Proxy, no-proxy and CA-bundle settings, applied to every requests session hfgui opens."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from hfgui.core.errors import HfGuiError

PROXY_MODES = ("system", "none", "manual")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
SOCKS_SCHEMES = frozenset(s for s in PROXY_SCHEMES if s.startswith("socks"))
# requests reads these two itself in system mode; SSL_CERT_FILE is OpenSSL's and requests ignores it.
CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
REDACTED_USERINFO = "***"
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$", re.IGNORECASE)
_SETTINGS_HINT = "Fix it in Settings (Network) or switch the proxy to System."


# --- redaction -----------------------------------------------------------------------------------


def redact_url(text: str) -> str:
    """``text`` with any ``user:password@`` in a URL replaced by ``***@`` (safe for logs and messages)."""
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}{REDACTED_USERINFO}@", text or "")


# --- proxy URL -----------------------------------------------------------------------------------


def normalize_proxy_url(url: str) -> str:
    """Trimmed, and ``host:port`` without a scheme read as ``http://host:port`` (as curl does)."""
    url = url.strip()
    return url if "://" in url else f"http://{url}"


def proxy_url_problem(url: Any) -> str | None:
    """Why ``url`` cannot be used as a proxy address, or None when it can."""
    if not isinstance(url, str) or not url.strip():
        return "the proxy address is empty"
    parts = urlsplit(normalize_proxy_url(url))
    shown = redact_url(url.strip())
    if parts.scheme.lower() not in PROXY_SCHEMES:
        return f"'{shown}' uses '{parts.scheme}', but a proxy must be {', '.join(PROXY_SCHEMES)}"
    if not parts.hostname:
        return f"'{shown}' has no host name"
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port out of range or not a number
    except ValueError:
        return f"'{shown}' has an invalid port"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"'{shown}' must be only scheme://[user:password@]host:port"
    return None


def socks_available() -> bool:
    """requests speaks SOCKS only with PySocks installed (``requests[socks]``)."""
    return importlib.util.find_spec("socks") is not None


def _socks_error(url: str) -> HfGuiError:
    return HfGuiError(
        f"The proxy {redact_url(url)} is a SOCKS proxy, which needs the PySocks package.",
        "Install it (pip install PySocks) or use an http:// proxy.",
    )


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

    ``system``: requests' defaults (HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY, REQUESTS_CA_BUNDLE,
    SSL_CERT_FILE). ``none``: environment proxies ignored. ``manual``: ``proxy_url`` for http and https
    traffic except hosts in ``no_proxy``. ``ca_bundle`` (all modes) is trusted instead of the default CAs.
    TLS verification is never turned off.
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


def _tls_off_error() -> HfGuiError:
    return HfGuiError(
        "TLS certificate verification cannot be turned off in hfgui.",
        "If your network inspects TLS, add its CA certificate as the CA bundle in Settings (Network).",
    )


class NetworkSession(requests.Session):
    """A requests session that applies a NetworkConfig to every request; TLS verification stays on."""

    def __init__(self, config: NetworkConfig | None = None) -> None:
        super().__init__()
        self.network = (config or NetworkConfig()).check()
        # In none/manual mode nothing comes from the environment: no proxies, no CA variables, no .netrc.
        self.trust_env = self.network.proxy_mode == "system"
        self.verify = self.network.ca_bundle or True

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
                "verify": verify if isinstance(verify, str) else self.verify,
                "cert": cert if cert is not None else self.cert,
            }
        merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if config.ca_bundle:  # the bundle chosen in Settings beats REQUESTS_CA_BUNDLE
            merged["verify"] = config.ca_bundle
        elif merged["verify"] is True:
            ssl_cert_file = os.environ.get("SSL_CERT_FILE", "").strip()
            if ssl_cert_file and os.path.exists(ssl_cert_file):
                merged["verify"] = ssl_cert_file
        if merged["verify"] is False:
            raise _tls_off_error()
        proxy = requests.utils.select_proxy(url, merged["proxies"])
        if proxy and _is_socks(normalize_proxy_url(proxy)) and not socks_available():
            raise _socks_error(proxy)
        return merged
