"""One download, update or delete of a model at a time; a run that fails early leaves no folder behind."""

from __future__ import annotations

import threading

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import DownloadCancelledError, RepoNotFoundError
from hfgui.core.library.care import update_model
from hfgui.core.library.installed import Library
from hfgui.core.store.model_lock import ModelBusyError
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

BIG = "weights.bin"


@pytest.fixture
def client(hub):
    with HubClient(hub.url, token=False) as c:
        yield c


@pytest.fixture
def running(hub, client, tmp_path):
    """A download of o/m held mid-file (the server stalls it far longer than any test takes); yields a
    function that stops it (Pause: partials kept) and returns how it ended."""
    hub.add_repo("o/m", files={BIG: generated_content(3_000_000, seed=1), "config.json": b"{}\n"})
    hub.faults.stall(BIG, after_bytes=1_500_000, seconds=600)
    started, cancel, outcome = threading.Event(), threading.Event(), []

    def progress(p):
        if p.bytes_done >= 1_000_000:
            started.set()

    def run():
        try:
            outcome.append(
                download_model(client, DownloadRequest("o/m"), tmp_path, on_progress=progress, cancel=cancel)
            )
        except BaseException as exc:  # surfaced by the assertions below
            outcome.append(exc)
        started.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(30)

    def stop():
        cancel.set()
        thread.join(60)
        return outcome[0]

    yield stop
    stop()


def test_delete_refuses_while_the_model_downloads_and_loses_nothing(running, hub, tmp_path):
    library = Library(tmp_path)
    with pytest.raises(ModelBusyError) as caught:
        library.delete("o/m")
    assert "being downloaded" in caught.value.message and "Stop that download" in caught.value.hint
    assert library.staging_dir.is_dir() and any(library.staging_dir.glob("*.part"))  # partial untouched
    assert isinstance(running(), DownloadCancelledError)  # the download ran on until it was paused


def test_delete_once_the_download_stopped_works(running, tmp_path):
    assert isinstance(running(), DownloadCancelledError)  # paused: its lock is released
    assert Library(tmp_path).delete("o/m") >= 1_000_000  # the partial kept by the pause
    assert not any(Library(tmp_path).staging_dir.glob("*.part"))


def test_a_second_download_of_the_same_model_fails_at_once(running, hub, client, tmp_path):
    hub.clear_requests()
    with pytest.raises(ModelBusyError):
        download_model(client, DownloadRequest("o/m"), tmp_path)
    assert hub.requests == []  # refused before planning asked the Hub anything
    with pytest.raises(ModelBusyError):
        update_model(client, tmp_path, "o/m")


def test_a_failed_download_leaves_no_folder_in_dest_or_the_cache(hub, client, tmp_path):
    dest = tmp_path / "my-model"
    with pytest.raises(RepoNotFoundError):
        download_model(client, DownloadRequest("o/missing", dest=dest), None)
    assert not dest.exists()
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    with pytest.raises(RepoNotFoundError):
        download_model(client, DownloadRequest("o/missing", cache_dir=cache), None)
    assert list(cache.iterdir()) == []
    library = tmp_path / "library"
    with pytest.raises(RepoNotFoundError):
        download_model(client, DownloadRequest("o/missing"), library)
    assert not library.exists() or not any(library.rglob("*"))
