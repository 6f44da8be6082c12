"""Pre-flight access check of a repository: visible, private, gated, downloadable with or without a token."""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hfgui.core.errors import (
    DisabledRepoError,
    EntryNotFoundError,
    GatedRepoError,
    HfGuiError,
    InvalidTokenError,
    NetworkError,
    RateLimitedError,
    RepoNotFoundError,
    RevisionNotFoundError,
)
from hfgui.core.library.catalog_entry import path_matches
from hfgui.core.types import Account, ModelInfo

if TYPE_CHECKING:
    from hfgui.core.wire.hub import HubClient

log = logging.getLogger(__name__)

# Files that say "this model's content is reachable" without costing a large transfer (HEAD only anyway).
_PREFERRED_PROBES = ("config.json", "Manifest.json", "model_index.json", "tokenizer.json")
_WEIGHT_SUFFIXES = (".gguf", ".safetensors", ".onnx", ".mlmodel", ".bin", ".npz", ".zip", ".pte", ".tflite")


class Verdict(enum.Enum):
    NO_AUTH = "no authentication required"
    TOKEN_REQUIRED = "token required"
    LICENSE_REQUIRED = "license acceptance required"
    NOT_FOUND = "not found"
    INVALID_TOKEN = "invalid token"
    DISABLED = "disabled"
    RATE_LIMITED = "rate limited"
    UNREACHABLE = "unreachable"
    ERROR = "error"


@dataclass(frozen=True)
class TokenCheck:
    """Result of whoami-v2 for the token in use (checked once per run: the endpoint is rate limited)."""

    source: str  # where the token came from, as messages name it ("HF_TOKEN", "Settings", …)
    account: Account | None = None
    error: str | None = None  # one-line message when the token could not be checked
    invalid: bool = False  # the Hub rejected the token itself

    @property
    def valid(self) -> bool:
        return self.account is not None


@dataclass(frozen=True)
class AccessReport:
    """Everything ``check_access`` learned about one repository. None means "could not tell"."""

    repo_id: str
    revision: str
    verdict: Verdict
    next_step: str
    api_accessible: bool = False  # model info answered with the credentials in use
    private: bool | None = None
    gated: str | bool | None = None  # False, "auto" or "manual"
    disabled: bool | None = None
    commit: str | None = None
    probe_file: str | None = None  # the file whose resolve URL was checked with HEAD
    anonymous_download: bool | None = None
    token_source: str | None = None  # None: no token available
    token_download: bool | None = None
    account: str | None = None
    errors: tuple[str, ...] = ()  # one-line messages of every failed request, in order

    @property
    def has_token(self) -> bool:
        return self.token_source is not None

    @property
    def downloadable(self) -> bool:
        """Whether a download would work with the credentials currently in use."""
        if self.has_token:
            return bool(self.token_download)
        return bool(self.anonymous_download)

    def to_dict(self) -> dict[str, object]:
        return {
            "repo": self.repo_id,
            "revision": self.revision,
            "verdict": self.verdict.value,
            "next_step": self.next_step,
            "downloadable": self.downloadable,
            "api_accessible": self.api_accessible,
            "private": self.private,
            "gated": self.gated,
            "disabled": self.disabled,
            "commit": self.commit,
            "file_checked": self.probe_file,
            "downloadable_anonymously": self.anonymous_download,
            "token_source": self.token_source,
            "downloadable_with_token": self.token_download,
            "account": self.account,
            "errors": list(self.errors),
        }


def check_token(client_auth: HubClient) -> TokenCheck:
    """whoami-v2 with the client's token; never raises for Hub errors."""
    source = client_auth.token.label if client_auth.token is not None else "token"
    try:
        return TokenCheck(source, account=client_auth.whoami())
    except InvalidTokenError as exc:
        return TokenCheck(source, error=str(exc), invalid=True)
    except HfGuiError as exc:
        return TokenCheck(source, error=str(exc))


@dataclass
class _Probe:
    """Outcome of one request: the value, or the error it raised."""

    value: object = None
    error: HfGuiError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _attempt(call: object, *args: object, **kwargs: object) -> _Probe:
    try:
        return _Probe(value=call(*args, **kwargs))  # type: ignore[operator]
    except HfGuiError as exc:
        log.debug("access check: %s", exc)
        return _Probe(error=exc)


