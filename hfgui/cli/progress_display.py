"""How a download or an update shows its progress: JSON events, a redrawn terminal bar, plain lines for
logs and pipes (with a progress line at least every PROGRESS_LINE_INTERVAL seconds), or nothing (--quiet)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TextIO

from hfgui.cli import output
from hfgui.core.errors import format_bytes
from hfgui.core.types import FileProgress, FileState, ModelProgress, ModelState

REDRAW_INTERVAL = 0.1  # at most 10 redraws a second
PROGRESS_LINE_INTERVAL = 10.0  # piped output: a progress line at least this often while downloading


def _changed_files(progress: ModelProgress):
    """The entries worth looking at in this update (all of them when the snapshot does not say)."""
    if progress.changed is None:
        return progress.files
    return [progress.files[i] for i in progress.changed]


class _Display:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last: ModelProgress | None = None
        self.root: Path | None = None

    def plan(self, plan) -> None:
        self.root = plan.root
        if plan.renamed_from:
            output.warning(
                f"{plan.renamed_from} was renamed to {plan.repo_id}; downloading it under its new name"
            )

    def update(self, progress: ModelProgress) -> None:
        self.last = progress

    def finish(self, progress: ModelProgress | None) -> None:
        pass

    def summary(self, **fields) -> None:
        pass


class _JsonDisplay(_Display):
    """One JSON object a line: plan, file (on any change), model, summary."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._seen: dict[str, tuple] = {}  # per file: (state, bytes, reconnecting) last emitted

    def _emit(self, data: dict) -> None:
        self.stream.write(json.dumps(data) + "\n")
        self.stream.flush()

    def plan(self, plan) -> None:
        super().plan(plan)
        self._emit(
            {
                "event": "plan",
                "repo": plan.repo_id,
                "revision": plan.revision,
                "commit": plan.commit,
                "path": str(plan.root),
                "files_total": len(plan.files),
                "bytes_total": plan.bytes_total,
                "files_present": len(plan.present),
                "bytes_needed": plan.bytes_needed,
                "renamed_from": plan.renamed_from,
            }
        )

    def update(self, progress: ModelProgress) -> None:
        super().update(progress)
        now = time.time()
        for f in _changed_files(progress):
            key = (f.state, f.bytes_done, f.reconnecting)
            if self._seen.get(f.path) != key:
                self._seen[f.path] = key
                self._emit(_file_event(progress.repo_id, f, now))
        self._emit(
            {
                "event": "model",
                "time": now,
                "repo": progress.repo_id,
                "state": progress.state.value,
                "bytes_done": progress.bytes_done,
                "bytes_total": progress.bytes_total,
                "files_done": progress.files_done,
                "files_total": progress.files_total,
                "speed": round(progress.speed, 1),
                "eta_seconds": None if progress.eta_seconds is None else round(progress.eta_seconds, 1),
                "error": progress.error,
            }
        )

    def summary(self, **fields) -> None:
        self._emit({"event": "summary", **fields})


def _file_event(repo_id: str, f: FileProgress, now: float) -> dict:
    return {
        "event": "file",
        "time": now,
        "repo": repo_id,
        "path": f.path,
        "state": f.state.value,
        "bytes_done": f.bytes_done,
        "bytes_total": f.bytes_total,
        "speed": round(f.speed, 1),
        "error": f.error,
        "reconnecting": None
        if f.reconnecting is None
        else {
            "reason": f.reconnecting.reason,
            "attempt": f.reconnecting.attempt,
            "max_attempts": f.reconnecting.max_attempts,
            "delay": round(f.reconnecting.delay, 2),
        },
    }


class _QuietDisplay(_Display):
    """--quiet: no progress at all (errors and the final line still come)."""


class _LineDisplay(_Display):
    """For logs and pipes: one line per finished file and per reconnect, and while bytes move a progress
    line (percent, bytes, speed) at least every PROGRESS_LINE_INTERVAL seconds, so a long download's log
    shows it is alive."""

    def __init__(self, stream: TextIO, *, clock=time.monotonic) -> None:
        super().__init__(stream)
        self._reported: set[str] = set()
        self._state = None
        self._reconnects: dict[str, object] = {}  # the notice last told per file
        self._clock = clock
        self._last_line = clock()

    def plan(self, plan) -> None:
        super().plan(plan)
        print(
            f"{plan.repo_id} at {plan.commit[:12]}: {output.counted(len(plan.files), 'file')},"
            f" {format_bytes(plan.bytes_total)};"
            f" {len(plan.tasks)} to download ({format_bytes(plan.bytes_needed)}) into {plan.root}",
            file=self.stream,
            flush=True,
        )

    def update(self, progress: ModelProgress) -> None:
        super().update(progress)
        for f in _changed_files(progress):
            if f.reconnecting is not None and self._reconnects.get(f.path) is not f.reconnecting:
                self._reconnects[f.path] = f.reconnecting
                print(f"reconnecting {f.path}: {_reconnect_text(f.reconnecting)}", file=self.stream)
            if f.state.finished and f.path not in self._reported:
                self._reported.add(f.path)
                detail = f": {f.error}" if f.error else ""
                size = format_bytes(f.bytes_total)
                print(f"{f.state.value:<9} {f.path} ({size}){detail}", file=self.stream)
        now = self._clock()
        if progress.state is ModelState.DOWNLOADING and now - self._last_line >= PROGRESS_LINE_INTERVAL:
            self._last_line = now
            print(_progress_text(progress), file=self.stream)
        self.stream.flush()


