"""What the window needs from the rest of hfgui, built once in app.py (and from fakes in tests)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hfgui.core.engine.bandwidth import BandwidthLimiter
from hfgui.core.errors import HfGuiError
from hfgui.core.settings import Settings, load_settings, save_settings
from hfgui.core.store import hfcache
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.auth import KeyringTokenStore, TokenStore, proxy_password_store
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig, redact_url, split_proxy_password
from hfgui.core.wire.ratelimit import RetryPolicy

SettingsListener = Callable[[Settings, Settings], None]
QUICK_RETRY = RetryPolicy(max_retries=1, base_wait=0.5, max_wait=1.0, max_total_wait=2.0)
QUICK_TIMEOUT = (5.0, 30.0)  # connect, read


@dataclass
class Services:
    """Paths, current settings and the token store, plus a Hub client factory.

    ``make_client()`` reads the token (possibly from the OS keyring), the endpoint and the network
    settings at call time, so a client made after Settings changed uses the new values. It may block:
    call it on a worker thread. ``limiter`` is the one bandwidth cap every download of the window
    shares; ``apply_settings`` changes its rate live.
    """

    paths: AppPaths
    settings: Settings
    token_store: TokenStore
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    proxy_passwords: TokenStore = field(default_factory=proxy_password_store)
    builtin_catalog_file: Path | None = None  # None: resources/catalog.json
    settings_warnings: list[str] = field(default_factory=list)
    # Set when the window closes: every client made here stops waiting between retries at once, so
    # closing never waits for a backoff against an unreachable Hub.
    closing: threading.Event = field(default_factory=threading.Event, repr=False)
    _listeners: list[SettingsListener] = field(default_factory=list)
    _limiter: BandwidthLimiter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Made here, not lazily: worker threads read it, and two limiters would each allow the full rate.
        self._limiter = BandwidthLimiter(self.settings.bandwidth_limit)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Services:
        """Paths from the environment and settings from disk; touches neither network nor keyring."""
        env = os.environ if env is None else env
        paths = AppPaths.from_environment(dict(env))
        warnings: list[str] = []
        settings = load_settings(paths, warnings)
        return cls(paths, settings, KeyringTokenStore(), env=env, settings_warnings=warnings)

    @property
    def endpoint(self) -> str:
        return self.settings.effective_endpoint(self.env)

    @property
    def library_root(self) -> Path:
        return self.settings.library_root(self.paths)

    @property
    def hf_cache_dir(self) -> Path:
        """The Hugging Face cache huggingface_hub (and transformers) use in this environment."""
        return hfcache.hub_cache_dir(self.env)

    @property
    def limiter(self) -> BandwidthLimiter:
        """The shared bandwidth cap (Settings.bandwidth_limit bytes/s; 0 = unlimited)."""
        return self._limiter

    def secure_proxy_password(self) -> bool:
        """Move a proxy password an older hfgui wrote into settings.json to the keyring; True if moved.

        Only when the keyring works: without one the file stays as it was rather than lose the password.
        Reads the keyring: call it on a worker.
        """
        url = self.settings.proxy_url
        if not url or not split_proxy_password(url)[1] or not self.proxy_passwords.available():
            return False
        return save_settings(self.paths, self.settings, self.proxy_passwords) is None

    def network(self) -> NetworkConfig:
        """The checked network settings; HfGuiError (one line, says how to fix it) when unusable."""
        return self.settings.network(self.proxy_passwords).check()

    @property
    def env_token_name(self) -> str | None:
        """The environment variable whose token overrides the stored one, if any."""
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
            if self.env.get(name, "").strip():
                return name
        return None

    def make_client(self, token: str | None = None, *, quick: bool = False) -> HubClient:
        """A Hub client for the current endpoint and network settings; ``token`` overrides the
        stored/env token. Raises HfGuiError when the proxy or CA settings are unusable (callers run
        this on a worker and show the error), before the keyring is read.

        ``quick``: one retry at most, for questions the window asks in the background (sizes, the
        offline watch): with no network they fail in a second or two and the watch asks again later.
        """
        from hfgui.core.wire.auth import Token, TokenSource, resolve_token

        network = self.network()
        if token:
            chosen = Token(token, TokenSource.EXPLICIT, "Settings")
        else:
            chosen = resolve_token(env=self.env, store=self.token_store)
        try:
            return HubClient(
                self.endpoint,
                token=chosen if chosen is not None else False,
                network=network,
                cancel=self.closing,
                **({"retry": QUICK_RETRY, "timeout": QUICK_TIMEOUT} if quick else {}),
            )
        except HfGuiError:
            raise
        except (OSError, ValueError) as exc:  # e.g. a CA file that vanished between check and use
            raise HfGuiError(
                f"Could not set up the connection ({redact_url(str(exc))}).",
                "Check the network settings in Settings.",
            ) from None

    def on_settings_changed(self, listener: SettingsListener) -> None:
        self._listeners.append(listener)

    def apply_settings(self, settings: Settings) -> None:
        """Adopt new settings (the caller persists them) and tell listeners (old, new)."""
        old, self.settings = self.settings, settings
        if old.bandwidth_limit != settings.bandwidth_limit:
            self._limiter.set_rate(settings.bandwidth_limit)
        for listener in list(self._listeners):
            listener(old, settings)
