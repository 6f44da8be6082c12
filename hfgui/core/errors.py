"""One exception type per situation a user can meet, each with a one-line message and a next step.

Every error carries ``message`` (what happened) and ``hint`` (what to do next); ``str(err)`` joins
them into the single line the CLI prints and the window shows. No error text ever contains a token,
and a ``user:password@`` in any URL it quotes (a mirror's or a proxy's address) is shown as ``***@``.
"""

from __future__ import annotations

import re

REDACTED_USERINFO = "***"
# Where a token goes, for the window and the command line alike.
ADD_TOKEN = "add a Hugging Face token (Settings in the window, HF_TOKEN for the command line)"
# Up to the last "@" of the authority: a password typed with a raw "@" in it is hidden whole.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s]+)@")
_PLACEHOLDER = "user:password"  # how hints spell out the form of a proxy address: not a secret


class HfGuiError(Exception):
    """Base of every error hfgui reports to a person."""

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = _one_line(message)
        self.hint = _one_line(hint)
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def __str__(self) -> str:
        return self.user_message


def _one_line(text: str) -> str:
    return " ".join(redact_userinfo(text).split())


def redact_userinfo(text: str) -> str:
    """``text`` with any ``user:password@`` in a URL replaced by ``***@`` (safe for logs and messages)."""

    def hide(match: re.Match) -> str:
        if match.group("userinfo") == _PLACEHOLDER:
            return match.group(0)
        return f"{match.group('scheme')}{REDACTED_USERINFO}@"

    return _USERINFO.sub(hide, text or "")


# --- Input -------------------------------------------------------------------------------------


class UsageError(HfGuiError):
    """What was asked cannot be done as written (a malformed id, options that contradict each other):
    the command line exits with 2, as for any usage error."""


class InvalidRepoIdError(UsageError, ValueError):
    def __init__(self, repo_id: str, reason: str) -> None:
        self.repo_id = repo_id
        super().__init__(
            f"'{repo_id}' is not a valid model id ({reason}).",
            "Use the form owner/name, e.g. corenet-community/coreml-OpenELM-270M-Instruct.",
        )


# --- Access ------------------------------------------------------------------------------------


class RepoNotFoundError(HfGuiError):
    """Missing, or private and not visible with the current credentials."""

    def __init__(self, repo_id: str, *, authenticated: bool) -> None:
        self.repo_id = repo_id
        self.authenticated = authenticated
        if authenticated:
            hint = "Check the spelling; if it is private, make sure your token's account can read it."
        else:
            hint = f"Check the spelling; if it is a private model, {ADD_TOKEN}."
        super().__init__(f"Model {repo_id} was not found or is private.", hint)


class GatedRepoError(HfGuiError):
    """The repository requires accepting its license (and a token)."""

    def __init__(self, repo_id: str, *, page_url: str, authenticated: bool) -> None:
        self.repo_id = repo_id
        self.page_url = page_url
        self.authenticated = authenticated
        if authenticated:
            message = f"Model {repo_id} is gated and your account has not been granted access."
            hint = f"Request access at {page_url}, then try again once it is approved."
        else:
            message = f"Model {repo_id} is gated: you must accept its license first."
            hint = f"Accept the license at {page_url} and {ADD_TOKEN}."
        super().__init__(message, hint)


