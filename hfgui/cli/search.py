"""``hfgui search``: find models on the Hub, optionally with each result's download choices."""

from __future__ import annotations

import argparse
from typing import Any

from hfgui.cli import context, output
from hfgui.core.errors import HfGuiError, format_bytes
from hfgui.core.library.grouping import DownloadItem, group_files
from hfgui.core.types import ModelSummary
from hfgui.core.wire.hub import SEARCH_FORMAT_TAGS, SEARCH_SORTS

HELP = "search the Hub for models (by text, author and format)"
DEFAULT_LIMIT = 20
MAX_LIMIT = 10_000
PAGE_SIZE = 100  # results per request; the Hub pages with Link: rel="next"
EXIT_USAGE = 2


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    parser = subparsers.add_parser(
        "search",
        help=HELP,
        description=HELP + ". Results are sorted most first; private models show only with a token.",
    )
    parser.add_argument("query", nargs="?", default="", metavar="QUERY", help="text in the model id")
    parser.add_argument("--author", metavar="NAME", help="only models of this user or organisation")
    parser.add_argument(
        "--filter",
        dest="filters",
        action="append",
        choices=sorted(SEARCH_FORMAT_TAGS),
        default=[],
        help="only models in this format (repeat to require several)",
    )
    parser.add_argument(
        "--sort", choices=SEARCH_SORTS, default="downloads", help="order (default: downloads)"
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N models (default: {DEFAULT_LIMIT}; more pages are fetched as needed)",
    )
    parser.add_argument(
        "--files",
        action="store_true",
        help="also list each model's download choices with sizes; costs one file-listing request per "
        "result (mind the Hub's rate limits with a large --limit)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON array instead of the table")
    add_global_options(parser, in_subcommand=True)
    return parser


def run(args: argparse.Namespace) -> int:
    query = (args.query or "").strip()
    author = (args.author or "").strip() or None
    problem = _usage_problem(query, author, args)
    if problem:
        output.error(problem)
        return EXIT_USAGE
    client = context.client(args)
    filters = [SEARCH_FORMAT_TAGS[f] for f in dict.fromkeys(args.filters)]
    results = list(
        client.search_models(
            query or None,
            author=author,
            filters=filters,
            sort=args.sort,
            limit=args.limit,
            page_size=PAGE_SIZE,
            full=True,  # for lastModified
        )
    )
    groups: dict[str, list[DownloadItem] | HfGuiError] = {}
    if args.files:
        for model in results:
            groups[model.repo_id] = _items(client, model)

    if args.json:
        output.print_json([_model_dict(m, groups.get(m.repo_id), args.files) for m in results])
        return 0
    if not results:
        print("No models found.")
        return 0
    rows = [
        (m.repo_id, f"{m.downloads:,}", f"{m.likes:,}", m.library_name or "-", _day(m.last_modified))
        for m in results
    ]
    print(
        output.format_table(("Model", "Downloads", "Likes", "Framework", "Updated"), rows, right_align=(1, 2))
    )
    for model in results if args.files else ():
        print()
        print(model.repo_id)
        _print_items(groups[model.repo_id])
    return 0


def _usage_problem(query: str, author: str | None, args: argparse.Namespace) -> str | None:
    if not 1 <= args.limit <= MAX_LIMIT:
        return f"--limit must be between 1 and {MAX_LIMIT}, not {args.limit}"
    if not (query or author or args.filters):
        return "give a search text, --author or --filter (e.g. hfgui search llama --filter gguf)"
    if any(ch in query for ch in "\r\n\t") or len(query) > 250:
        return "the search text must be one line of at most 250 characters"
    if author and ("/" in author or " " in author):
        return f"--author takes a user or organisation name, not '{author}'"
    return None


def _items(client: Any, model: ModelSummary) -> list[DownloadItem] | HfGuiError:
    """The model's download choices; an error is kept (and shown) instead of stopping the whole search."""
    try:
        entries = client.list_tree(model.repo_id)
    except HfGuiError as exc:
        return exc
    return group_files(entries, library_name=model.library_name, tags=model.tags)


def _print_items(items: list[DownloadItem] | HfGuiError) -> None:
    if isinstance(items, HfGuiError):
        print(f"  files unavailable: {items}")
        return
    if not items:
        print("  (no files)")
        return
    rows = [
        (
            item.label + (" *" if item.recommended else ""),
            item.kind,
            str(item.file_count),
            format_bytes(item.total_bytes),
        )
        for item in items
    ]
    table = output.format_table(("Choice", "Kind", "Files", "Size"), rows, right_align=(2, 3))
    print("\n".join("  " + line for line in table.splitlines()))
    if any(item.recommended for item in items):
        print("  * recommended quantisation")


def _day(timestamp: str | None) -> str:
    return timestamp[:10] if timestamp else "-"


def _model_dict(
    model: ModelSummary, items: list[DownloadItem] | HfGuiError | None, with_files: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": model.repo_id,
        "downloads": model.downloads,
        "likes": model.likes,
        "library": model.library_name,
        "pipeline_tag": model.pipeline_tag,
        "tags": list(model.tags),
        "private": model.private,
        "gated": model.gated,
        "created_at": model.created_at,
        "last_modified": model.last_modified,
        "trending_score": model.trending_score,
    }
    if with_files:
        if isinstance(items, HfGuiError):
            data["items"] = None
            data["files_error"] = str(items)
        else:
            data["items"] = [_item_dict(i) for i in items or ()]
    return data


def _item_dict(item: DownloadItem) -> dict[str, Any]:
    return {
        "label": item.label,
        "kind": item.kind,
        "include": list(item.include),
        "paths": list(item.paths),
        "file_count": item.file_count,
        "total_bytes": item.total_bytes,
        "quantization": item.quantization,
        "recommended": item.recommended,
    }
