"""State the app itself wrote, damaged or left half-way: a killed delete, a journal with a bad byte, a
partial of a superseded file version, a relative library setting, a read-only library, --dest folders."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading

import pytest

from hfgui.core.engine.model_download import download_model
from hfgui.core.engine.planner import DownloadRequest
from hfgui.core.errors import DownloadCancelledError
from hfgui.core.library.installed import SOURCE_DEST, InstallState, Library
from hfgui.core.library.leftovers import KIND_DELETED_MODEL, WHERE_DEST, clean_leftovers, find_leftovers
from hfgui.core.settings import load_settings
from hfgui.core.store import partials
from hfgui.core.store.manifest import Manifest, ManifestFile, journal_path, read_manifest, write_manifest
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.hub import HubClient
from tests.core.helpers.transfer_support import FAST_RETRY
from tests.hubemu import generated_content

MiB = 1024 * 1024
WEIGHTS = b"w" * 5000


def _installed(folder, repo_id="o/m", data=WEIGHTS):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "w.bin").write_bytes(data)
    entry = ManifestFile("w.bin", len(data), hashlib.sha256(data).hexdigest())
    write_manifest(folder, Manifest(repo_id, "main", "c" * 40, (entry,), 0.0))


def _cancel_after(nbytes: int, cancel: threading.Event):
    def on_progress(progress) -> None:
        if progress.bytes_done >= nbytes:
            cancel.set()

    return on_progress


# --- delete killed half-way -----------------------------------------------------------------------


def test_a_delete_killed_half_way_leaves_a_leftover_that_partials_shows_and_cleans(tmp_path, monkeypatch):
    library = tmp_path / "library"
    _installed(library / "o" / "m")
    real_rmtree = shutil.rmtree

    def killed(path, *args, **kwargs):
        # tmpfs (and likely xfs/btrfs) list entries in creation order: `.hfgui` goes first, then the kill.
        real_rmtree(os.path.join(path, ".hfgui"))
        raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        Library(library).delete("o/m")
    monkeypatch.undo()

    assert not (library / "o" / "m").exists()  # the model is gone from the library at once
    [left] = find_leftovers(library, include_cache=False)
    assert (left.kind, left.repo_id, left.orphaned) == (KIND_DELETED_MODEL, "o/m", True)
    assert left.size == len(WEIGHTS) and left.to_json()["kind"] == KIND_DELETED_MODEL

    result = clean_leftovers([left])

    assert result.freed == len(WEIGHTS) and result.busy == ()
    assert [p for p in library.rglob("*") if p.is_file()] == []  # no weights anywhere, listed or not


def test_an_ordinary_delete_leaves_no_trash(tmp_path):
    library = tmp_path / "library"
    _installed(library / "o" / "m")
    assert Library(library).delete("o/m") >= len(WEIGHTS)
    assert list(library.iterdir()) == []


# --- journal with an undecodable line ---------------------------------------------------------------


def test_an_undecodable_journal_line_hides_nothing(tmp_path, caplog):
    library = tmp_path / "library"
    _installed(library / "o" / "good", "o/good")
    broken = library / "o" / "broken"
    (broken / "a.bin").parent.mkdir(parents=True)
    (broken / "a.bin").write_bytes(b"a" * 10)
    record = {"commit": "c" * 40, "path": "a.bin", "size": 10, "etag": "e" * 64}
    journal_path(broken).parent.mkdir(parents=True)
    journal_path(broken).write_bytes(json.dumps(record).encode() + b"\n\xff\xfe\x80 not utf-8\n")

    models = {m.repo_id: m for m in Library(library).installed()}

    assert models["o/good"].state is InstallState.INSTALLED
    assert models["o/broken"].state is InstallState.INCOMPLETE and models["o/broken"].file_count == 1
    assert "Skipped unreadable line 2" in caplog.text


# --- superseded partials ------------------------------------------------------------------------------


@pytest.fixture
def versioned(hub):
    repo = hub.add_repo("acme/v", {"model.safetensors": generated_content(3 * MiB, seed=1)})
    return repo


def _interrupted_download(hub, library, dest=None):
    """A download paused after its first MiB (held there by a stall), its partial kept."""
    hub.faults.stall("model.safetensors", after_bytes=MiB, seconds=3600, host="cdn")
    cancel = threading.Event()
    with HubClient(hub.url, token=False, retry=FAST_RETRY) as client, pytest.raises(DownloadCancelledError):
        download_model(
            client,
            DownloadRequest("acme/v", dest=dest),
            library,
            cancel=cancel,
            on_progress=_cancel_after(MiB, cancel),
        )
    hub.faults.clear()


def test_the_partial_of_a_superseded_version_goes_when_the_plan_knows_the_new_hash(hub, versioned, tmp_path):
    library = tmp_path / "library"
    _interrupted_download(hub, library)
    [old] = partials.list_partials(library / ".hfgui-staging")
    versioned.commit({"model.safetensors": generated_content(2 * MiB, seed=2)})

    with HubClient(hub.url, token=False, retry=FAST_RETRY) as client:
        download_model(client, DownloadRequest("acme/v"), library)

    assert not old.part_path.exists()
    assert partials.list_partials(library / ".hfgui-staging") == []


def test_a_superseded_partial_of_an_installed_model_is_orphaned(hub, versioned, tmp_path):
    library = tmp_path / "library"
    _interrupted_download(hub, library)
    root = library / "acme" / "v"
    # Installed meanwhile with another version of that file (by an hfgui before this fix, say).
    write_manifest(
        root, Manifest("acme/v", "main", "f" * 40, (ManifestFile("model.safetensors", 7, "a" * 64),), 0)
    )

    [left] = find_leftovers(library, include_cache=False)

    assert left.orphaned


# --- relative library_dir -----------------------------------------------------------------------------


def test_a_relative_library_dir_is_taken_from_the_config_folder_not_the_current_one(tmp_path, monkeypatch):
    paths = AppPaths.from_environment({"HFGUI_HOME": str(tmp_path / "home")})
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text(json.dumps({"library_dir": "my-models"}))
    roots = []
    for cwd in ("a", "b"):
        (tmp_path / cwd).mkdir()
        monkeypatch.chdir(tmp_path / cwd)
        roots.append(load_settings(paths).library_root(paths))
    assert roots == [paths.config_dir / "my-models"] * 2


# --- read-only library --------------------------------------------------------------------------------


@pytest.fixture
def read_only_library(tmp_path):
    """A real tmpfs, remounted read-only once the model is in it (needs root, as in CI)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _remount_read_only(mount) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def test_check_works_on_a_read_only_library(read_only_library):
    _installed(read_only_library / "o" / "m")
    _installed(read_only_library / "o" / "bad")
    (read_only_library / "o" / "bad" / "w.bin").write_bytes(b"x" * len(WEIGHTS))
    _remount_read_only(read_only_library)
    with pytest.raises(OSError):
        (read_only_library / "probe").write_bytes(b"")  # really read-only

    library = Library(read_only_library)
    assert library.check("o/m") == []
    [problem] = library.check("o/bad")
    assert problem.kind == "hash"


# --- --dest folders -----------------------------------------------------------------------------------


def test_dest_downloads_are_listed_and_their_staging_found(hub, versioned, tmp_path):
    library = tmp_path / "library"
    dest = tmp_path / "elsewhere" / "v"
    _interrupted_download(hub, library, dest=dest)

    [left] = find_leftovers(library, include_cache=False)
    assert left.where == WHERE_DEST and left.repo_id == "acme/v" and left.owner == "download"
    [model] = Library(library).all_models(include_cache=False, include_dest=True)
    assert (model.source, model.root, model.state) == (SOURCE_DEST, dest, InstallState.INCOMPLETE)

    with HubClient(hub.url, token=False, retry=FAST_RETRY) as client:
        download_model(client, DownloadRequest("acme/v", dest=dest), library)
    [model] = Library(library).all_models(include_cache=False, include_dest=True)
    assert (model.source, model.state) == (SOURCE_DEST, InstallState.INSTALLED)
    assert read_manifest(dest) is not None and find_leftovers(library, include_cache=False) == []
    assert Library(library).all_models(include_cache=False) == []  # the window's listing: opt-in only
