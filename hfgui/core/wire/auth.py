"""Hugging Face tokens: where they come from, how they are stored, and keeping them out of text.

Keyring calls (``KeyringTokenStore`` methods, and ``resolve_token`` with such a store) can block on an
unlock prompt or a slow D-Bus service: GUI code must call them from a worker thread, never the UI thread.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger(__name__)

KEYRING_SERVICE = "hfgui"
KEYRING_USERNAME = "huggingface-token"
PROXY_PASSWORD_USERNAME = "proxy-password"  # a manual proxy's password: in the keyring, not settings.json
REDACTED = "***"


class TokenSource(enum.Enum):
    EXPLICIT = "explicit"
    HF_TOKEN = "HF_TOKEN"
    HUGGING_FACE_HUB_TOKEN = "HUGGING_FACE_HUB_TOKEN"
    KEYRING = "keyring"
    TOKEN_FILE = "token_file"

    @property
    def label(self) -> str:
        """Where a person goes to fix the token, as messages name it."""
        return {
            TokenSource.EXPLICIT: "the --token option",
            TokenSource.HF_TOKEN: "HF_TOKEN",
            TokenSource.HUGGING_FACE_HUB_TOKEN: "HUGGING_FACE_HUB_TOKEN",
            TokenSource.KEYRING: "Settings",
            TokenSource.TOKEN_FILE: "the token file",
        }[self]


@dataclass(frozen=True)
class Token:
    """A token and where it came from. ``repr``/``str`` never show the value; use ``reveal()``."""

    value: str = field(repr=False)
    source: TokenSource
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.source.label)

    def reveal(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token(source={self.source.name})"

    __str__ = __repr__


@runtime_checkable
class TokenStore(Protocol):
    def get(self) -> str | None: ...
    def set(self, token: str) -> None: ...
    def delete(self) -> None: ...
    def available(self) -> bool: ...
    def backend_name(self) -> str: ...


class MemoryTokenStore:
    """Keeps the token in this process only (tests, and the fallback when no keyring exists)."""

    def __init__(self, token: str | None = None) -> None:
        self._token = _clean(token)

    def get(self) -> str | None:
        return self._token

    def set(self, token: str) -> None:
        self._token = _clean(token)

    def delete(self) -> None:
        self._token = None

    def available(self) -> bool:
        return True

    def backend_name(self) -> str:
        return "memory (this session only)"


class KeyringTokenStore:
    """The token in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

    When the keyring is missing or broken the token is kept in memory for this run only and
    ``available()`` turns False so the UI can say so; it is never written to a plain file.
    """

    def __init__(
        self, backend: Any | None = None, service: str = KEYRING_SERVICE, username: str = KEYRING_USERNAME
    ) -> None:
        self._backend = backend  # None: the keyring package's configured backend
        self._service = service
        self._username = username
        self._fallback = MemoryTokenStore()
        self._usable: bool | None = None  # unknown until the first keyring call
        self._lock = threading.Lock()

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def _call(self, action: str, *args: str) -> tuple[bool, Any]:
        # Any failure (KeyringError incl. NoKeyringError, or a D-Bus error a backend forgot to wrap)
        # must not break token handling: fall back to memory and remember the keyring is unusable.
        try:
            result = getattr(self._keyring(), action)(self._service, self._username, *args)
        except Exception as exc:
            if _is_missing_password(exc):
                self._usable = True
                return True, None
            log.warning(
                "Keyring unavailable (%s); the token is kept for this session only.", type(exc).__name__
            )
            self._usable = False
            return False, None
        self._usable = True
        return True, result

    def get(self) -> str | None:
        with self._lock:
            if self._usable is False:
                return self._fallback.get()
            ok, value = self._call("get_password")
            return _clean(value) if ok else self._fallback.get()

    def set(self, token: str) -> None:
        token = _clean(token) or ""
        with self._lock:
            if not token:
                self._delete_locked()
                return
            if self._usable is not False:
                ok, _ = self._call("set_password", token)
                if ok:
                    self._fallback.delete()
                    return
            self._fallback.set(token)

    def delete(self) -> None:
        with self._lock:
            self._delete_locked()

    def _delete_locked(self) -> None:
        self._fallback.delete()
        if self._usable is not False:
            self._call("delete_password")

    def available(self) -> bool:
        """True when the OS keyring works (probes it once; may block, see the module docstring)."""
        with self._lock:
            if self._usable is None:
                self._call("get_password")
            return bool(self._usable)

    def backend_name(self) -> str:
        try:
            backend = self._keyring()
        except Exception:
            return "none"
        name = getattr(backend, "name", "") or type(backend).__name__
        return str(name)


def proxy_password_store(backend: Any | None = None) -> KeyringTokenStore:
    """Where a manual proxy's password is kept: the OS keyring next to the token (memory without one)."""
    return KeyringTokenStore(backend, username=PROXY_PASSWORD_USERNAME)


def _is_missing_password(exc: Exception) -> bool:
    """Deleting a token that is not there is not a keyring failure."""
    try:
        from keyring.errors import PasswordDeleteError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    return isinstance(exc, PasswordDeleteError)


def _clean(token: str | None) -> str | None:
    """Strip whitespace and newlines; an empty token means no token."""
    if token is None:
        return None
    token = str(token).strip()
    return token or None


def token_file_path(env: Mapping[str, str] | None = None) -> Path:
    """huggingface_hub's token file: $HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token."""
    env = os.environ if env is None else env
    if env.get("HF_TOKEN_PATH"):
        return Path(env["HF_TOKEN_PATH"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "token"
    cache = Path(env["XDG_CACHE_HOME"]).expanduser() if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return cache / "huggingface" / "token"


def _read_token_file(path: Path) -> str | None:
    try:
        return _clean(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def resolve_token(
    explicit: str | None = None, *, env: Mapping[str, str] | None = None, store: TokenStore | None = None
) -> Token | None:
    """The token to use: explicit > HF_TOKEN > HUGGING_FACE_HUB_TOKEN > store (keyring) > token file."""
    env = os.environ if env is None else env
    value = _clean(explicit)
    if value:
        return Token(value, TokenSource.EXPLICIT)
    for name, source in (
        ("HF_TOKEN", TokenSource.HF_TOKEN),
        ("HUGGING_FACE_HUB_TOKEN", TokenSource.HUGGING_FACE_HUB_TOKEN),
    ):
        value = _clean(env.get(name))
        if value:
            return Token(value, source)
    if store is not None:
        value = _clean(store.get())
        if value:
            return Token(value, TokenSource.KEYRING)
    path = token_file_path(env)
    value = _read_token_file(path)
    if value:
        return Token(value, TokenSource.TOKEN_FILE, f"the token file {path}")
    return None


def redact(text: str, token: Token | str | None) -> str:
    """``text`` with every occurrence of the token replaced by ***."""
    value = token.reveal() if isinstance(token, Token) else token
    if not value or not text:
        return text
    return text.replace(value, REDACTED)
