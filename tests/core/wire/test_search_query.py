"""The search query: sorts named the way people say them, filters one per parameter."""

from __future__ import annotations

import pytest

from hfgui.core.errors import HfGuiError
from hfgui.core.wire.search import SEARCH_SORTS, SORT_FIELDS, search_params


def test_search_params_in_the_order_the_hub_reads_them():
    filters = ["gguf", "text-generation"]
    params = search_params("llama", author="meta", filters=filters, sort="recent", full=True)
    assert params == [
        ("search", "llama"),
        ("author", "meta"),
        ("full", "true"),
        ("filter", "gguf"),
        ("filter", "text-generation"),
        ("sort", "lastModified"),
    ]


def test_one_filter_may_be_a_plain_string():
    assert search_params(None, filters="gguf") == [("filter", "gguf")]
    assert search_params("") == []


def test_every_offered_sort_is_known():
    assert all(sort in SORT_FIELDS for sort in SEARCH_SORTS)


def test_an_unknown_sort_is_refused_with_the_known_ones():
    with pytest.raises(HfGuiError, match="Unknown sort order 'stars'") as info:
        search_params("x", sort="stars")
    assert "trending" in info.value.hint
