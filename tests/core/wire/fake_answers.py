"""A requests.Response made in memory, for reading answers and mapping failures without a server."""

from __future__ import annotations

import io
import json
from typing import Any

import requests


def answer(
    status: int = 200,
    url: str = "https://huggingface.co/api/models/a/b",
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.url = url
    response.headers.update(headers or {})
    content = b""
    if body is not None:
        content = json.dumps(body).encode()
        response.headers.setdefault("Content-Type", "application/json")
    response.raw = io.BytesIO(content)
    response._content, response._content_consumed = content, True  # read, as a small answer would be
    return response
