"""URLs are encoded exactly as hub-protocol.md §1-2 describes."""

from __future__ import annotations

from hfgui.core.wire import urls
from hfgui.core.wire.urls import endpoint_from_env, model_info_url, resolve_url, same_origin, tree_url

EP = "https://huggingface.co"


def test_endpoint_from_env_default_and_override() -> None:
    assert endpoint_from_env({}) == EP
    assert endpoint_from_env({"HF_ENDPOINT": ""}) == EP
    assert endpoint_from_env({"HF_ENDPOINT": "http://127.0.0.1:8080//"}) == "http://127.0.0.1:8080"


def test_resolve_url_encodes_revision_as_one_segment_and_keeps_path_slashes() -> None:
    assert resolve_url(EP, "o/m", "config.json") == f"{EP}/o/m/resolve/main/config.json"
    assert (
        resolve_url(EP + "/", "o/m", "a dir/x#1?.bin", revision="refs/pr/1")
        == f"{EP}/o/m/resolve/refs%2Fpr%2F1/a%20dir/x%231%3F.bin"
    )
    assert resolve_url(EP, "o/m", "näme.txt") == f"{EP}/o/m/resolve/main/n%C3%A4me.txt"


def test_model_info_url_with_and_without_revision() -> None:
    assert model_info_url(EP, "o/m") == f"{EP}/api/models/o/m"
    assert model_info_url(EP, "o/m", "main") == f"{EP}/api/models/o/m/revision/main"
    assert model_info_url(EP, "o/m", "refs/pr/2") == f"{EP}/api/models/o/m/revision/refs%2Fpr%2F2"


def test_tree_url_sub_path_is_one_encoded_segment() -> None:
    assert tree_url(EP, "o/m") == f"{EP}/api/models/o/m/tree/main"
    assert (
        tree_url(EP, "o/m", "v1.0", "X.mlpackage/Data/")
        == f"{EP}/api/models/o/m/tree/v1.0/X.mlpackage%2FData"
    )


def test_other_urls() -> None:
    assert urls.whoami_url(EP + "/") == f"{EP}/api/whoami-v2"
    assert urls.models_search_url(EP) == f"{EP}/api/models"
    assert urls.page_url(EP, "o/m") == f"{EP}/o/m"


def test_same_origin_compares_scheme_host_and_port() -> None:
    assert same_origin("https://huggingface.co/a", "https://HuggingFace.co:443/b?x=1")
    assert same_origin("http://127.0.0.1:8000/x", "http://127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1:8000/x", "http://127.0.0.1:8001")
    assert not same_origin("http://127.0.0.1:8000/x", "http://localhost:8000")
    assert not same_origin("http://huggingface.co/x", "https://huggingface.co")
    assert not same_origin("https://cdn-lfs.hf.co/x", EP)
