"""Terminal output shared by every command: safe streams, check marks, aligned tables and JSON."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from hfgui.core.words import counted  # noqa: F401  (re-exported: commands say output.counted)

_MARKS = {True: "✅", False: "❌", None: "❔"}
_ASCII_MARKS = {True: "OK", False: "NO", None: "??"}


def prepare_streams() -> None:
    """Never crash on a terminal that cannot show a character (it is replaced), nor on a reader that
    went away (`hfgui download … | head -1`: see ClosedPipeSafe)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # detached or closed stream: leave it alone
                pass
    if not isinstance(sys.stdout, ClosedPipeSafe):
        sys.stdout = ClosedPipeSafe(sys.stdout)


class ClosedPipeSafe:
    """Standard output that outlives its reader. When the pipe closes (`| head -1`), the rest of the
    output is dropped and the command finishes its work: a download is completed and exits 0, not
    reported as failed because nobody reads its progress any more."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop_output()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop_output()

    def _drop_output(self) -> None:
        self.reader_gone = True
        # Python flushes stdout once more at exit; pointed at /dev/null that flush cannot fail either.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def can_encode(text: str, stream: TextIO | None = None) -> bool:
    encoding = getattr(stream or sys.stdout, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def mark(value: bool | None, stream: TextIO | None = None) -> str:
    """✅ / ❌ / ❔, or OK / NO / ?? where the output encoding cannot show emoji."""
    marks = _MARKS if can_encode("✅❌❔", stream) else _ASCII_MARKS
    return marks[value]


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (emoji and CJK count double, combining marks zero)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right_align: Sequence[int] = ()
) -> str:
    """A plain aligned table (two spaces between columns, a dashed rule under the header)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    aligned = set(right_align)

    def line(values: Sequence[str]) -> str:
        return "  ".join(_pad(v, widths[i], i in aligned) for i, v in enumerate(values)).rstrip()

    out = [line(list(headers)), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def print_json(data: Any, stream: TextIO | None = None) -> None:
    """Pretty JSON, UTF-8 characters kept as-is (ASCII-escaped when the stream cannot encode them)."""
    stream = stream or sys.stdout
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if not can_encode(text, stream):
        text = json.dumps(data, indent=2, ensure_ascii=True)
    print(text, file=stream)


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def warning(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
