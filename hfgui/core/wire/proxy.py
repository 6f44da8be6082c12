"""Proxy addresses and the no-proxy list: parsed, checked, shown without the password, matched to URLs."""

from __future__ import annotations

import importlib.util
import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from hfgui.core.errors import REDACTED_USERINFO, HfGuiError, redact_userinfo

PROXY_MODES = ("system", "none", "manual")
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
SOCKS_SCHEMES = frozenset(s for s in PROXY_SCHEMES if s.startswith("socks"))
_HOST_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$", re.IGNORECASE)

redact_url = redact_userinfo  # the name the network code and its callers use


# --- proxy address -------------------------------------------------------------------------------


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


def is_socks(proxy_url: str) -> bool:
    return urlsplit(proxy_url).scheme.lower() in SOCKS_SCHEMES


def socks_available() -> bool:
    """requests speaks SOCKS only with PySocks installed (``requests[socks]``)."""
    return importlib.util.find_spec("socks") is not None


def require_socks_support(proxy_url: str) -> None:
    """HfGuiError with an install hint when ``proxy_url`` is a SOCKS proxy and PySocks is missing."""
    if is_socks(normalize_proxy_url(proxy_url)) and not socks_available():
        raise HfGuiError(
            f"The proxy {redact_proxy_url(proxy_url)} is a SOCKS proxy, which needs the PySocks package.",
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
