"""``hfgui update``: bring an installed model to its revision's newest commit, fetching only what changed."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading

from hfgui.cli import context, output
from hfgui.cli.download import (
    _install_sigint,
    _positive_int,
    _rate,
    _segment_count,
    limiter_for,
    segments_for,
)
from hfgui.cli.progress_display import _Display, choose_display
from hfgui.core.errors import DownloadCancelledError, HfGuiError, ModelNotInstalledError, format_bytes

HELP = "update an installed model to the newest commit, downloading only changed files"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    parser = subparsers.add_parser(
        "update",
        help=HELP,
        description=HELP + ". Unchanged files are kept; changed and new ones are downloaded and verified"
        " first, and only then swapped in (files removed upstream are deleted). If anything fails the"
        " installed model stays as it was; run it again to resume. With --cache the new commit goes into"
        " the Hugging Face cache next to the old one, sharing unchanged files."
        " Exit status: 0 updated or already current, 1 failed, 130 interrupted.",
    )
    parser.add_argument("repo", metavar="REPO", help="owner/name of an installed model")
    parser.add_argument(
        "--revision", metavar="REV", help="branch or tag to follow (default: the installed one)"
    )
    parser.add_argument(
        "--cache",
        nargs="?",
        const="",
        metavar="DIR",
        help="update the copy in the Hugging Face cache (huggingface_hub's, or DIR) instead of the library",
    )
    parser.add_argument(
        "--workers", type=_positive_int, metavar="N", help="files downloaded at once (default: Settings)"
    )
    parser.add_argument(
        "--segments",
        type=_segment_count,
        metavar="N",
        help="connections per large file; 1 = one stream (default: Settings)",
    )
    parser.add_argument(
        "--limit-rate", type=_rate, metavar="RATE", help="cap the speed, e.g. 5M; 0 = unlimited"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    add_global_options(parser, in_subcommand=True)
    return parser


def _display(args: argparse.Namespace) -> _Display:
    return choose_display(sys.stdout, as_json=args.json, quiet=args.quiet)


def run(args: argparse.Namespace) -> int:
    from hfgui.core.wire.repo_id import validate_repo_id

    repo_id = validate_repo_id(args.repo)
    display = _display(args)
    cancel = threading.Event()
    previous = _install_sigint(cancel)
    try:
        if args.cache is not None:
            summary = _update_cache(args, repo_id, display, cancel)
        else:
            summary = _update_library(args, repo_id, display, cancel)
    except DownloadCancelledError:
        display.finish(None)
        display.summary(ok=False, error="interrupted", exit_code=EXIT_INTERRUPTED)
        output.error("interrupted; the installed model is unchanged; run the same command to resume")
        return EXIT_INTERRUPTED
    except HfGuiError as exc:
        display.finish(None)
        message = str(exc)
        if not isinstance(exc, ModelNotInstalledError):  # there is an installed copy to speak of
            kept = f"The installed copy of {repo_id} was left as it was."
            message = " ".join(part for part in (exc.message, kept, exc.hint) if part)
        display.summary(ok=False, error=message, exit_code=EXIT_FAILURE)
        output.error(message)
        return EXIT_FAILURE
    finally:
        signal.signal(signal.SIGINT, previous)
    display.finish(display.last)
    display.summary(ok=True, exit_code=EXIT_OK, **summary)
    return EXIT_OK


def _common(args: argparse.Namespace) -> dict:
    settings = context.settings(args)
    return {
        "workers": args.workers or settings.parallel_files,
        "segments": segments_for(args),
        "stall_timeout": float(settings.stall_timeout_seconds),
        "limiter": limiter_for(args),
    }


def _update_library(args, repo_id: str, display: _Display, cancel: threading.Event) -> dict:
    from hfgui.core.library.care import update_model

    library_root = context.settings(args).library_root(context.app_paths())

    def on_plan(plan) -> None:
        if not args.json:
            print(
                f"{repo_id}: {plan.old.commit[:12]} → {plan.new_commit[:12]}:"
                f" {len(plan.keep)} unchanged, {len(plan.fetch.files) if plan.fetch else 0} to fetch"
                f" ({format_bytes(plan.bytes_needed)}), {len(plan.remove)} to remove",
                flush=True,
            )
        if plan.fetch is not None:
            # Shown as going into the model's folder: the staging folder it passes through is internal.
            display.plan(dataclasses.replace(plan.fetch, root=plan.root))

    result = update_model(
        context.client(args),
        library_root,
        repo_id,
        revision=args.revision,
        on_progress=display.update,
        cancel=cancel,
        on_plan=on_plan,
        **_common(args),
    )
    if not args.json:
        if result.updated:
            print(
                f"Updated {repo_id} to {result.new_commit[:12]}: {len(result.downloaded)} downloaded,"
                f" {len(result.kept)} kept, {len(result.removed)} removed."
            )
        else:
            print(f"{repo_id} is up to date ({result.new_commit[:12]}).")
    return {
        "repo": repo_id,
        "updated": result.updated,
        "old_commit": result.old_commit,
        "commit": result.new_commit,
        "downloaded": list(result.downloaded),
        "kept": list(result.kept),
        "removed": list(result.removed),
    }


def _update_cache(args, repo_id: str, display: _Display, cancel: threading.Event) -> dict:
    """A new commit into the cache beside the old one; blobs that did not change are linked, not fetched."""
    from pathlib import Path

    from hfgui.core.engine.model_download import download_model
    from hfgui.core.engine.planner import DownloadRequest
    from hfgui.core.store import hfcache

    cache_dir = Path(args.cache).expanduser() if args.cache else hfcache.hub_cache_dir()
    cached = hfcache.cached_model(repo_id, cache_dir)
    if cached is None:
        raise HfGuiError(
            f"{repo_id} is not in the Hugging Face cache at {cache_dir}.",
            f"Download it with: hfgui download {repo_id} --cache",
        )
    latest = cached.latest
    revision = args.revision or ("main" if "main" in latest.refs or not latest.refs else latest.refs[0])
    # A partial snapshot (some files only) stays partial: fetch the same paths in the new commit.
    include = () if latest.complete is not False else tuple(f.path for f in latest.files)
    common = _common(args)
    manifest = download_model(
        context.client(args),
        DownloadRequest(
            repo_id, revision, include=include, workers=common.pop("workers"), cache_dir=cache_dir
        ),
        None,
        on_progress=display.update,
        cancel=cancel,
        on_plan=display.plan,
        **common,
    )
    updated = manifest.commit != latest.commit
    if not args.json:
        state = f"updated to {manifest.commit[:12]}" if updated else f"up to date ({manifest.commit[:12]})"
        print(f"{repo_id} in the Hugging Face cache is {state}.")
    return {"repo": repo_id, "updated": updated, "old_commit": latest.commit, "commit": manifest.commit}