class _TerminalDisplay(_Display):
    """A total bar plus one line per active file, redrawn in place at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._drawn_lines = 0
        self._last_draw = float("-inf")

    def plan(self, plan) -> None:
        super().plan(plan)
        print(
            f"{plan.repo_id} at {plan.commit[:12]} → {plan.root}"
            f" ({len(plan.tasks)} of {output.counted(len(plan.files), 'file')} to download)",
            file=self.stream,
            flush=True,
        )

    def update(self, progress: ModelProgress) -> None:
        super().update(progress)
        now = time.monotonic()
        if now - self._last_draw >= REDRAW_INTERVAL:
            self._last_draw = now
            self._draw(progress)

    def finish(self, progress: ModelProgress | None) -> None:
        if self.last is not None:
            self._draw(self.last, final=True)

    def _draw(self, progress: ModelProgress, *, final: bool = False) -> None:
        width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
        lines = [_total_line(progress, width)]
        if not final:
            active = [f for f in progress.files if f.state in (FileState.DOWNLOADING, FileState.VERIFYING)]
            lines += [_file_line(f, width) for f in active[:12]]
            if len(active) > 12:
                lines.append(f"  … and {len(active) - 12} more")
        out = []
        if self._drawn_lines:
            out.append(f"\x1b[{self._drawn_lines}F")  # back to the first line we drew
        out.extend(line + "\x1b[K\n" for line in lines)
        out.append("\x1b[J")  # clear what is left below
        self.stream.write("".join(out))
        self.stream.flush()
        self._drawn_lines = 0 if final else len(lines)


def _bar(fraction: float, width: int) -> str:
    filled = int(max(0.0, min(1.0, fraction)) * width)
    return "#" * filled + "-" * (width - filled)


def _progress_text(p: ModelProgress) -> str:
    """ "progress  42.0% 1.2 GB/2.9 GB, files 3/7, 35.1 MB/s, ETA 0:52" """
    fraction = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
    eta = "" if p.eta_seconds is None else f", ETA {_duration(p.eta_seconds)}"
    waiting = f", reconnecting ({p.reconnecting.reason})" if p.reconnecting is not None else ""
    return (
        f"progress {fraction * 100:5.1f}% {format_bytes(p.bytes_done)}/{format_bytes(p.bytes_total)},"
        f" files {p.files_done}/{p.files_total}, {format_bytes(p.speed)}/s{eta}{waiting}"
    )


def choose_display(stream: TextIO, *, as_json: bool, quiet: bool) -> _Display:
    """JSON events, nothing (--quiet), a redrawn bar on a terminal, else plain lines."""
    if as_json:
        return _JsonDisplay(stream)
    if quiet:
        return _QuietDisplay(stream)
    if stream.isatty():
        return _TerminalDisplay(stream)
    return _LineDisplay(stream)


def _total_line(p: ModelProgress, width: int) -> str:
    fraction = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
    eta = "" if p.eta_seconds is None else f" ETA {_duration(p.eta_seconds)}"
    text = (
        f" {fraction * 100:5.1f}% {format_bytes(p.bytes_done)}/{format_bytes(p.bytes_total)}"
        f" files {p.files_done}/{p.files_total} {format_bytes(p.speed)}/s{eta}"
    )
    bar_width = max(10, width - len(text) - 2)
    return f"[{_bar(fraction, bar_width)}]{text}"[:width]


def _reconnect_text(notice) -> str:
    """ "connection dropped; attempt 2 of 5 in 0.5 s" """
    return f"{notice.reason}; attempt {notice.attempt} of {notice.max_attempts} in {notice.delay:.3g} s"


def _file_line(f: FileProgress, width: int) -> str:
    fraction = f.bytes_done / f.bytes_total if f.bytes_total else 1.0
    tail = f" {fraction * 100:5.1f}% {format_bytes(f.speed)}/s"
    if f.reconnecting is not None:
        notice = f.reconnecting
        tail = f" {fraction * 100:5.1f}% reconnecting (attempt {notice.attempt}, {notice.reason})"
    name_width = max(10, width - len(tail) - 2)
    name = f.path if len(f.path) <= name_width else "…" + f.path[-(name_width - 1) :]
    return f"  {name:<{name_width}}{tail}"[:width]


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}:{seconds % 60:02d}"
