"""Hub URL building, encoded exactly as the Hub and huggingface_hub expect (hub-protocol.md §1-2)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote, urlsplit, urlunsplit

DEFAULT_ENDPOINT = "https://huggingface.co"


def normalize_endpoint(endpoint: str) -> str:
    """Drop trailing slashes so URLs can be joined with a single "/"."""
    return endpoint.strip().rstrip("/")


def endpoint_from_env(env: Mapping[str, str] | None = None) -> str:
    """``HF_ENDPOINT`` (a mirror or a local hub) or https://huggingface.co, without a trailing "/"."""
    env = os.environ if env is None else env
    return normalize_endpoint(env.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT)


def endpoint_problem(value: str) -> str | None:
    """Why `value` cannot be a Hub endpoint (an http(s) URL with a host), or None when it can."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https"):
        return "it does not start with http:// or https://"
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "its port is not a number from 1 to 65535"
    if not parts.hostname or any(c.isspace() for c in value.strip()):
        return "it names no host"
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in, for same-host comparisons."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, other: str) -> bool:
    return origin(url) == origin(other)


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, without any ``user:password@``: the name a message gives a server."""
    return urlsplit(url).netloc.rpartition("@")[2] or url


def display_url(url: str) -> str:
    """The URL without its query or a ``user:password@``: short enough for a message or a log line, and
    free of CDN signatures and a mirror's credentials."""
    parts = urlsplit(url)
    netloc = parts.netloc if "@" not in parts.netloc else "***@" + parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _rev(revision: str | None) -> str:
    # "refs/pr/1" must travel as one path segment: refs%2Fpr%2F1.
    return quote(revision or "main", safe="")


def resolve_url(endpoint: str, repo_id: str, path: str, revision: str = "main") -> str:
    """``{endpoint}/{repo}/resolve/{rev}/{path}``: the download URL of one file."""
    return f"{normalize_endpoint(endpoint)}/{repo_id}/resolve/{_rev(revision)}/{quote(path)}"


def model_info_url(endpoint: str, repo_id: str, revision: str | None = None) -> str:
    url = f"{normalize_endpoint(endpoint)}/api/models/{repo_id}"
    return url if revision is None else f"{url}/revision/{_rev(revision)}"


def tree_url(endpoint: str, repo_id: str, revision: str = "main", path: str = "") -> str:
    """Tree listing URL; a sub-path is sent as one segment (slashes as %2F), as huggingface_hub does."""
    url = f"{normalize_endpoint(endpoint)}/api/models/{repo_id}/tree/{_rev(revision)}"
    path = path.strip("/")
    return f"{url}/{quote(path, safe='')}" if path else url


def models_search_url(endpoint: str) -> str:
    return f"{normalize_endpoint(endpoint)}/api/models"


def whoami_url(endpoint: str) -> str:
    return f"{normalize_endpoint(endpoint)}/api/whoami-v2"


def page_url(endpoint: str, repo_id: str) -> str:
    """The model's web page, where a gated model's license is accepted."""
    return f"{normalize_endpoint(endpoint)}/{repo_id}"
