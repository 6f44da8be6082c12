"""Which files of a repository are installed: real downloads from the emulator into the library and into
a Hugging Face cache."""

from __future__ import annotations

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.library.installed_files import installed_paths
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content


@pytest.fixture
def client(hub):
    hub.add_repo(
        "acme/llama-gguf",
        files={
            "llama-Q4_K_M.gguf": generated_content(5_000, seed=1),
            "llama-Q8_0.gguf": generated_content(9_000, seed=2),
            "README.md": b"# llama\n",
        },
    )
    with HubClient(hub.url, token=False) as hub_client:
        yield hub_client


def test_files_of_a_library_download_are_installed_until_one_changes(client, tmp_path):
    library = tmp_path / "library"
    assert installed_paths(library, "acme/llama-gguf") == frozenset()
    download_model(client, DownloadRequest("acme/llama-gguf", include=("llama-Q4_K_M.gguf",)), library)
    assert installed_paths(library, "acme/llama-gguf", tmp_path / "no-cache") == {"llama-Q4_K_M.gguf"}

    (library / "acme" / "llama-gguf" / "llama-Q4_K_M.gguf").write_bytes(b"cut short")
    assert installed_paths(library, "acme/llama-gguf", tmp_path / "no-cache") == frozenset()


def test_files_in_the_hugging_face_cache_are_installed(client, tmp_path):
    cache = tmp_path / "hub"
    download_model(
        client, DownloadRequest("acme/llama-gguf", include=("llama-Q8_0.gguf",), cache_dir=cache), None
    )
    assert installed_paths(tmp_path / "library", "acme/llama-gguf", cache) == {"llama-Q8_0.gguf"}
    assert installed_paths(tmp_path / "library", "acme/other", cache) == frozenset()


def test_a_malformed_id_has_nothing_installed(tmp_path):
    assert installed_paths(tmp_path, "../../etc", tmp_path) == frozenset()
