"""``hfgui download``: fetch a model (or chosen files) into the library or a folder, resumable, verified."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from hfgui.cli import context, output
from hfgui.core.errors import DownloadCancelledError, HfGuiError, UsageError, format_bytes
from hfgui.core.types import FileProgress, FileState, ModelProgress

HELP = "download a model (or some of its files) into the library, resuming and verifying every file"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
REDRAW_INTERVAL = 0.1  # at most 10 redraws a second


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    parser = subparsers.add_parser(
        "download",
        help=HELP,
        description=HELP + ". Every file comes from one commit; files already installed are skipped;"
        " Ctrl-C keeps partial files so the same command resumes."
        " Exit status: 0 installed, 1 failed, 130 interrupted.",
    )
    parser.add_argument("repo", metavar="REPO", help="owner/name, a Hub URL or hf:// address")
    parser.add_argument(
        "files",
        nargs="*",
        default=[],  # with a default argparse no longer lists it among the missing required arguments
        metavar="FILE_OR_GLOB",
        help="only these files or globs (like --include); a folder name takes the whole folder",
    )
    parser.add_argument("--revision", metavar="REV", help="branch, tag or commit (default: main)")
    parser.add_argument(
        "--include", action="append", default=[], metavar="GLOB", help="only files matching GLOB (repeatable)"
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip files matching GLOB (repeatable)"
    )
    parser.add_argument(
        "--dest", metavar="DIR", help="put the files directly under DIR instead of the library"
    )
    parser.add_argument(
        "--cache",
        nargs="?",
        const="",
        metavar="DIR",
        help="store into the shared Hugging Face cache (huggingface_hub's, or DIR) instead of the library;"
        " put it after the files or write --cache=DIR",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="store into the library even when Settings make the Hugging Face cache the default",
    )
    parser.add_argument(
        "--workers", type=_positive_int, metavar="N", help="files downloaded at once (default: Settings, 4)"
    )
    parser.add_argument(
        "--limit-rate",
        type=_rate,
        metavar="RATE",
        help="cap the download speed, e.g. 5M (5 MB/s) or 500k; 0 = unlimited (default: Settings)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    add_global_options(parser, in_subcommand=True)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"expected a number of workers from 1 to 64, got {text!r}")
    return value


def _rate(text: str) -> int:
    from hfgui.core.bandwidth import parse_rate

    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cache_dir_for(args: argparse.Namespace) -> Path | None:
    """The Hugging Face cache to store into, or None for the library (or --dest).

    --cache DIR > --cache (huggingface_hub's cache) > --no-cache > the Settings default.
    """
    from hfgui.core import hfcache

    chosen = getattr(args, "cache", None)
    if getattr(args, "no_cache", False) and chosen is not None:
        raise UsageError("--cache and --no-cache contradict each other.", "Use one of them.")
    if getattr(args, "dest", None):
        if chosen is not None:
            raise UsageError(
                "--cache and --dest contradict each other.",
                "Use --dest DIR for a plain folder, or --cache [DIR] for a Hugging Face cache.",
            )
        return None
    if chosen:
        return Path(chosen).expanduser()
    if chosen == "":
        return hfcache.hub_cache_dir()
    if not getattr(args, "no_cache", False) and context.settings(args).use_hf_cache:
        return hfcache.hub_cache_dir()
    return None


def limiter_for(args: argparse.Namespace):
    """A bandwidth limiter for --limit-rate (or the Settings default), None when unlimited."""
    from hfgui.core.bandwidth import BandwidthLimiter

    rate = getattr(args, "limit_rate", None)
    if rate is None:
        rate = context.settings(args).bandwidth_limit
    return BandwidthLimiter(rate) if rate > 0 else None


def build_request(args: argparse.Namespace):
    """The DownloadRequest the arguments describe; raises InvalidRepoIdError before any request."""
    from hfgui.core.catalog import parse_model_reference
    from hfgui.core.planner import DownloadRequest

    ref = parse_model_reference(args.repo, context.endpoint(args))
    include = list(args.files) + list(args.include)
    if ref.path:
        include.append(ref.path)
    workers = args.workers or context.settings(args).parallel_files
    return DownloadRequest(
        repo_id=ref.repo_id,
        revision=args.revision or ref.revision or "main",
        include=tuple(include),
        exclude=tuple(args.exclude),
        dest=Path(args.dest).expanduser() if args.dest else None,
        workers=workers,
        cache_dir=cache_dir_for(args),
    )


def run(args: argparse.Namespace) -> int:
    from hfgui.core.model_download import download_model

    request = build_request(args)
    limiter = limiter_for(args)
    # With --dest the library is not where files go, but its index learns about the folder.
    library_root = context.settings(args).library_root(context.app_paths())
    if args.json:
        display: _Display = _JsonDisplay(sys.stdout)
    elif sys.stdout.isatty():
        display = _TerminalDisplay(sys.stdout)
    else:
        display = _LineDisplay(sys.stdout)

    cancel = threading.Event()
    previous = _install_sigint(cancel)
    started = time.monotonic()
    try:
        client = context.client(args)
        manifest = download_model(
            client,
            request,
            library_root,
            on_progress=display.update,
            cancel=cancel,
            on_plan=display.plan,
            segments=context.settings(args).segments_per_file,
            stall_timeout=float(context.settings(args).stall_timeout_seconds),
            limiter=limiter,
        )
    except DownloadCancelledError:
        display.finish(None)
        display.summary(ok=False, error="interrupted", exit_code=EXIT_INTERRUPTED)
        output.error("interrupted; run the same command to resume")
        return EXIT_INTERRUPTED
    except HfGuiError as exc:
        display.finish(None)
        message = _failure_message(exc, display.last)
        display.summary(ok=False, error=message, exit_code=EXIT_FAILURE)
        output.error(message)
        return EXIT_FAILURE
    finally:
        signal.signal(signal.SIGINT, previous)
    elapsed = time.monotonic() - started
    display.finish(display.last)
    root = display.root
    display.summary(
        ok=True,
        exit_code=EXIT_OK,
        repo=manifest.repo_id,
        commit=manifest.commit,
        path=str(root) if root else None,
        files=len(manifest.files),
        bytes=manifest.total_bytes,
        seconds=round(elapsed, 3),
    )
    if not args.json:
        files = output.counted(len(manifest.files), "file")
        print(
            f"Installed {manifest.repo_id} ({manifest.commit[:12]}): {files},"
            f" {format_bytes(manifest.total_bytes)} in {root}"
        )
    return EXIT_OK


def _failure_message(exc: HfGuiError, last: ModelProgress | None) -> str:
    if last is not None:
        failed = sum(1 for f in last.files if f.state is FileState.FAILED)
        if failed:
            failures = f"{failed} of {output.counted(last.files_total, 'file')} failed"
            return f"{failures}; the model is not installed. {exc}"
    return str(exc)


def _install_sigint(cancel: threading.Event):
    """First Ctrl-C asks the workers to stop (they keep their partials); a second one aborts at once."""

    def handler(signum, frame):
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print(file=sys.stderr)
        output.warning("stopping; partial files are kept (Ctrl-C again to quit at once)")

    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (embedded use): no handler, cancel still works
        return signal.getsignal(signal.SIGINT)


# --- displays ------------------------------------------------------------------------------------


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
        self._seen: dict[str, tuple[FileState, int]] = {}

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
            }
        )

    def update(self, progress: ModelProgress) -> None:
        super().update(progress)
        now = time.time()
        for f in _changed_files(progress):
            key = (f.state, f.bytes_done)
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
    }


class _LineDisplay(_Display):
    """For logs and pipes: one line per finished file and per change of the model's state."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._reported: set[str] = set()
        self._state = None
        self._reconnects: dict[str, object] = {}  # the notice last told per file

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