class InvalidTokenError(HfGuiError):
    """The Hub rejected the token itself (it does so even for public models)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__(
            f"The Hub rejected your Hugging Face token (from {source}); it is invalid, expired or revoked.",
            f"Fix or remove the token in {source}; public models download without one.",
        )


class DisabledRepoError(HfGuiError):
    def __init__(self, repo_id: str) -> None:
        self.repo_id = repo_id
        super().__init__(
            f"Model {repo_id} has been disabled on the Hub and cannot be downloaded.",
            "Pick another model.",
        )


class RevisionNotFoundError(HfGuiError):
    def __init__(self, repo_id: str, revision: str) -> None:
        self.repo_id = repo_id
        self.revision = revision
        super().__init__(
            f"Revision '{revision}' does not exist in {repo_id}.",
            "Use a branch, tag or commit that exists (default: main).",
        )


class EntryNotFoundError(HfGuiError):
    def __init__(self, repo_id: str, path: str, revision: str = "main") -> None:
        self.repo_id = repo_id
        self.path = path
        self.revision = revision
        super().__init__(
            f"File '{path}' does not exist in {repo_id} at {revision}.",
            f"List the repository's files with: hfgui files {repo_id}",
        )


class RateLimitedError(HfGuiError):
    def __init__(self, retry_after: float | None, *, authenticated: bool) -> None:
        self.retry_after = retry_after
        self.authenticated = authenticated
        wait = f"about {round(retry_after)} s" if retry_after is not None else "a few minutes"
        hint = f"Wait {wait} and try again."
        if not authenticated:
            hint += (
                " A free Hugging Face token gives higher limits"
                " (Settings in the window, HF_TOKEN for the command line)."
            )
        super().__init__("The Hugging Face Hub is rate limiting requests.", hint)


# --- Transport ---------------------------------------------------------------------------------


class NetworkError(HfGuiError):
    """Host unreachable, DNS failure, refused connection or timeout."""

    def __init__(self, endpoint: str, detail: str, *, timed_out: bool = False) -> None:
        self.endpoint = endpoint
        self.detail = detail
        self.timed_out = timed_out
        what = "timed out" if timed_out else "could not be reached"
        super().__init__(
            f"{endpoint} {what} ({detail}).",
            "Check your connection and proxy, or use a reachable mirror"
            " (Settings in the window; HTTPS_PROXY and HF_ENDPOINT for the command line).",
        )


class UnexpectedResponseError(HfGuiError):
    """A non-JSON answer where the Hub API returns JSON; an HTML page suggests a captive portal or proxy."""

    def __init__(self, url: str, content_type: str) -> None:
        self.url = url
        self.content_type = content_type
        got = f"Expected JSON from {url} but got '{content_type or 'no content type'}'"
        if "html" in content_type.lower():
            super().__init__(
                f"{got} (a captive portal or proxy login page?).",
                "Open a web page to sign in to the network, or check HF_ENDPOINT and proxy settings.",
            )
        else:
            super().__init__(f"{got}.", "Check HF_ENDPOINT and the proxy settings, then try again.")


class MalformedJsonError(UnexpectedResponseError):
    """A JSON answer that does not parse: cut off on the way (or broken at the source)."""

    def __init__(self, url: str, content_type: str) -> None:
        self.url = url
        self.content_type = content_type
        HfGuiError.__init__(
            self,
            f"The answer from {url} was truncated or not valid JSON, several times in a row.",
            "Try again later; if it persists, a proxy or the mirror (HF_ENDPOINT) is cutting answers short.",
        )


class RedirectLoopError(HfGuiError):
    """Redirects that never end (a misconfigured mirror or proxy); no status code of its own to show."""

    def __init__(self, hops: int, host: str) -> None:
        self.hops = hops
        self.host = host
        super().__init__(
            f"Redirect loop after {hops} hops at {host}.",
            "The server or a proxy keeps sending the request elsewhere; check HF_ENDPOINT and the proxy"
            " settings, or try again later.",
        )


class DowngradeRefusedError(HfGuiError):
    """An HTTPS request redirected to plain HTTP: following it would send the download unencrypted."""

    def __init__(self, source_host: str, target_host: str) -> None:
        self.source_host = source_host
        self.target_host = target_host
        super().__init__(
            f"{source_host} redirected the download to plain HTTP ({target_host}); refused, since the file"
            " would travel unencrypted and could be altered on the way.",
            "Use an HTTPS mirror, or report the redirect to whoever runs the server.",
        )


class HubHTTPError(HfGuiError):
    """Any other HTTP failure from the Hub or CDN."""

    def __init__(
        self, status: int, url: str, server_message: str = "", request_id: str = "", *, cdn: bool = False
    ) -> None:
        self.status = status
        self.url = url
        self.server_message = server_message
        self.request_id = request_id
        detail = f": {server_message}" if server_message else ""
        rid = f" (request id {request_id})" if request_id else ""
        if cdn:  # its paths are long content hashes: the host says enough
            host = url.split("://", 1)[-1].split("/", 1)[0]
            what = f"The download server {host} (the Hub's file storage) answered HTTP {status}{detail}{rid}."
        else:
            what = f"The Hub answered HTTP {status} for {url}{detail}{rid}."
        if status not in (401, 403, 404, 410):
            hint = "Try again later; if it persists, check HF_ENDPOINT or report it with the request id."
        elif cdn:  # a refused or vanished file link: the Hub hands out a fresh one on the next run
            hint = "Run the same command again; if it persists, report it with the request id."
        else:
            hint = "Check the model id, revision and token; if it persists, report it with the request id."
        super().__init__(what, hint)


# --- Download ----------------------------------------------------------------------------------


class ChecksumError(HfGuiError):
    def __init__(self, path: str, expected: str, actual: str) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"'{path}' failed verification twice (expected {expected[:12]}…, got {actual[:12]}…);"
            " nothing corrupt was kept.",
            "Try again later; if it keeps failing the mirror or a proxy is altering the file.",
        )


class StaleObjectError(HfGuiError):
    """The file server announced a body of another size than the Hub's listing (a stale mirror or cache)."""

    def __init__(self, path: str, served: int, listed: int, host: str) -> None:
        self.path = path
        self.served = served
        self.listed = listed
        self.host = host
        super().__init__(
            f"'{path}': the server {host} sent a {served}-byte file where the Hub lists {listed} bytes"
            " (stale mirror or cache?); nothing of it was kept.",
            "Try again later; if it persists, the mirror or a proxy cache serves an outdated copy.",
        )


