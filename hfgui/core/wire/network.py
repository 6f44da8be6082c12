"""The network settings (proxy mode and address, hosts that skip the proxy, CA bundle): how they are read
from Settings, what is wrong with them, and the proxies each URL gets.

The pieces live beside it: proxy addresses and the no-proxy list in proxy.py, whom TLS trusts in tls.py,
SOCKS failures in socks_failures.py, and the session that applies a NetworkConfig in http.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hfgui.core.errors import HfGuiError
from hfgui.core.wire.proxy import (
    PROXY_MODES,
    bypasses_proxy,
    join_proxy_password,
    no_proxy_problem,
    normalize_proxy_url,
    parse_no_proxy,
    proxy_url_problem,
    redact_proxy_url,
    redact_url,
    require_socks_support,
    split_proxy_password,
)
from hfgui.core.wire.tls import check_ca_bundle

# Importable from here as before the split (settings, the window and tests use these names).
__all__ = [
    "PROXY_MODES",
    "NetworkConfig",
    "bypasses_proxy",
    "join_proxy_password",
    "no_proxy_problem",
    "parse_no_proxy",
    "proxy_url_problem",
    "redact_proxy_url",
    "redact_url",
    "split_proxy_password",
]

_SETTINGS_HINT = "Fix it in Settings (Network) or switch the proxy to System."


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
        if self.proxy_mode == "manual" and proxy_url:
            require_socks_support(proxy_url)
        ca_bundle = check_ca_bundle(self.ca_bundle) if self.ca_bundle else None
        return NetworkConfig(self.proxy_mode, proxy_url, self.no_proxy, ca_bundle)

    def proxies_for(self, url: str) -> dict[str, str]:
        """The requests ``proxies`` mapping for one URL in manual/none mode ({} means a direct connection)."""
        if self.proxy_mode != "manual" or not self.proxy_url or bypasses_proxy(url, self.no_proxy):
            return {}
        proxy = normalize_proxy_url(self.proxy_url)
        return {"http": proxy, "https": proxy}
