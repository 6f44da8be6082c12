"""Model search: the sorts and format filters offered to people, and the query /api/models takes."""

from __future__ import annotations

from collections.abc import Iterable

from hfgui.core.errors import HfGuiError

SORT_FIELDS = {
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trendingScore",
    "trendingScore": "trendingScore",
    "recent": "lastModified",
    "lastModified": "lastModified",
    "createdAt": "createdAt",
}
# The sorts and format filters offered to people (CLI and window); a format maps to the Hub tag that
# search's `filter` matches.
SEARCH_SORTS = ("downloads", "likes", "trending", "recent")
SEARCH_FORMAT_TAGS = {
    "gguf": "gguf",
    "coreml": "coreml",
    "onnx": "onnx",
    "mlx": "mlx",
    "safetensors": "safetensors",
}


def search_params(
    search: str | None,
    *,
    author: str | None = None,
    filters: Iterable[str] | str = (),
    sort: str | None = None,
    full: bool = False,
) -> list[tuple[str, str]]:
    """The query parameters of a search, without its page size; HfGuiError for an unknown sort.

    A sort is always descending (the Hub's default); ``full`` asks for the longer records.
    """
    params: list[tuple[str, str]] = []
    if search:
        params.append(("search", search))
    if author:
        params.append(("author", author))
    if full:
        params.append(("full", "true"))
    params += [("filter", f) for f in ([filters] if isinstance(filters, str) else filters)]
    if sort:
        if sort not in SORT_FIELDS:
            raise HfGuiError(
                f"Unknown sort order '{sort}'.", "Use downloads, likes, trending, recent or createdAt."
            )
        params.append(("sort", SORT_FIELDS[sort]))
    return params
