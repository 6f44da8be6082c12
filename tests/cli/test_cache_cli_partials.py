"""`hfgui partials`: list leftovers with their owner, clean them, report freed space."""

from __future__ import annotations

import json
import os
import time

import pytest

from hfgui.cli.main import main
from hfgui.core.store import hfcache, partials


def _partial(staging, repo_id, path, nbytes, age_days):
    key = partials.partial_key(repo_id, path, "e" * 64)
    part = partials.part_path(staging, key)
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"x" * nbytes)
    side = partials.sidecar_path(staging, key)
    partials.write_sidecar(
        side, partials.Sidecar("http://hub/x", repo_id, "c" * 40, path, "e" * 64, nbytes * 2)
    )
    when = time.time() - age_days * 86400
    os.utime(part, (when, when))
    os.utime(side, (when, when))
    return part


@pytest.fixture
def leftovers(hub_env, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    library_staging = tmp_path / "hfgui-home" / "data" / "models" / ".hfgui-staging"
    cache_target = hfcache.CacheTarget("acme/cached", "d" * 40, "main", tmp_path / "hf-home" / "hub")
    return {
        "old": _partial(library_staging, "acme/old", "w.bin", 5000, age_days=20),
        "new": _partial(library_staging, "acme/new", "w.bin", 1000, age_days=0),
        "cache": _partial(cache_target.staging_dir, "acme/cached", "c.bin", 2000, age_days=40),
    }


def test_lists_library_and_cache_partials(leftovers, capsys):
    assert main(["partials", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {(p["repo"], p["where"]): p for p in data["partials"]}
    assert set(rows) == {("acme/old", "library"), ("acme/new", "library"), ("acme/cached", "hf-cache")}
    assert rows[("acme/old", "library")]["owner"] == "download"
    assert rows[("acme/old", "library")]["age_seconds"] >= 19 * 86400
    assert main(["partials"]) == 0
    out = capsys.readouterr().out
    assert "acme/cached" in out and "hf-cache" in out and "3 partial downloads" in out


def test_clean_older_than_frees_only_old_ones(leftovers, capsys):
    expected = sum(
        p.stat().st_size + p.with_suffix(".json").stat().st_size
        for p in (leftovers["old"], leftovers["cache"])
    )
    assert main(["partials", "--clean", "--older-than", "7", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["removed"] == 2 and data["freed"] == expected
    assert not leftovers["old"].exists() and not leftovers["cache"].exists()
    assert leftovers["new"].exists()
    assert main(["partials", "--clean"]) == 0
    assert "Removed 1 partial download; freed" in capsys.readouterr().out
    assert main(["partials"]) == 0
    assert "No partial downloads." in capsys.readouterr().out


def test_older_than_must_be_a_number(leftovers, capsys):
    assert main(["partials", "--older-than", "soon"]) == 2