class RangeRefusedError(HfGuiError):
    """A resume inside the listed size was refused (HTTP 416) even after starting the file over."""

    def __init__(self, path: str, offset: int, listed: int, host: str) -> None:
        self.path = path
        self.offset = offset
        self.listed = listed
        self.host = host
        super().__init__(
            f"'{path}': the server {host} refused to send bytes from {offset} on (HTTP 416), although the"
            f" Hub lists {listed} bytes; nothing of it was kept.",
            "Try again later; if it persists, the mirror or a proxy cache serves an outdated copy.",
        )


class SizeMismatchError(HfGuiError):
    def __init__(self, path: str, expected: int, actual: int) -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"'{path}' has {actual} bytes but the Hub says {expected}.",
            "Run the same download again; it resumes and re-checks the file.",
        )


class UnsafePathError(HfGuiError):
    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(
            f"Refused file entry '{path}' from the server: {reason}. Nothing was written.",
            "The repository or mirror is serving a hostile or broken listing; report it to its owner.",
        )


class InsufficientSpaceError(HfGuiError):
    def __init__(self, needed: int, free: int, path: str, *, margin: int = 0) -> None:
        self.needed = needed  # the margin included
        self.free = free
        self.path = path
        self.margin = margin
        kept = f" and {format_bytes(margin)} kept free so the disk does not fill up" if margin else ""
        super().__init__(
            f"Not enough disk space on {path}: the download needs {format_bytes(needed - margin)}{kept},"
            f" but only {format_bytes(free)} is free.",
            "Free some space or choose another download folder; partial downloads are kept.",
        )


class DownloadCancelledError(HfGuiError):
    def __init__(self, what: str = "Download") -> None:
        super().__init__(f"{what} was cancelled.", "Run it again to resume where it stopped.")


class ModelNotInstalledError(HfGuiError):
    def __init__(self, repo_id: str) -> None:
        self.repo_id = repo_id
        super().__init__(
            f"{repo_id} is not installed in the library.", f"Download it with: hfgui download {repo_id}"
        )


def format_bytes(n: int | float) -> str:
    """Human-readable size in decimal units, as disk tools show them (4.1 GB)."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if abs(value) < 1000 or unit == "PB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