def check_access(
    client_anon: HubClient,
    client_auth: HubClient | None,
    repo_id: str,
    *,
    revision: str = "main",
    files: Sequence[str] = (),
    patterns: Sequence[str] = (),
    token_check: TokenCheck | None = None,
) -> AccessReport:
    """Check one repository the way the original app's verification script promised to.

    ``files``: paths to probe first (a catalog entry's files); otherwise a representative file is
    picked from the siblings matching ``patterns`` (or all siblings). ``client_auth`` is None when no
    token is available. Never raises for Hub or network failures: they are recorded in the report.
    """
    errors: list[str] = []

    def note(probe: _Probe) -> _Probe:
        if probe.error is not None:
            errors.append(str(probe.error))
        return probe

    anon_info = note(_attempt(client_anon.model_info, repo_id, revision=revision))
    if isinstance(anon_info.error, (NetworkError, RateLimitedError)):
        return _finish(repo_id, revision, anon_info.error, errors)

    tokens: TokenCheck | None = None
    auth_info = _Probe(error=anon_info.error)
    if client_auth is not None:
        tokens = token_check if token_check is not None else check_token(client_auth)
        if tokens.error and not any(tokens.error == e for e in errors):
            errors.append(tokens.error)
        if not tokens.invalid:
            auth_info = note(_attempt(client_auth.model_info, repo_id, revision=revision))
    info_probe = (
        auth_info if client_auth is not None and tokens is not None and not tokens.invalid else anon_info
    )
    info: ModelInfo | None = anon_info.value or auth_info.value  # type: ignore[assignment]

    private: bool | None = None
    if anon_info.ok:
        private = bool(anon_info.value.private)  # type: ignore[union-attr]
    elif auth_info.ok:
        private = True  # visible with the token only
    probe_file = _pick_probe_file(info, files, patterns)

    anon_download: bool | None = None
    anon_head = _Probe()
    if probe_file is not None:
        anon_head = note(_attempt(client_anon.file_metadata, repo_id, probe_file, revision=revision))
        anon_download = anon_head.ok
    elif anon_info.error is not None:
        anon_download = False  # the repository itself is not readable anonymously

    token_download: bool | None = None
    auth_head = _Probe()
    if client_auth is not None and tokens is not None:
        if tokens.invalid:
            token_download = False
        elif probe_file is not None:
            auth_head = note(_attempt(client_auth.file_metadata, repo_id, probe_file, revision=revision))
            token_download = auth_head.ok
        elif auth_info.error is not None:
            token_download = False

    verdict, next_step = _verdict(
        repo_id=repo_id,
        info=info,
        info_probe=info_probe,
        anon_head=anon_head,
        anon_download=anon_download,
        auth_head=auth_head,
        token_download=token_download,
        tokens=tokens,
        client=client_auth or client_anon,
        probe_file=probe_file,
    )
    return AccessReport(
        repo_id=repo_id,
        revision=revision,
        verdict=verdict,
        next_step=next_step,
        api_accessible=info_probe.ok,
        private=private,
        gated=info.gated if info is not None else None,
        disabled=info.disabled if info is not None else None,
        commit=info.sha if info is not None else None,
        probe_file=probe_file,
        anonymous_download=anon_download,
        token_source=tokens.source if tokens is not None else None,
        token_download=token_download,
        account=tokens.account.name if tokens is not None and tokens.account is not None else None,
        errors=tuple(errors),
    )


def _pick_probe_file(info: ModelInfo | None, files: Sequence[str], patterns: Sequence[str]) -> str | None:
    if files:
        return files[0]
    if info is None:
        return None
    candidates = [s for s in info.siblings if path_matches(s, patterns)]
    if not candidates:
        return None
    for name in _PREFERRED_PROBES:
        for path in candidates:
            if path == name or path.endswith("/" + name):
                return path
    for path in candidates:
        if path.endswith(_WEIGHT_SUFFIXES):
            return path
    return candidates[0]


def _verdict(
    *,
    repo_id: str,
    info: ModelInfo | None,
    info_probe: _Probe,
    anon_head: _Probe,
    anon_download: bool | None,
    auth_head: _Probe,
    token_download: bool | None,
    tokens: TokenCheck | None,
    client: HubClient,
    probe_file: str | None,
) -> tuple[Verdict, str]:
    """Decide what a person needs to do, most blocking problem first."""
    source = tokens.source if tokens is not None else "your token"
    failures = [p.error for p in (info_probe, auth_head, anon_head) if p.error is not None]
    for error in failures:
        if isinstance(error, NetworkError):
            return Verdict.UNREACHABLE, error.hint
        if isinstance(error, RateLimitedError):
            return Verdict.RATE_LIMITED, error.hint
    if tokens is not None and tokens.invalid:
        hint = f"Fix or remove the token in {tokens.source}; public models download without one."
        return Verdict.INVALID_TOKEN, hint
    if (info is not None and info.disabled) or any(isinstance(e, DisabledRepoError) for e in failures):
        return Verdict.DISABLED, DisabledRepoError(repo_id).hint

    gated = info.gated if info is not None else False
    if gated:
        if token_download:
            return (
                Verdict.LICENSE_REQUIRED,
                f"Access has been granted to your token ({source}); downloads work.",
            )
        if anon_download:  # a gate that does not cover this file; unusual but possible
            return Verdict.NO_AUTH, "Downloads work without a token."
        authenticated = tokens is not None and tokens.valid
        gate = next((e for e in failures if isinstance(e, GatedRepoError)), None)
        if gate is None:
            gate = GatedRepoError(repo_id, page_url=client.page_url(repo_id), authenticated=authenticated)
        return Verdict.LICENSE_REQUIRED, gate.hint

    if anon_download:
        return Verdict.NO_AUTH, "Downloads work without a token."
    if token_download:
        return Verdict.TOKEN_REQUIRED, f"Downloads work with your token from {source}."

    for error in failures:
        if isinstance(error, (RepoNotFoundError, RevisionNotFoundError)):
            return Verdict.NOT_FOUND, error.hint
        if isinstance(error, GatedRepoError):
            return Verdict.LICENSE_REQUIRED, error.hint
    if probe_file is None and info_probe.ok:
        return Verdict.ERROR, "The repository has no files to download."
    for error in failures:
        if isinstance(error, EntryNotFoundError):
            return Verdict.NOT_FOUND, error.user_message
    if failures:
        return Verdict.ERROR, failures[0].hint or failures[0].user_message
    if tokens is not None and tokens.error:
        return Verdict.ERROR, tokens.error
    return Verdict.ERROR, "The check could not decide; run it again with -v for details."


def _finish(repo_id: str, revision: str, error: HfGuiError, errors: list[str]) -> AccessReport:
    verdict = Verdict.UNREACHABLE if isinstance(error, NetworkError) else Verdict.RATE_LIMITED
    return AccessReport(
        repo_id=repo_id,
        revision=revision,
        verdict=verdict,
        next_step=error.hint,
        api_accessible=False,
        errors=tuple(errors),
    )
