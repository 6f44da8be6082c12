"""Downloading again over an installed model never leaves changed files under the old, "installed" record."""

from __future__ import annotations

import threading

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import ChecksumError, DownloadCancelledError, HfGuiError
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store.manifest import read_manifest
from hfgui.core.types import FileState
from hfgui.core.wire.hub import HubClient
from tests.hubemu import content_from_bytes, generated_content


@pytest.fixture
def client(hub):
    with HubClient(hub.url, token=False) as c:
        yield c


def test_failed_redownload_at_a_new_commit_is_not_listed_as_installed(hub, client, tmp_path):
    repo = hub.add_repo("o/m", files={"a.txt": b"version 1\n", "w.bin": generated_content(50_000, seed=1)})
    download_model(client, DownloadRequest("o/m"), tmp_path)
    root = tmp_path / "o" / "m"
    # The new commit changes a.txt in place (same size) and brings a new weight file that arrives corrupt.
    repo.commit(files={"a.txt": b"version 2\n", "x.bin": generated_content(50_000, seed=2)})
    hub.faults.corrupt("x.bin", 100, times=2)

    with pytest.raises(ChecksumError):
        download_model(client, DownloadRequest("o/m", workers=1), tmp_path)

    assert (root / "a.txt").read_bytes() == b"version 2\n"  # the verified new file is kept for the rerun
    # The old manifest no longer describes the folder: the model is an unfinished download now.
    assert read_manifest(root) is None
    assert Library(tmp_path).installed()[0].state is InstallState.INCOMPLETE

    hub.clear_requests()
    manifest = download_model(client, DownloadRequest("o/m"), tmp_path)
    assert manifest.commit == repo.sha and read_manifest(root).commit == repo.sha
    fetched = {name for name in ("a.txt", "w.bin", "x.bin") if hub.requests_for(name)}
    assert fetched == {"x.bin"}  # the rerun trusts what the failed run verified
    assert Library(tmp_path).check("o/m") == []


def test_adding_files_to_an_installed_model_keeps_it_installed_meanwhile(hub, client, tmp_path):
    hub.add_repo("o/m", files={"a.txt": b"a\n", "b.txt": content_from_bytes(b"b\n")})
    download_model(client, DownloadRequest("o/m", include=("a.txt",)), tmp_path)
    hub.faults.corrupt("b.txt", 0, times=2)

    with pytest.raises(ChecksumError):
        download_model(client, DownloadRequest("o/m"), tmp_path)

    # Nothing the manifest lists was touched, so the model is still what it was.
    assert Library(tmp_path).installed()[0].state is InstallState.INSTALLED
    assert Library(tmp_path).check("o/m") == []


def test_an_unexpected_error_stops_the_queue_instead_of_downloading_on(hub, client, tmp_path):
    files = {f"f{i}.txt": f"file {i}\n".encode() for i in range(6)}
    hub.add_repo("o/many", files=files)

    raised = []

    def broken_consumer(progress) -> None:  # fails once, when the first file starts
        if not raised and any(f.state is FileState.DOWNLOADING for f in progress.files):
            raised.append(True)
            raise RuntimeError("a progress consumer bug")

    with pytest.raises(RuntimeError):
        download_model(client, DownloadRequest("o/many", workers=1), tmp_path, on_progress=broken_consumer)

    assert not any(hub.requests_for(name) for name in files)  # no file was started after the crash


def test_a_refused_file_link_names_the_download_server_not_its_hash_path(hub, client, tmp_path):
    hub.add_repo("o/refused", files={"w.bin": generated_content(200_000, seed=9)}, lfs=("*.bin",))
    hub.faults.status("w.bin", 403, times=None)  # the CDN keeps refusing, even a fresh link
    with pytest.raises(HfGuiError) as caught:
        download_model(client, DownloadRequest("o/refused"), tmp_path)
    error = caught.value
    cdn_host = hub.cdn_url.split("://", 1)[1]
    assert f"download server {cdn_host}" in error.message and "HTTP 403" in error.message
    assert "/" not in error.message.split(cdn_host, 1)[1].split(" answered")[0]  # no long hash path
    assert "Run the same command again" in error.hint and "\n" not in str(error)


def test_cancelling_a_repair_keeps_the_intact_files(hub, client, tmp_path):
    hub.add_repo("o/fix", files={"a.txt": b"intact\n", "w.bin": generated_content(3_000_000, seed=5)})
    download_model(client, DownloadRequest("o/fix"), tmp_path)
    root = tmp_path / "o" / "fix"
    damaged = bytearray((root / "w.bin").read_bytes())
    damaged[10] ^= 1
    (root / "w.bin").write_bytes(bytes(damaged))
    library = Library(tmp_path)
    assert [p.path for p in library.check("o/fix")] == ["w.bin"]

    hub.faults.stall("w.bin", after_bytes=1_000_000, seconds=5)
    cancel = threading.Event()

    def stop_midway(progress):
        if progress.bytes_done > 500_000:
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        download_model(client, DownloadRequest("o/fix"), tmp_path, cancel=cancel, on_progress=stop_midway)
    library.discard_unfinished("o/fix")  # what Cancel does afterwards
    assert (root / "a.txt").read_bytes() == b"intact\n"  # not fetched by the repair: it stays

    hub.faults.clear()
    hub.clear_requests()
    download_model(client, DownloadRequest("o/fix"), tmp_path)
    assert not hub.requests_for("a.txt") and library.check("o/fix") == []
