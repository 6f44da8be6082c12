"""Test suite of hfgui (a package so helpers import as `tests.hubemu`)."""
