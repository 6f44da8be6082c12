"""Storage check before the first byte."""

from __future__ import annotations

import pytest

from hfgui.core.engine.diskspace import ensure_space, free_bytes, margin_for, nearest_existing
from hfgui.core.errors import InsufficientSpaceError


def test_nearest_existing_walks_up_to_an_existing_folder(tmp_path):
    assert nearest_existing(tmp_path / "a" / "b" / "c") == tmp_path
    assert free_bytes(tmp_path / "not" / "yet") > 0


def test_margin_is_2_percent_between_100_mb_and_1_gb():
    assert margin_for(1000) == 100_000_000
    assert margin_for(20 * 10**9) == 4 * 10**8
    assert margin_for(100 * 10**9) == 10**9
    assert margin_for(10 * 2**40) == 10**9  # a 10 TiB model does not ask for 220 GB of headroom


def test_refuses_with_needed_and_free_in_the_message(tmp_path):
    with pytest.raises(InsufficientSpaceError) as info:
        ensure_space(4_000_000_000, tmp_path / "models", free=2_300_000_000)
    text = str(info.value)
    assert "needs 4.0 GB" in text and "only 2.3 GB is free" in text and str(tmp_path) in text
    assert "and 100.0 MB kept free" in text  # the margin is explained, not a surprise
    assert "\n" not in text


def test_accepts_when_it_fits_and_when_nothing_is_needed(tmp_path):
    ensure_space(1000, tmp_path, free=200_000_000)
    ensure_space(0, tmp_path, free=0)
    with pytest.raises(InsufficientSpaceError):
        ensure_space(10 * 2**40, tmp_path)  # the real filesystem of the test machine
