"""Counted nouns for messages: "1 model", "2 models" — one helper for the window and the CLI."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``counted(1, "file")`` → "1 file"; ``counted(2, "copy", "copies")`` → "2 copies"."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
