"""User settings: a frozen dataclass saved as JSON, loaded tolerantly so a bad file never stops the app."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hfgui.core.store.jsonio import read_json, write_json_atomic
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.auth import TokenStore, proxy_password_store
from hfgui.core.wire.network import (
    PROXY_MODES,
    NetworkConfig,
    join_proxy_password,
    no_proxy_problem,
    parse_no_proxy,
    proxy_url_problem,
    redact_url,
    split_proxy_password,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
# Version 1 saved every field, so the old fixed defaults (4 files, 1 connection per file; no window
# could change them) were pinned in every settings.json: read them as "not chosen", i.e. adaptive.
_OLD_DEFAULTS = {1: {"parallel_files": 4, "segments_per_file": 1}}
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class Settings:
    """Everything the user can change in Settings except the token (that lives in the OS keyring)."""

    schema_version: int = SCHEMA_VERSION
    library_dir: str | None = None  # None -> AppPaths.default_library
    parallel_files: int = 0  # files in flight within one model: 0 = adaptive (up to 32), N = at most N
    parallel_models: int = 2  # models downloaded at once
    endpoint: str | None = None  # None -> $HF_ENDPOINT or https://huggingface.co
    auto_resume: bool = True  # resume unfinished downloads on start
    segments_per_file: int = 0  # ranged connections per large file: 0 = adaptive (up to 16), N = N
    use_hf_cache: bool = False  # also look in the huggingface_hub cache for existing files
    proxy_mode: str = "system"  # system (env/OS), none, or manual (proxy_url)
    proxy_url: str | None = field(default=None, repr=False)  # may hold user:password; never shown
    # True: the proxy's password is in the OS keyring (settings.json holds the address without it)
    proxy_password_saved: bool = False
    no_proxy: str = ""  # manual mode: hosts, .domains, IPs, CIDRs that skip the proxy (comma separated)
    ca_bundle: str | None = None  # PEM file trusted instead of the default CAs (corporate TLS inspection)
    stall_timeout_seconds: int = 10  # reconnect when no byte arrives for this long (huggingface_hub: 10)
    confirm_delete: bool = True
    bandwidth_limit: int = 0  # bytes per second shared by all downloads of a run; 0 = unlimited

    def library_root(self, paths: AppPaths) -> Path:
        return Path(self.library_dir).expanduser() if self.library_dir else paths.default_library

    def effective_endpoint(self, env: Mapping[str, str] | None = None) -> str:
        """The saved endpoint when set, else $HF_ENDPOINT, else the public Hub; no trailing slash."""
        env = os.environ if env is None else env
        chosen = self.endpoint or env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
        return chosen.rstrip("/")

    def network(self, proxy_passwords: TokenStore | None = None) -> NetworkConfig:
        """Proxy and CA settings for Hub clients (``.check()`` it to get a one-line error early).

        With ``proxy_passwords`` a password saved in the keyring is put back into the proxy address
        (this reads the keyring: call it off the GUI thread); without, the address is used as it is.
        """
        config = NetworkConfig.from_settings(self)
        if proxy_passwords is None or not (self.proxy_password_saved and config.proxy_url):
            return config
        if split_proxy_password(config.proxy_url)[1]:
            return config  # typed in this session: already complete
        password = proxy_passwords.get()
        if not password:
            return config
        return dataclasses.replace(config, proxy_url=join_proxy_password(config.proxy_url, password))


def _is_int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _is_optional_str(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() != "")


def _is_proxy_url(value: Any) -> bool:
    return value is None or proxy_url_problem(value) is None


def _is_no_proxy(value: Any) -> bool:
    return isinstance(value, str) and not any(map(no_proxy_problem, parse_no_proxy(value)))


def _is_endpoint(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.startswith(("http://", "https://")))


_VALIDATORS: dict[str, Callable[[Any], bool]] = {
    "library_dir": _is_optional_str,
    "parallel_files": _is_int_in(0, 32),
    "parallel_models": _is_int_in(1, 8),
    "endpoint": _is_endpoint,
    "auto_resume": lambda v: isinstance(v, bool),
    "segments_per_file": _is_int_in(0, 16),
    "use_hf_cache": lambda v: isinstance(v, bool),
    "proxy_mode": lambda v: v in PROXY_MODES,
    "proxy_url": _is_proxy_url,
    "no_proxy": _is_no_proxy,
    "proxy_password_saved": lambda v: isinstance(v, bool),
    # Only the shape: a CA file that is missing now (unmounted drive) is reported when used, not dropped.
    "ca_bundle": _is_optional_str,
    "stall_timeout_seconds": _is_int_in(5, 3600),
    "confirm_delete": lambda v: isinstance(v, bool),
    "bandwidth_limit": _is_int_in(0, 10**12),
}


def settings_from_dict(data: Mapping[str, Any], warnings: list[str] | None = None) -> Settings:
    """Build Settings from parsed JSON: unknown keys are ignored, invalid values fall back to defaults."""
    values: dict[str, Any] = {}
    version = data.get("schema_version", 1)
    outgrown = _OLD_DEFAULTS.get(version, {}) if isinstance(version, int) else {}
    for name, is_valid in _VALIDATORS.items():
        if name not in data or _is_outgrown(data[name], outgrown.get(name)):
            continue
        value = data[name]
        if is_valid(value):
            values[name] = value
        else:
            default = getattr(Settings, name)
            shown = redact_url(repr(value))  # a proxy URL may carry a password
            _warn(warnings, f"Setting '{name}' has an invalid value {shown}; using the default {default!r}.")
    return Settings(**values)


def _is_outgrown(value: Any, old_default: Any) -> bool:
    return old_default is not None and type(value) is type(old_default) and value == old_default


def load_settings(paths: AppPaths, warnings: list[str] | None = None) -> Settings:
    """Read settings.json; a missing file gives defaults, a corrupt one is renamed aside (never lost).

    Problems are logged and, when ``warnings`` is given, appended to it for the window to show.
    """
    path = paths.settings_file
    try:
        data = read_json(path)
    except FileNotFoundError:
        return Settings()
    except OSError as exc:  # unreadable (permissions, a folder…): leave it alone, it may be fine later
        _warn(
            warnings,
            f"Settings file {path} cannot be read ({exc.strerror or exc}); default settings are used.",
        )
        return Settings()
    except ValueError as exc:  # not JSON / not UTF-8: corrupt
        return _set_aside(path, f"is not valid JSON ({exc.__class__.__name__})", warnings)
    if not isinstance(data, dict):
        return _set_aside(path, "does not hold a JSON object", warnings)
    return _anchor_library_dir(settings_from_dict(data, warnings), paths)


def _anchor_library_dir(settings: Settings, paths: AppPaths) -> Settings:
    """A relative library_dir (settings.json edited by hand) is resolved once, against the folder that
    holds settings.json: never taken relative to whatever folder a command happens to run in."""
    if not settings.library_dir or Path(settings.library_dir).expanduser().is_absolute():
        return settings
    return dataclasses.replace(settings, library_dir=str(paths.config_dir / settings.library_dir))


def save_settings(
    paths: AppPaths, settings: Settings, proxy_passwords: TokenStore | None = None
) -> str | None:
    """Write settings atomically, keeping keys written by a newer hfgui that this version does not know.

    A proxy password never reaches the file: it goes to ``proxy_passwords`` (the OS keyring by default)
    and settings.json keeps the address without it. Returns a warning when there is no keyring and the
    password is kept for this session only. Reads and writes the keyring: call it off the GUI thread.
    """
    path = paths.settings_file
    try:
        existing = read_json(path)
    except (OSError, ValueError):
        existing = {}
    merged = dict(existing) if isinstance(existing, dict) else {}
    merged.update(dataclasses.asdict(settings))
    warning = _move_proxy_password(settings, merged, proxy_passwords)
    merged["schema_version"] = SCHEMA_VERSION
    write_json_atomic(path, merged)
    return warning


def _move_proxy_password(settings: Settings, on_disk: dict[str, Any], store: TokenStore | None) -> str | None:
    if not settings.proxy_url:
        address, password = "", ""
    else:
        address, password = split_proxy_password(settings.proxy_url)
    if password:
        store = store or proxy_password_store()
        store.set(password)
        on_disk["proxy_url"] = address
        on_disk["proxy_password_saved"] = store.available()
        if on_disk["proxy_password_saved"]:
            return None
        return "No keyring is available, so the proxy password is kept for this session only."
    if settings.proxy_password_saved and "@" in address:
        return None  # the address still names its user: the password saved earlier stays
    on_disk["proxy_password_saved"] = False
    if settings.proxy_password_saved:
        (store or proxy_password_store()).delete()  # the proxy no longer has a user
    return None


def _set_aside(path: Path, problem: str, warnings: list[str] | None) -> Settings:
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, aside)
        where = f"it was renamed to {aside.name}"
    except OSError:
        where = "it was left in place"
    _warn(warnings, f"Settings file {path} {problem}; {where} and default settings are used.")
    return Settings()


def _warn(warnings: list[str] | None, message: str) -> None:
    log.warning("%s", message)
    if warnings is not None:
        warnings.append(message)
