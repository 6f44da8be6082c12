"""Client-side validation of Hub repository ids ("owner/name"), done before any request is sent."""

from __future__ import annotations

import re

from hfgui.core.errors import InvalidRepoIdError

MAX_NAME_LENGTH = 96

# One part of an id: ASCII letters, digits, "_", "-", "." and it must start and end with a letter,
# digit or "_" (the same shape huggingface_hub accepts, minus the optional missing owner).
_PART = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?")


def validate_repo_id(repo_id: str) -> str:
    """Return ``repo_id`` unchanged when it is a valid "owner/name"; raise InvalidRepoIdError otherwise."""
    reason = _problem(repo_id)
    if reason:
        raise InvalidRepoIdError(repo_id, reason)
    return repo_id


def _problem(repo_id: str) -> str | None:
    if not isinstance(repo_id, str) or not repo_id:
        return "it is empty"
    if any(ch.isspace() for ch in repo_id):
        return "it contains spaces"
    parts = repo_id.split("/")
    if len(parts) == 1:
        return "the owner is missing"
    if len(parts) > 2:
        return "it has more than one '/'"
    if not all(parts):
        return "the owner or the name is empty"
    if ".." in repo_id or "--" in repo_id:
        return "it contains '..' or '--'"
    if repo_id.endswith(".git"):
        return "it ends in '.git'"
    name = parts[1]
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is longer than {MAX_NAME_LENGTH} characters"
    for part in parts:
        if not _PART.fullmatch(part):
            return "use only letters, digits, '_', '-' and '.'; start and end with a letter or digit"
    return None
