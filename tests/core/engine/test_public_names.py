"""The engine's modules were split along their parts; what callers imported from the old modules still
imports from there (and is the same object as in the part that now owns it)."""

from __future__ import annotations

import importlib

import pytest

KEPT = {
    "transfer": {
        "FileTask": "file_task",
        "MAX_REDIRECTS": "file_source",
        "MAX_CONSECUTIVE_FAILURES": "file_source",
        "RESUMABLE_MIN_SIZE": "partial_file",
        "WRITEBACK_WINDOW": "partial_file",
        "fsync_dir": "partial_file",
        "CHUNK": "response_body",
        "MIN_CAPPED_CHUNK": "response_body",
        "CANCEL_POLL": "cancel_watch",
    },
    "planner": {
        "expand_directory_includes": "selection",
        "check_entry_path": "path_checks",
        "model_root": "model_paths",
        "lock_file_for": "model_paths",
        "library_lock_file": "model_paths",
        "STAGING_DIR_NAME": "model_paths",
    },
    "model_download": {"DEFERRED_SYNC_BELOW": "model_records"},
    "segment_runner": {"ConnectionBudget": "connection_budget"},
    "progress": {"RollingRate": "progress_counters"},
}


@pytest.mark.parametrize(
    ("old", "name", "owner"),
    [(old, name, owner) for old, names in KEPT.items() for name, owner in names.items()],
)
def test_a_name_callers_imported_still_imports_from_its_old_module(old, name, owner):
    before = importlib.import_module(f"hfgui.core.engine.{old}")
    now = importlib.import_module(f"hfgui.core.engine.{owner}")
    assert getattr(before, name) is getattr(now, name)


def test_matches_still_imports_from_the_planner():
    from hfgui.core.engine.planner import matches
    from hfgui.core.globs import matches as owner

    assert matches is owner and matches("a/b.gguf", ("*.gguf",)) and not matches("a.md", ("*.gguf",))
