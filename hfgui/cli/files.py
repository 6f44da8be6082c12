"""``hfgui files``: every file of a repository (or one folder of it) with size, storage kind and hash."""

from __future__ import annotations

import argparse

from hfgui.cli import context, output
from hfgui.core.errors import format_bytes
from hfgui.core.library.catalog import parse_model_reference
from hfgui.core.types import TreeEntry

HELP = "list a repository's files recursively with sizes and hashes"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    parser = subparsers.add_parser(
        "files",
        help=HELP,
        description=HELP + " (sha256 for LFS files, git blob sha1 for regular ones), across all pages.",
    )
    parser.add_argument("repo", metavar="REPO", help="owner/name, a Hub URL or hf:// address")
    parser.add_argument(
        "path", nargs="?", default=None, metavar="PATH", help="only this folder (default: all)"
    )
    parser.add_argument(
        "--revision", default=None, metavar="REV", help="branch, tag or commit (default: main)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    add_global_options(parser, in_subcommand=True)
    return parser


def _file_dict(entry: TreeEntry) -> dict[str, object]:
    return {
        "path": entry.path,
        "size": entry.size,
        "lfs": entry.is_lfs,
        "hash": entry.etag,
        "hash_type": "sha256" if entry.is_lfs else "git-sha1",
    }


def run(args: argparse.Namespace) -> int:
    ref = parse_model_reference(args.repo, context.endpoint(args))  # a malformed id: usage error (2)
    revision = args.revision or ref.revision
    path = (args.path if args.path is not None else ref.path or "").strip("/")
    client = context.client(args)
    files = [
        e for e in client.iter_tree(ref.repo_id, revision=revision, path=path, recursive=True) if e.is_file
    ]
    files.sort(key=lambda e: e.path)
    total = sum(e.size for e in files)

    if args.json:
        output.print_json(
            {
                "repo": ref.repo_id,
                "revision": revision,
                "path": path or None,
                "files": [_file_dict(e) for e in files],
                "file_count": len(files),
                "total_bytes": total,
            }
        )
        return 0
    rows = [
        (e.path, format_bytes(e.size), f"{e.size:,}", "LFS" if e.is_lfs else "regular", e.etag) for e in files
    ]
    print(output.format_table(("Path", "Size", "Bytes", "Storage", "Hash"), rows, right_align=(1, 2)))
    where = f"{ref.repo_id}/{path}" if path else ref.repo_id
    size = f"{format_bytes(total)} ({total:,} bytes)"
    print(f"Total: {output.counted(len(files), 'file')}, {size} in {where} at {revision}")
    return 0
