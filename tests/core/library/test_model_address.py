"""What people paste to name a model (an id, a Hub URL, an hf:// address): understood or refused."""

from __future__ import annotations

import pytest

from hfgui.core.errors import InvalidRepoIdError
from hfgui.core.library.model_address import parse_model_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("owner/name", ("owner/name", "main", None)),
        ("  owner/name  ", ("owner/name", "main", None)),
        ("https://huggingface.co/owner/name", ("owner/name", "main", None)),
        ("https://huggingface.co/owner/name/", ("owner/name", "main", None)),
        ("https://www.huggingface.co/models/owner/name", ("owner/name", "main", None)),
        ("https://hf.co/owner/name", ("owner/name", "main", None)),
        ("https://huggingface.co/owner/name/tree/main", ("owner/name", "main", None)),
        ("https://huggingface.co/owner/name/tree/v1.0/sub/dir", ("owner/name", "v1.0", "sub/dir")),
        ("https://huggingface.co/owner/name/blob/main/config.json", ("owner/name", "main", "config.json")),
        (
            "https://huggingface.co/owner/name/resolve/refs%2Fpr%2F3/a%20b/c.gguf?download=true",
            ("owner/name", "refs/pr/3", "a b/c.gguf"),
        ),
        ("hf://owner/name", ("owner/name", "main", None)),
        ("hf://models/owner/name@dev/x/y.bin", ("owner/name", "dev", "x/y.bin")),
        ("http://127.0.0.1:8123/owner/name/resolve/main/f.bin", ("owner/name", "main", "f.bin")),
    ],
)
def test_parse_model_reference(text: str, expected: tuple[str, str, str | None]) -> None:
    assert tuple(parse_model_reference(text, endpoint="http://127.0.0.1:8123")) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("justaname", "owner is missing"),
        ("a/b/c", "more than one"),
        ("https://example.com/owner/name", "not a Hugging Face model address"),
        ("http://127.0.0.1:9999/owner/name", "not a Hugging Face model address"),
        ("https://huggingface.co/datasets/owner/name", "datasets are not models"),
        ("https://huggingface.co/owner", "does not name a model"),
        ("https://huggingface.co/owner/name/commits/main", "expected"),
        ("https://huggingface.co/owner/name/blob/main", "must end with a file path"),
        ("https://huggingface.co/own er/name", "not a valid model id"),
        ("ftp://huggingface.co/owner/name", "not a Hugging Face model address"),
    ],
)
def test_parse_model_reference_rejects(text: str, reason: str) -> None:
    with pytest.raises(InvalidRepoIdError) as info:
        parse_model_reference(text, endpoint="http://127.0.0.1:8123")
    assert reason in str(info.value)
    assert "owner/name" in info.value.hint
