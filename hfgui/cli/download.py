"""``hfgui download``: fetch a model (or chosen files) into the library or a folder, resumable, verified."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from hfgui.cli import context, output
from hfgui.cli.progress_display import choose_display
from hfgui.core.errors import DownloadCancelledError, HfGuiError, UsageError, format_bytes
from hfgui.core.types import FileState, ModelProgress

HELP = "download a model (or some of its files) into the library, resuming and verifying every file"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


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
        "--workers",
        type=_positive_int,
        metavar="N",
        help="files downloaded at once (default: Settings; adaptive, up to 32, growing with latency)",
    )
    parser.add_argument(
        "--segments",
        type=_segment_count,
        metavar="N",
        help="connections per large file; 1 = one stream (default: Settings; adaptive, up to 16)",
    )
    parser.add_argument(
        "--limit-rate",
        type=_rate,
        metavar="RATE",
        help="cap the download speed, e.g. 5M (5 MB/s) or 500k; 0 = unlimited (default: Settings)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress output (piped output otherwise gets a progress line at least every 10 s);"
        " errors and the final line still show",
    )
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


def _segment_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 16:
        raise argparse.ArgumentTypeError(f"expected a number of connections from 1 to 16, got {text!r}")
    return value


def segments_for(args: argparse.Namespace) -> int:
    """--segments N, else the Settings value (0: adaptive)."""
    chosen = getattr(args, "segments", None)
    return chosen if chosen else context.settings(args).segments_per_file


def _rate(text: str) -> int:
    from hfgui.core.engine.bandwidth import parse_rate

    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cache_dir_for(args: argparse.Namespace) -> Path | None:
    """The Hugging Face cache to store into, or None for the library (or --dest).

    --cache DIR > --cache (huggingface_hub's cache) > --no-cache > the Settings default.
    """
    from hfgui.core.store import hfcache

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
    from hfgui.core.engine.bandwidth import BandwidthLimiter

    rate = getattr(args, "limit_rate", None)
    if rate is None:
        rate = context.settings(args).bandwidth_limit
    return BandwidthLimiter(rate) if rate > 0 else None


def build_request(args: argparse.Namespace):
    """The DownloadRequest the arguments describe; raises InvalidRepoIdError before any request."""
    from hfgui.core.engine.planner import DownloadRequest
    from hfgui.core.library.catalog import parse_model_reference

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


def check_dest(dest: Path) -> None:
    """Refuse a --dest that cannot hold a model, in the command line's words (no internal paths)."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"--dest {dest} is a file, not a folder.", "Give a folder; it is made if missing.")
    existing = dest
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # the folder the missing ones would be made in: nothing made yet
    if not existing.is_dir():
        raise UsageError(f"--dest {dest} lies under a file ({existing}).", "Give a folder instead.")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise HfGuiError(
            f"--dest {dest} cannot be written ({reason}).", "Choose a folder you can write to."
        ) from None


def run(args: argparse.Namespace) -> int:
    from hfgui.core.engine.model_download import download_model

    request = build_request(args)
    if request.dest is not None:
        check_dest(request.dest)
    limiter = limiter_for(args)
    # With --dest the library is not where files go, but its index learns about the folder.
    library_root = context.settings(args).library_root(context.app_paths())
    display = choose_display(sys.stdout, as_json=args.json, quiet=args.quiet)

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
            segments=segments_for(args),
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
