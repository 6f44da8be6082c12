"""The staging folder's leftovers: listing (with sidecar info) and removal."""

from __future__ import annotations

from hfgui.core.store import partials
from hfgui.core.store.partials import Segment, Sidecar


def make_partial(staging, key, data, sidecar):
    staging.mkdir(exist_ok=True)
    partials.part_path(staging, key).write_bytes(data)
    if sidecar is not None:
        partials.write_sidecar(partials.sidecar_path(staging, key), sidecar)


def test_list_and_remove_partials(tmp_path):
    staging = tmp_path / ".hfgui-staging"
    assert partials.list_partials(staging) == []
    single = Sidecar("http://h/a/resolve/c/x.bin", "o/a", "c" * 40, "x.bin", "e" * 64, 100)
    segmented = Sidecar(
        "http://h/a/resolve/c/y.bin",
        "o/b",
        "c" * 40,
        "y.bin",
        "f" * 64,
        100,
        segments=(Segment(0, 50, 10), Segment(50, 100, 75)),
    )
    make_partial(staging, "k1", b"1" * 30, single)
    make_partial(staging, "k2", b"\0" * 100, segmented)
    make_partial(staging, "k3", b"orphan", None)

    found = {p.key: p for p in partials.list_partials(staging)}

    assert set(found) == {"k1", "k2", "k3"}
    assert (found["k1"].bytes_done, found["k1"].repo_id, found["k1"].path) == (30, "o/a", "x.bin")
    assert (found["k2"].bytes_on_disk, found["k2"].bytes_done) == (100, 35)
    assert found["k2"].sidecar.segments == segmented.segments
    assert found["k3"].sidecar is None and found["k3"].repo_id is None

    freed = partials.remove_partial(staging, "k3")
    assert freed == 6 and not partials.part_path(staging, "k3").exists()
    assert partials.remove_partials(staging) > 130
    assert list(staging.iterdir()) == []


def test_sidecar_round_trip_and_rejects_foreign_json(tmp_path):
    sidecar = Sidecar("u", "o/a", "c", "p", "e", 5, segments=(Segment(0, 5, 2),))
    path = tmp_path / "s.json"
    partials.write_sidecar(path, sidecar)
    loaded = partials.read_sidecar(path)
    assert loaded is not None and loaded.segments == sidecar.segments and loaded.size == 5
    path.write_text('{"version": 99}')
    assert partials.read_sidecar(path) is None
    path.write_text(
        '{"version": 1, "url": "u", "repo": "r", "commit": "c", "path": "p", "etag": "e", '
        '"size": 5, "segments": [[0, 5, 9]]}'
    )
    assert partials.read_sidecar(path) is None


def test_partial_key_depends_on_version():
    assert partials.partial_key("o/a", "x", "e1") != partials.partial_key("o/a", "x", "e2")
    assert partials.partial_key("o/a", "x", "e1") == partials.partial_key("o/a", "x", "e1")
