"""Helpers shared by the transfer tests (task building, subprocess downloads)."""
