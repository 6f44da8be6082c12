"""``hfgui partials``: list (and with --clean remove) partial downloads left in the staging folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from hfgui.cli import context, output
from hfgui.core.errors import format_bytes

HELP = (
    "list partial downloads left in the library, --dest folders and the Hugging Face cache (and folders"
    " an interrupted delete left); --clean removes them"
)
EXIT_OK = 0
DAY = 86400.0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    parser = subparsers.add_parser(
        "partials",
        help=HELP,
        description=HELP + ". Each partial shows its model, file, size, age and what would resume it"
        " (a download, an update) or 'orphaned' when nothing will. --clean skips the partials of a"
        " download running in another hfgui window or process, and says so.",
    )
    parser.add_argument(
        "--clean", action="store_true", help="delete the listed partials and report the space"
    )
    parser.add_argument(
        "--older-than", type=_days, metavar="DAYS", help="only partials untouched for more than DAYS days"
    )
    parser.add_argument("--orphaned", action="store_true", help="only partials nothing would resume")
    parser.add_argument(
        "--cache", metavar="DIR", help="the Hugging Face cache to include (default: huggingface_hub's)"
    )
    parser.add_argument("--no-cache", action="store_true", help="leave out the Hugging Face cache")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    add_global_options(parser, in_subcommand=True)
    return parser


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of days (0 or more), got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from hfgui.core.library.leftovers import KIND_DELETED_MODEL, clean_leftovers, find_leftovers

    library_root = context.settings(args).library_root(context.app_paths())
    items = find_leftovers(
        library_root,
        Path(args.cache).expanduser() if args.cache else None,
        include_cache=not args.no_cache,
    )
    if args.older_than is not None:
        items = [i for i in items if i.age_seconds > args.older_than * DAY]
    if args.orphaned:
        items = [i for i in items if i.orphaned]
    cleaned = clean_leftovers(items) if args.clean else None
    if args.json:
        data = {"partials": [i.to_json() for i in items], "total": sum(i.size for i in items)}
        if cleaned is not None:
            data["removed"] = len(cleaned.removed)
            data["freed"] = cleaned.freed
            data["skipped_running"] = [i.to_json() for i in cleaned.busy]
        output.print_json(data)
        return EXIT_OK
    if not items:
        print("No partial downloads" + (" match." if args.older_than is not None or args.orphaned else "."))
        return EXIT_OK
    rows = [
        (
            i.repo_id or "?",
            "(whole model folder; delete interrupted)"
            if i.kind == KIND_DELETED_MODEL
            else i.path or i.partial.part_path.name,
            format_bytes(i.size),
            _age(i.age_seconds),
            i.where,
            i.owner or "orphaned",
        )
        for i in items
    ]
    print(output.format_table(("MODEL", "FILE", "SIZE", "AGE", "WHERE", "OWNER"), rows, right_align=(2, 3)))
    if cleaned is not None:
        removed = output.counted(len(cleaned.removed), "partial download")
        print(f"Removed {removed}; freed {format_bytes(cleaned.freed)}.")
        if cleaned.busy:
            kept = output.counted(len(cleaned.busy), "partial download")
            output.warning(
                f"kept {kept} of {', '.join(cleaned.busy_models)}:"
                " being downloaded by another hfgui window or process; clean again once it stopped"
            )
    else:
        total = format_bytes(sum(i.size for i in items))
        found = output.counted(len(items), "partial download")
        print(f"{found}, {total}. Remove them with: hfgui partials --clean")
    return EXIT_OK


def _age(seconds: float) -> str:
    if seconds >= DAY:
        return f"{seconds / DAY:.0f}d"
    if seconds >= 3600:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 60:.0f}m"
