"""The Search form's rule for queries the Hub would refuse or misread."""

from __future__ import annotations

from hfgui.gui.search.search_form import query_problem
from hfgui.gui.search.search_model import SearchQuery


def test_a_query_the_hub_would_refuse_or_misread_is_named_before_sending():
    assert query_problem(SearchQuery("llama gguf", author="acme")) is None
    assert "at most 250" in query_problem(SearchQuery("x" * 251))
    assert query_problem(SearchQuery("x" * 250)) is None
    assert "not 'acme/llama'" in query_problem(SearchQuery(author="acme/llama"))
    assert "Author takes" in query_problem(SearchQuery(author="the acme"))
