"""``hfgui list``, ``hfgui check`` and ``hfgui delete``: look after the models in the library.

`add_parser` registers all three subcommands (it returns the `list` parser); `run` dispatches on
the subcommand, so the CLI needs a single registration of this module.
"""

from __future__ import annotations

import argparse
import sys

from hfgui.cli import context, output
from hfgui.core.errors import format_bytes
from hfgui.core.library import Library

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

COMMAND_NAMES = ("list", "check", "delete")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    listing = subparsers.add_parser(
        "list",
        help="list the models in the library",
        description="List the models in the library: id, commit, size, file count and state"
        " (installed, incomplete, missing-files).",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array instead of the table")

    check = subparsers.add_parser(
        "check",
        help="re-verify an installed model's files against its manifest",
        description="Re-hash every file of an installed model and compare it with the manifest."
        " Exit status: 0 when every file is intact, 1 when a file is missing, resized or corrupted.",
    )
    check.add_argument("repo", metavar="REPO", help="owner/name of an installed model")
    check.add_argument("--json", action="store_true", help="print the result as JSON")

    delete = subparsers.add_parser(
        "delete",
        help="delete a model and its partial downloads from the library",
        description="Delete a model's folder and its partial downloads, reporting the space freed.",
    )
    delete.add_argument("repo", metavar="REPO", help="owner/name of a model in the library")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    for name, parser in (("list", listing), ("check", check), ("delete", delete)):
        add_global_options(parser, in_subcommand=True)
        parser.set_defaults(_run=run, command=name, manage_command=name)
    return listing


def library(args: argparse.Namespace) -> Library:
    return Library(context.settings(args).library_root(context.app_paths()))


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "manage_command", None) or args.command
    return {"list": run_list, "check": run_check, "delete": run_delete}[command](args)


def run_list(args: argparse.Namespace) -> int:
    lib = library(args)
    models = lib.installed()
    if args.json:
        output.print_json(
            [
                {
                    "repo": m.repo_id,
                    "commit": m.commit,
                    "revision": m.revision,
                    "path": str(m.root),
                    "size": m.size,
                    "files": m.file_count,
                    "state": m.state.value,
                }
                for m in models
            ]
        )
        return EXIT_OK
    if not models:
        print(f"No models in {lib.root}. Download one with: hfgui download OWNER/NAME")
        return EXIT_OK
    rows = [
        (m.repo_id, (m.commit or "")[:12], format_bytes(m.size), m.file_count, m.state.value) for m in models
    ]
    print(output.format_table(("MODEL", "COMMIT", "SIZE", "FILES", "STATE"), rows, right_align=(2, 3)))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from hfgui.core.repo_id import validate_repo_id

    repo_id = validate_repo_id(args.repo)
    lib = library(args)
    manifest = lib.manifest(repo_id)
    problems = lib.check(repo_id)
    if args.json:
        output.print_json(
            {
                "repo": repo_id,
                "ok": not problems,
                "files": len(manifest.files) if manifest else 0,
                "problems": [{"path": p.path, "kind": p.kind, "detail": p.detail} for p in problems],
            }
        )
    elif problems:
        for problem in problems:
            print(f"{output.mark(False)} {problem}")
        output.error(
            f"{len(problems)} file(s) of {repo_id} are missing or damaged;"
            f" run: hfgui download {repo_id} to repair them"
        )
    else:
        count = len(manifest.files) if manifest else 0
        print(f"{output.mark(True)} {repo_id}: all {count} files match the manifest")
    return EXIT_FAILURE if problems else EXIT_OK


def run_delete(args: argparse.Namespace) -> int:
    from hfgui.core.errors import ModelNotInstalledError
    from hfgui.core.repo_id import validate_repo_id

    repo_id = validate_repo_id(args.repo)
    lib = library(args)
    if not args.yes:
        if not sys.stdin.isatty():
            output.error(f"refusing to delete {repo_id} without confirmation; add --yes to delete it")
            return EXIT_USAGE
        known = {m.repo_id: m for m in lib.installed()}
        if repo_id not in known:
            raise ModelNotInstalledError(repo_id)
        model = known[repo_id]
        answer = input(f"Delete {repo_id} ({format_bytes(model.size)}) from {model.root}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return EXIT_OK
    freed = lib.delete(repo_id)
    print(f"Deleted {repo_id}; freed {format_bytes(freed)}.")
    return EXIT_OK
