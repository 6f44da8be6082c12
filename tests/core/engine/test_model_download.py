"""Model-level downloads end to end against the Hub emulator over loopback HTTP."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from hfgui.core.engine.diskspace import check_space
from hfgui.core.engine.model_download import ModelDownloader, download_model
from hfgui.core.engine.planner import DownloadRequest, plan_download
from hfgui.core.errors import ChecksumError, DownloadCancelledError, InsufficientSpaceError, UnsafePathError
from hfgui.core.library.installed import InstallState, Library
from hfgui.core.store.manifest import read_journal, read_manifest
from hfgui.core.types import FileState, ModelState
from hfgui.core.wire.hub import HubClient
from tests.hubemu import generated_content, unservable_content

MLPACKAGE = {
    "README.md": b"# tiny coreml model\n",
    "config.json": b'{"model_type": "demo"}\n',
    "X.mlpackage/Manifest.json": b'{"fileFormatVersion": "1.0.0", "itemInfoEntries": {}}\n',
    "X.mlpackage/Data/com.apple.CoreML/model.mlmodel": bytes(range(256)) * 40,
    "X.mlpackage/Data/com.apple.CoreML/weights/weight.bin": generated_content(600_000, seed=3),
}


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else value.read(0, value.size)


@pytest.fixture
def client(hub):
    with HubClient(hub.url, token=False) as c:
        yield c


def _hub_requests(hub):
    return [r for r in hub.requests if r.host == "hub"]


def _resolve_requests(hub):
    return [
        r for r in hub.requests if "/resolve/" in r.path or "/resolve-cache/" in r.path or r.host == "cdn"
    ]


def test_mlpackage_directory_model_end_to_end(hub, client, tmp_path):
    hub.add_repo("apple/tiny-coreml", files=MLPACKAGE)
    events = []
    manifest = download_model(
        client, DownloadRequest("apple/tiny-coreml"), tmp_path, on_progress=events.append
    )

    root = tmp_path / "apple" / "tiny-coreml"
    for path, value in MLPACKAGE.items():
        assert (root / path).read_bytes() == _bytes(value), path
    assert (root / "X.mlpackage").is_dir()
    on_disk = read_manifest(root)
    assert on_disk is not None and on_disk.commit == hub.repo("apple/tiny-coreml").sha
    assert {f.path for f in on_disk.files} == set(MLPACKAGE)
    assert manifest.total_bytes == sum(len(_bytes(v)) for v in MLPACKAGE.values())
    assert read_journal(root) == {}
    staging = tmp_path / ".hfgui-staging"
    assert not staging.exists() or list(staging.iterdir()) == []  # no partial left behind
    # Rate limits: one model info, one tree page, then at most 2 Hub requests per file (no HEAD).
    hub_reqs = _hub_requests(hub)
    assert not [r for r in hub_reqs if r.method == "HEAD"]
    assert len(hub_reqs) <= 2 + 2 * len(MLPACKAGE)
    for path in MLPACKAGE:
        assert len(hub.requests_for(path, host="hub")) <= 2
    final = events[-1]
    assert final.state is ModelState.INSTALLED
    assert final.bytes_done == final.bytes_total == manifest.total_bytes
    assert final.files_done == final.files_total == len(MLPACKAGE)


def test_many_files_share_one_cancel_watcher_thread(hub, client, tmp_path):
    # Each file used to start its own watcher thread; a model of thousands of files must not.
    files = {f"tok/t-{i:03d}.json": f'{{"id": {i}}}\n'.encode() for i in range(60)}
    hub.add_repo("acme/many", files=files)
    watchers_seen = []

    def count_watchers(_progress) -> None:
        watchers_seen.append(sum(t.name == "hfgui-cancel" for t in threading.enumerate()))

    download_model(
        client,
        DownloadRequest("acme/many", workers=8),
        tmp_path,
        on_progress=count_watchers,
    )

    assert watchers_seen and max(watchers_seen) <= 1
    assert all((tmp_path / "acme" / "many" / p).read_bytes() == b for p, b in files.items())


def test_cancel_ends_a_rate_limit_wait_while_planning(hub, client, tmp_path):
    # The Hub asks for 100 s; only a cancel-aware wait lets Pause end this before that.
    hub.add_repo("acme/busy", files={"config.json": b"{}"})
    hub.faults.status("/api/models/*", 429, times=None, retry_after=100, host="hub")
    cancel = threading.Event()
    outcome = []

    def run() -> None:
        try:
            download_model(client, DownloadRequest("acme/busy"), tmp_path, cancel=cancel)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    while not hub.requests:  # the first answer (429) is on its way: the client is about to wait
        time.sleep(0.01)
    cancel.set()
    worker.join()

    assert len(outcome) == 1 and isinstance(outcome[0], DownloadCancelledError)
    assert len([r for r in hub.requests if r.path.startswith("/api/models/")]) == 1  # no retry after it
    assert not (tmp_path / "acme" / "busy").exists()


def test_include_exclude_and_positional_folder(hub, client, tmp_path):
    hub.add_repo("apple/tiny-coreml", files=MLPACKAGE)
    plan = plan_download(client, DownloadRequest("apple/tiny-coreml", include=("X.mlpackage",)), tmp_path)
    assert {f.path for f in plan.files} == {p for p in MLPACKAGE if p.startswith("X.mlpackage/")}
    plan = plan_download(
        client,
        DownloadRequest("apple/tiny-coreml", include=("X.mlpackage/", "*.json"), exclude=("*.bin",)),
        tmp_path,
    )
    assert {f.path for f in plan.files} == {
        "config.json",
        "X.mlpackage/Manifest.json",
        "X.mlpackage/Data/com.apple.CoreML/model.mlmodel",
    }
    download_model(client, DownloadRequest("apple/tiny-coreml", include=("*.md",)), tmp_path)
    root = tmp_path / "apple" / "tiny-coreml"
    assert sorted(p.name for p in root.iterdir()) == [".hfgui", "README.md"]


def test_every_file_comes_from_the_commit_of_model_info(hub, client, tmp_path):
    repo = hub.add_repo("o/pinned", files={"a.txt": b"old a", "b.txt": b"old b"})
    first = repo.sha
    plan = plan_download(client, DownloadRequest("o/pinned"), tmp_path)
    repo.commit(files={"a.txt": b"new a!", "b.txt": b"new b!"})  # a push lands mid-download
    ModelDownloader(client, plan).run()
    root = tmp_path / "o" / "pinned"
    assert (root / "a.txt").read_bytes() == b"old a" and (root / "b.txt").read_bytes() == b"old b"
    assert read_manifest(root).commit == first
    tree_calls = [r for r in hub.requests if "/tree/" in r.path]
    assert len(tree_calls) == 1 and first in tree_calls[0].path


@pytest.mark.parametrize("hostile", ["../evil", "a/../../evil", ".hfgui/manifest.json"])
def test_hostile_tree_paths_are_refused_before_anything_is_written(hub, client, tmp_path, hostile):
    hub.add_repo("bad/repo", files={"config.json": b"{}", hostile: b"pwned"})
    library = tmp_path / "lib"
    with pytest.raises(UnsafePathError) as info:
        download_model(client, DownloadRequest("bad/repo"), library)
    assert hostile in str(info.value)
    assert not library.exists()
    assert not (tmp_path / "evil").exists()
    assert _resolve_requests(hub) == []


def test_ten_tib_is_refused_before_any_byte_is_requested(hub, client, tmp_path):
    hub.add_repo(
        "big/model", files={"config.json": b"{}", "model.safetensors": unservable_content(10 * 2**40)}
    )
    with pytest.raises(InsufficientSpaceError) as info:
        download_model(client, DownloadRequest("big/model"), tmp_path)
    assert "needs 11.0 TB" in str(info.value) and "1.0 GB kept free" in str(info.value)
    assert _resolve_requests(hub) == []
    assert not (tmp_path / "big").exists()


def test_space_check_counts_present_files_and_partials(hub, client, tmp_path):
    hub.add_repo(
        "o/m", files={"a.bin": generated_content(3_000_000), "b.bin": generated_content(5_000_000, seed=1)}
    )
    request = DownloadRequest("o/m")
    download_model(client, DownloadRequest("o/m", include=("a.bin",)), tmp_path)
    plan = plan_download(client, request, tmp_path)
    assert plan.present == ("a.bin",) and plan.bytes_needed == 5_000_000
    check_space(plan, free=5_000_000 + 100_000_000)
    with pytest.raises(InsufficientSpaceError):
        check_space(plan, free=5_000_000 + 99_999_999)


def test_more_than_a_thousand_files_across_tree_pages(hub, client, tmp_path):
    files = {f"shards/{i // 100:02d}/part-{i:04d}.txt": f"shard {i}\n".encode() for i in range(1050)}
    hub.add_repo("many/files", files=files)
    manifest = download_model(client, DownloadRequest("many/files", workers=8), tmp_path)
    root = tmp_path / "many" / "files"
    assert len(manifest.files) == 1050
    assert all((root / p).read_bytes() == b for p, b in files.items())
    tree_pages = [r for r in hub.requests if "/tree/" in r.path]
    assert len(tree_pages) >= 2  # the listing really was paginated
    assert len(_hub_requests(hub)) <= 1 + len(tree_pages) + 2 * len(files)


def test_cancel_then_resume_downloads_no_byte_twice(hub, client, tmp_path):
    big = generated_content(8 * 2**20, seed=7)
    hub.add_repo("o/resume", files={"small.json": b'{"a": 1}', "model.safetensors": big})
    # Pause the body after 3 MiB so the cancel lands mid-file.
    hub.faults.stall("model.safetensors", after_bytes=3 * 2**20, seconds=0.3)
    cancel = threading.Event()

    def on_progress(p):
        for f in p.files:
            if f.path == "model.safetensors" and f.bytes_done >= 3 * 2**20:
                cancel.set()

    with pytest.raises(DownloadCancelledError):
        download_model(client, DownloadRequest("o/resume"), tmp_path, on_progress=on_progress, cancel=cancel)
    root = tmp_path / "o" / "resume"
    assert read_manifest(root) is None
    parts = list((tmp_path / ".hfgui-staging").glob("*.part"))
    assert len(parts) == 1
    kept = parts[0].stat().st_size
    assert 3 * 2**20 <= kept < big.size
    assert Library(tmp_path).installed()[0].state is InstallState.INCOMPLETE

    hub.clear_requests()
    events = []
    download_model(client, DownloadRequest("o/resume"), tmp_path, on_progress=events.append)
    assert (root / "model.safetensors").read_bytes() == big.read(0, big.size)
    gets = [r for r in hub.requests_for("model.safetensors", host="cdn") if r.method == "GET"]
    assert len(gets) == 1
    assert gets[0].headers.get("Range") == f"bytes={kept}-"
    assert gets[0].bytes_sent == big.size - kept
    assert hub.requests_for("small.json") == []  # verified in the first run: skipped, not re-hashed remotely
    assert events[-1].bytes_done == events[-1].bytes_total


def test_already_installed_model_is_skipped_without_requests(hub, client, tmp_path):
    hub.add_repo("apple/tiny-coreml", files=MLPACKAGE)
    download_model(client, DownloadRequest("apple/tiny-coreml"), tmp_path)
    hub.clear_requests()
    events = []
    download_model(client, DownloadRequest("apple/tiny-coreml"), tmp_path, on_progress=events.append)
    assert _resolve_requests(hub) == []
    assert {f.state for f in events[-1].files} == {FileState.SKIPPED}


def test_existing_files_without_a_record_are_hashed(hub, client, tmp_path):
    hub.add_repo("o/m", files={"good.txt": b"good content", "bad.txt": b"right content"})
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "good.txt").write_bytes(b"good content")
    (dest / "bad.txt").write_bytes(b"wrong content")  # same size, other bytes
    plan = plan_download(client, DownloadRequest("o/m", dest=dest), None)
    assert plan.present == ("good.txt",)
    assert [t.path for t in plan.tasks] == ["bad.txt"]
    ModelDownloader(client, plan).run()
    assert (dest / "bad.txt").read_bytes() == b"right content"
    assert read_manifest(dest) is not None
    assert (dest / ".hfgui" / "staging").is_dir()  # --dest keeps its staging inside the folder


def test_one_failing_file_leaves_the_model_not_installed(hub, client, tmp_path):
    files = {f"w{i}.bin": generated_content(200_000, seed=i) for i in range(4)}
    hub.add_repo("o/flaky", files=files)
    hub.faults.corrupt("w2.bin", 1000, times=2)  # wrong twice -> ChecksumError
    events = []
    with pytest.raises(ChecksumError):
        download_model(client, DownloadRequest("o/flaky", workers=2), tmp_path, on_progress=events.append)
    root = tmp_path / "o" / "flaky"
    assert read_manifest(root) is None
    assert not (root / "w2.bin").exists()
    for name in ("w0.bin", "w1.bin", "w3.bin"):
        assert (root / name).stat().st_size == 200_000  # kept for the next run
    failed = [f for f in events[-1].files if f.state is FileState.FAILED]
    assert [f.path for f in failed] == ["w2.bin"] and "w2.bin" in failed[0].error
    assert events[-1].state is ModelState.FAILED
    assert Library(tmp_path).installed()[0].state is InstallState.INCOMPLETE

    hub.clear_requests()
    download_model(client, DownloadRequest("o/flaky"), tmp_path)
    assert read_manifest(root) is not None
    fetched = {name for name in files if hub.requests_for(name, host="cdn")}
    assert fetched == {"w2.bin"}


def test_progress_events_are_coalesced_and_consistent(hub, client, tmp_path):
    files = {f"part{i}.bin": generated_content(16 * 2**20, seed=i) for i in range(3)}
    files["config.json"] = b"{}"
    hub.add_repo("o/progress", files=files)
    for name in ("part0.bin", "part1.bin"):
        hub.faults.stall(name, after_bytes=4 * 2**20, seconds=0.25)  # make the run long enough to throttle
    events: list[tuple[float, object]] = []

    def record(p):
        events.append((time.monotonic(), p))

    download_model(client, DownloadRequest("o/progress", workers=3), tmp_path, on_progress=record)

    snaps = [p for _, p in events]
    final = snaps[-1]
    assert final.state is ModelState.INSTALLED
    assert (
        final.bytes_done
        == final.bytes_total
        == sum(v.size if not isinstance(v, bytes) else len(v) for v in files.values())
    )
    assert all(a.bytes_done <= b.bytes_done for a, b in itertools.pairwise(snaps))

    # An event is a "byte update" when no file (and not the model) changed state since the previous one.
    byte_updates: list[float] = []
    for (_, prev), (t, cur) in itertools.pairwise(events):
        same_states = prev.state is cur.state and [f.state for f in prev.files] == [
            f.state for f in cur.files
        ]
        if same_states:
            byte_updates.append(t)
    assert byte_updates, "the run should have produced throttled byte updates"
    # At most ~10 byte updates in any one-second window (measured on event timestamps).
    for i, start in enumerate(byte_updates):
        in_window = [t for t in byte_updates[i:] if t - start < 1.0]
        assert len(in_window) <= 11
    # 48 MiB in 1 MiB chunks is ~48 byte callbacks; far fewer reached the consumer.
    assert len(byte_updates) < 48
