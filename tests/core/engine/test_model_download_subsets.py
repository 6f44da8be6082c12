"""Downloading more of a repository into a folder that already holds part of it adds to what is there."""

from __future__ import annotations

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import HfGuiError
from hfgui.core.library.care import update_model
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store.hashing import file_matches_etag
from hfgui.core.store.manifest import read_manifest
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content

Q4, Q8 = "m.Q4_K_M.gguf", "m.Q8_0.gguf"


@pytest.fixture
def client(hub):
    with HubClient(hub.url, token=False) as c:
        yield c


@pytest.fixture
def repo(hub):
    return hub.add_repo(
        "o/m-GGUF",
        files={
            Q4: generated_content(40_000, seed=4),
            Q8: generated_content(80_000, seed=8),
            "README.md": b"r\n",
        },
    )


def paths(root):
    return sorted(f.path for f in read_manifest(root).files)


def test_a_second_quantisation_joins_the_first(hub, client, repo, tmp_path):
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q4,)), tmp_path)
    hub.clear_requests()
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q8,)), tmp_path)
    root = tmp_path / "o" / "m-GGUF"
    assert paths(root) == [Q4, Q8]
    assert read_manifest(root).include == (Q4, Q8)
    (model,) = Library(tmp_path).installed()
    assert model.state is InstallState.INSTALLED and model.size == 120_000 and model.file_count == 2
    assert not hub.requests_for(Q4)  # the first file was not fetched again


def test_update_then_refreshes_both_quantisations(hub, client, repo, tmp_path):
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q4,)), tmp_path)
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q8,)), tmp_path)
    new_q4 = generated_content(40_000, seed=44)
    repo.commit(files={Q4: new_q4})
    update_model(client, tmp_path, "o/m-GGUF")
    root = tmp_path / "o" / "m-GGUF"
    assert file_matches_etag(root / Q4, new_q4.sha256)
    assert paths(root) == [Q4, Q8] and read_manifest(root).commit == repo.sha


def test_a_subset_at_a_newer_commit_brings_the_earlier_files_along(hub, client, repo, tmp_path):
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q4,)), tmp_path)
    new_q4 = generated_content(40_000, seed=44)
    repo.commit(files={Q4: new_q4})
    manifest = download_model(client, DownloadRequest("o/m-GGUF", include=(Q8,)), tmp_path)
    root = tmp_path / "o" / "m-GGUF"
    # One folder, one commit: the manifest never lists a file as something it is not.
    assert manifest.commit == repo.sha and paths(root) == [Q4, Q8]
    assert file_matches_etag(root / Q4, new_q4.sha256)
    assert Library(tmp_path).check("o/m-GGUF") == []


def test_another_repository_into_the_same_folder_is_refused_before_any_byte(hub, client, repo, tmp_path):
    hub.add_repo("other/model", files={"x.bin": generated_content(10_000, seed=1)})
    dest = tmp_path / "models"
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q4,), dest=dest), None)
    hub.clear_requests()
    with pytest.raises(HfGuiError) as caught:
        download_model(client, DownloadRequest("other/model", dest=dest), None)
    message = caught.value.message
    assert "already holds o/m-GGUF" in message and "\n" not in message
    assert "--dest" in caught.value.hint
    assert not hub.requests_for("x.bin") and not (dest / "x.bin").exists()
    assert paths(dest) == [Q4]  # the first download is still tracked


def test_an_interrupted_second_quantisation_still_keeps_the_first(hub, client, repo, tmp_path):
    import threading

    from hfgui.core.errors import DownloadCancelledError

    download_model(client, DownloadRequest("o/m-GGUF", include=(Q4,)), tmp_path)
    repo.commit(files={Q4: generated_content(40_000, seed=44), Q8: generated_content(900_000, seed=88)})
    hub.faults.stall(Q8, after_bytes=300_000, seconds=5)
    cancel = threading.Event()

    def stop_in_q8(progress):
        if any(f.path == Q8 and f.bytes_done > 100_000 for f in progress.files):
            cancel.set()

    with pytest.raises(DownloadCancelledError):  # the first file was being replaced: manifest withdrawn
        download_model(
            client,
            DownloadRequest("o/m-GGUF", include=(Q8,)),
            tmp_path,
            cancel=cancel,
            on_progress=stop_in_q8,
        )
    hub.faults.clear()
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q8,)), tmp_path)
    root = tmp_path / "o" / "m-GGUF"
    assert paths(root) == [Q4, Q8]  # both still tracked, both at the new commit
    assert Library(tmp_path).check("o/m-GGUF") == []


def test_cancelling_a_redownload_keeps_the_installed_copys_files(hub, client, tmp_path):
    import threading

    from hfgui.core.errors import DownloadCancelledError

    repo = hub.add_repo(
        "o/two",
        files={"a.bin": generated_content(50_000, seed=1), "b.bin": generated_content(900_000, seed=2)},
    )
    download_model(client, DownloadRequest("o/two", workers=1), tmp_path)
    repo.commit(
        files={"a.bin": generated_content(50_000, seed=11), "b.bin": generated_content(900_000, seed=22)}
    )
    hub.faults.stall("b.bin", after_bytes=300_000, seconds=5)
    cancel = threading.Event()

    def stop_in_b(progress):
        if any(f.path == "b.bin" and f.bytes_done > 100_000 for f in progress.files):
            cancel.set()

    with pytest.raises(DownloadCancelledError):
        download_model(
            client, DownloadRequest("o/two", workers=1), tmp_path, cancel=cancel, on_progress=stop_in_b
        )
    Library(tmp_path).discard_unfinished("o/two")  # what Cancel does
    root = tmp_path / "o" / "two"
    assert (root / "a.bin").is_file() and (root / "b.bin").is_file()  # nothing of the model deleted


def test_selections_with_different_exclusions_are_recorded_file_by_file(hub, client, repo, tmp_path):
    download_model(client, DownloadRequest("o/m-GGUF", exclude=("*.gguf",)), tmp_path)  # README only
    download_model(client, DownloadRequest("o/m-GGUF", include=(Q8,)), tmp_path)
    manifest = read_manifest(tmp_path / "o" / "m-GGUF")
    assert sorted(f.path for f in manifest.files) == ["README.md", Q8]
    # Recorded exactly: an update keeps to these two files, not to the whole repository.
    assert sorted(manifest.include) == ["README.md", Q8] and manifest.exclude == ()
