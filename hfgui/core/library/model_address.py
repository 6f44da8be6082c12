"""Understanding what people paste to name a model: an id, a Hub page or file URL, or an hf:// address."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from hfgui.core.errors import InvalidRepoIdError
from hfgui.core.wire.repo_id import validate_repo_id

_HUB_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
_FILE_KINDS = ("tree", "blob", "resolve")


class ModelReference(NamedTuple):
    repo_id: str
    revision: str
    path: str | None


def parse_model_reference(text: str, endpoint: str | None = None) -> ModelReference:
    """Understand what people paste: an id, a Hub page/file URL or an hf:// address.

    Accepts ``owner/name``, ``https://huggingface.co/owner/name`` (also hf.co and the configured
    endpoint's host), ``…/tree/<rev>[/<dir>]``, ``…/blob/<rev>/<path>``, ``…/resolve/<rev>/<path>``
    and ``hf://[models/]owner/name[@rev][/path]``. Raises InvalidRepoIdError before any request.
    """
    raw = text.strip()
    if not raw:
        raise InvalidRepoIdError(text, "it is empty")
    if raw.startswith("hf://"):
        return _parse_hf_uri(raw)
    if "://" not in raw:
        return ModelReference(validate_repo_id(raw.strip("/")), "main", None)

    parts = urlsplit(raw)
    hosts = set(_HUB_HOSTS)
    if endpoint:
        hosts.add(urlsplit(endpoint).netloc.lower())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in hosts:
        raise InvalidRepoIdError(raw, "not a Hugging Face model address")
    segments = _model_segments(raw, parts.path)
    repo_id = validate_repo_id(f"{segments[0]}/{segments[1]}")
    rest = segments[2:]
    if not rest:
        return ModelReference(repo_id, "main", None)
    if rest[0] not in _FILE_KINDS or len(rest) < 2:
        raise InvalidRepoIdError(raw, "expected …/tree/, …/blob/ or …/resolve/ after the model name")
    kind, revision, path_parts = rest[0], unquote(rest[1]), rest[2:]
    path = unquote("/".join(path_parts)) or None
    if kind != "tree" and path is None:
        raise InvalidRepoIdError(raw, f"a /{kind}/ address must end with a file path")
    return ModelReference(repo_id, revision, path)


def _model_segments(raw: str, path: str) -> list[str]:
    """`owner/name/...` path segments of a model address (an optional `models/` prefix dropped)."""
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in ("datasets", "spaces"):
        raise InvalidRepoIdError(
            raw, f"{segments[0]} are not models; only model repositories can be downloaded"
        )
    if segments and segments[0] == "models":
        segments = segments[1:]
    if len(segments) < 2:
        raise InvalidRepoIdError(raw, "the address does not name a model")
    return segments


def _parse_hf_uri(raw: str) -> ModelReference:
    segments = _model_segments(raw, raw[len("hf://") :])
    name, _, revision = segments[1].partition("@")
    repo_id = validate_repo_id(f"{segments[0]}/{name}")
    path = unquote("/".join(segments[2:])) or None
    return ModelReference(repo_id, unquote(revision) or "main", path)
