"""Repo ids are checked before any request, with a reason a person can act on."""

from __future__ import annotations

import pytest

from hfgui.core.errors import InvalidRepoIdError
from hfgui.core.wire.repo_id import validate_repo_id


@pytest.mark.parametrize(
    "repo_id",
    [
        "corenet-community/coreml-OpenELM-270M-Instruct",
        "google-bert/bert-base-uncased",
        "a/b",
        "Org_1/model.v2",
        "owner/" + "x" * 96,
    ],
)
def test_valid_ids_are_returned_unchanged(repo_id: str) -> None:
    assert validate_repo_id(repo_id) == repo_id


@pytest.mark.parametrize(
    ("repo_id", "reason"),
    [
        ("", "empty"),
        ("foo", "owner is missing"),
        ("a/b/c", "more than one '/'"),
        ("owner/my model", "spaces"),
        (" owner/name", "spaces"),
        ("owner/na..me", "'..'"),
        ("owner/na--me", "'--'"),
        ("owner/name.git", ".git"),
        ("/name", "empty"),
        ("owner/", "empty"),
        ("owner/" + "x" * 97, "longer than 96"),
        ("owner/-name", "start and end"),
        ("owner/name.", "start and end"),
        ("owner/na#me", "letters, digits"),
        ("owner/naïve", "letters, digits"),
    ],
)
def test_invalid_ids_raise_with_reason(repo_id: str, reason: str) -> None:
    with pytest.raises(InvalidRepoIdError) as info:
        validate_repo_id(repo_id)
    assert reason in str(info.value)
    assert "owner/name" in str(info.value)  # says what to type instead
    assert "\n" not in str(info.value)
