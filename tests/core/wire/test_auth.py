"""Token sources, precedence and storage; the value never shows up in text."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import fail

from hfgui.core.wire.auth import (
    KEYRING_SERVICE,
    KEYRING_USERNAME,
    KeyringTokenStore,
    MemoryTokenStore,
    Token,
    TokenSource,
    TokenStore,
    redact,
    resolve_token,
    token_file_path,
)
from tests.memory_keyring import MemoryKeyring

SECRET = "hf_secretTOKENvalue0123456789"


@pytest.fixture
def global_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


# --- Token ---------------------------------------------------------------------------------------


def test_token_hides_its_value() -> None:
    token = Token(SECRET, TokenSource.HF_TOKEN)
    for text in (repr(token), str(token), f"{token}", repr([token]), repr({"t": token})):
        assert SECRET not in text
    assert repr(token) == "Token(source=HF_TOKEN)"
    assert token.reveal() == SECRET
    assert token.label == "HF_TOKEN"


@pytest.mark.parametrize(
    ("source", "label"),
    [
        (TokenSource.EXPLICIT, "the --token option"),
        (TokenSource.HF_TOKEN, "HF_TOKEN"),
        (TokenSource.HUGGING_FACE_HUB_TOKEN, "HUGGING_FACE_HUB_TOKEN"),
        (TokenSource.KEYRING, "Settings"),
        (TokenSource.TOKEN_FILE, "the token file"),
    ],
)
def test_source_labels(source: TokenSource, label: str) -> None:
    assert source.label == label
    assert Token("x", source).label == label


def test_redact() -> None:
    assert redact(f"Bearer {SECRET} and {SECRET}", SECRET) == "Bearer *** and ***"
    assert redact(f"x {SECRET}", Token(SECRET, TokenSource.HF_TOKEN)) == "x ***"
    assert redact("nothing here", None) == "nothing here"


# --- resolve_token -------------------------------------------------------------------------------


def _all_sources(tmp_path: Path) -> tuple[dict[str, str], MemoryTokenStore]:
    token_file = tmp_path / "token"
    token_file.write_text("  hf_from_file\n", encoding="utf-8")
    env = {
        "HF_TOKEN": "hf_from_env",
        "HUGGING_FACE_HUB_TOKEN": "hf_from_legacy",
        "HF_TOKEN_PATH": str(token_file),
    }
    return env, MemoryTokenStore("hf_from_keyring")


def test_precedence_walks_all_five_sources(tmp_path: Path) -> None:
    env, store = _all_sources(tmp_path)
    token = resolve_token("  hf_explicit ", env=env, store=store)
    assert token is not None and (token.reveal(), token.source) == ("hf_explicit", TokenSource.EXPLICIT)

    token = resolve_token(None, env=env, store=store)
    assert token is not None and (token.reveal(), token.source) == ("hf_from_env", TokenSource.HF_TOKEN)

    env["HF_TOKEN"] = "   "  # blank means unset
    token = resolve_token(None, env=env, store=store)
    assert token is not None
    assert (token.reveal(), token.source) == ("hf_from_legacy", TokenSource.HUGGING_FACE_HUB_TOKEN)

    del env["HUGGING_FACE_HUB_TOKEN"]
    token = resolve_token("", env=env, store=store)
    assert token is not None and (token.reveal(), token.source) == ("hf_from_keyring", TokenSource.KEYRING)
    assert token.label == "Settings"

    store.delete()
    token = resolve_token(None, env=env, store=store)
    assert token is not None and (token.reveal(), token.source) == ("hf_from_file", TokenSource.TOKEN_FILE)
    assert token.label == f"the token file {tmp_path / 'token'}"

    (tmp_path / "token").write_text("\n", encoding="utf-8")
    assert resolve_token(None, env=env, store=store) is None


def test_token_from_process_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.delenv("HF_TOKEN_PATH", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HUGGING_FACE_HUB_TOKEN", "hf_legacy")
    token = resolve_token()
    assert token is not None and token.source is TokenSource.HUGGING_FACE_HUB_TOKEN
    monkeypatch.setenv("HF_TOKEN", "hf_new")
    token = resolve_token()
    assert token is not None and token.reveal() == "hf_new"


def test_token_file_location(tmp_path: Path) -> None:
    assert token_file_path({"HF_TOKEN_PATH": str(tmp_path / "t")}) == tmp_path / "t"
    assert token_file_path({"HF_HOME": str(tmp_path)}) == tmp_path / "token"
    assert token_file_path({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "huggingface" / "token"
    assert token_file_path({}) == Path.home() / ".cache" / "huggingface" / "token"


def test_token_file_from_hf_home(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("hf_in_home", encoding="utf-8")
    token = resolve_token(env={"HF_HOME": str(tmp_path)})
    assert token is not None and token.reveal() == "hf_in_home" and token.source is TokenSource.TOKEN_FILE


def test_unreadable_token_file_means_no_token(tmp_path: Path) -> None:
    (tmp_path / "token").mkdir()  # a directory where the file should be
    assert resolve_token(env={"HF_HOME": str(tmp_path)}) is None


# --- stores --------------------------------------------------------------------------------------


def test_memory_store_roundtrip() -> None:
    store = MemoryTokenStore()
    assert isinstance(store, TokenStore)
    assert store.get() is None and store.available()
    store.set(f" {SECRET}\n")
    assert store.get() == SECRET
    store.delete()
    assert store.get() is None


def test_keyring_store_uses_the_configured_backend(global_keyring: None) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    store = KeyringTokenStore()
    assert isinstance(store, TokenStore)
    assert store.available()
    assert store.get() is None
    store.set(SECRET)
    assert backend.passwords == {(KEYRING_SERVICE, KEYRING_USERNAME): SECRET}
    assert (KEYRING_SERVICE, KEYRING_USERNAME) == ("hfgui", "huggingface-token")
    assert KeyringTokenStore().get() == SECRET  # a fresh store (next run) reads it back
    assert store.backend_name() == backend.name
    store.delete()
    assert backend.passwords == {}
    store.delete()  # deleting twice is fine
    assert store.get() is None and store.available()


def test_failing_keyring_keeps_token_in_memory_only(
    global_keyring: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "HFGUI_HOME", "HF_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.chdir(tmp_path)
    keyring.set_keyring(fail.Keyring())
    store = KeyringTokenStore()
    assert store.get() is None
    assert not store.available()
    store.set(SECRET)
    assert store.get() == SECRET  # kept for this run
    assert not store.available()
    token = resolve_token(env={}, store=store)
    assert token is not None and token.source is TokenSource.KEYRING
    assert KeyringTokenStore().get() is None  # not persisted anywhere a new run could read
    store.delete()
    assert store.get() is None
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(SECRET not in p.read_text(errors="replace") for p in written), written


def test_failing_keyring_passed_as_backend() -> None:
    store = KeyringTokenStore(backend=fail.Keyring())
    store.set(SECRET)
    assert not store.available()
    assert store.get() == SECRET
    assert "fail" in store.backend_name().lower()


def test_failing_keyring_logs_no_token(global_keyring: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    store = KeyringTokenStore(backend=fail.Keyring())
    store.set(SECRET)
    store.get()
    assert "Keyring unavailable" in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.secret_service
def test_real_secret_service_roundtrip() -> None:
    if os.environ.get("HFGUI_SECRET_SERVICE") != "1":
        pytest.skip(
            "needs HFGUI_SECRET_SERVICE=1 and an unlocked gnome-keyring (scripts/test.sh provides both)"
        )
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    username = f"test-{uuid.uuid4().hex}"  # never clobber a real token
    store = KeyringTokenStore(backend=backend, username=username)
    try:
        assert store.available(), "Secret Service is not usable"
        assert store.get() is None
        store.set(SECRET)
        assert backend.get_password(KEYRING_SERVICE, username) == SECRET
        assert KeyringTokenStore(backend=backend, username=username).get() == SECRET
        store.delete()
        assert backend.get_password(KEYRING_SERVICE, username) is None
        assert store.get() is None and store.available()
    finally:
        store.delete()
