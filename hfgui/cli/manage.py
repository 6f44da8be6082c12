"""``hfgui list``, ``hfgui check`` and ``hfgui delete``: look after the models in the library.

`list` also shows models imported by reference and those in the Hugging Face cache ("hf-cache").

`add_parser` registers all three subcommands (it returns the `list` parser); `run` dispatches on
the subcommand, so the CLI needs a single registration of this module.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from hfgui.cli import context, output
from hfgui.core.errors import format_bytes
from hfgui.core.library.installed import SOURCE_DEST, SOURCE_LIBRARY, SOURCE_REFERENCE, Library

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

COMMAND_NAMES = ("list", "check", "delete")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options

    listing = subparsers.add_parser(
        "list",
        help="list the models in the library and the Hugging Face cache",
        description="List the models in the library, those imported by reference, those downloaded with"
        " --dest (outside the library) and those in the Hugging Face cache: id, commit, size, file count,"
        " state (installed, incomplete, missing-files, referenced) and where they are.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array instead of the table")
    listing.add_argument(
        "--cache", metavar="DIR", help="the Hugging Face cache to include (default: huggingface_hub's)"
    )
    listing.add_argument(
        "--no-cache", action="store_true", help="leave out the models in the Hugging Face cache"
    )
    listing.add_argument(
        "--updates",
        action="store_true",
        help="ask the Hub which installed models have a newer commit (one request per model)",
    )

    check = subparsers.add_parser(
        "check",
        help="re-verify an installed model's files against its manifest",
        description="Re-hash every file of an installed model and compare it with the manifest."
        " Damaged files are noted (`hfgui list` shows the model as damaged) so that downloading the"
        " model again fetches just those files; nothing is deleted."
        " Exit status: 0 when every file is intact, 1 when a file is missing, resized or corrupted.",
    )
    check.add_argument(
        "repo", metavar="REPO", nargs="?", help="owner/name of an installed model (optional with --dest)"
    )
    check.add_argument(
        "--dest",
        metavar="DIR",
        help="check the model downloaded into DIR with `hfgui download … --dest DIR` instead",
    )
    check.add_argument(
        "--cache",
        nargs="?",
        const="",
        metavar="DIR",
        help="check its snapshot in the Hugging Face cache (huggingface_hub's, or DIR) instead",
    )
    check.add_argument("--json", action="store_true", help="print the result as JSON")

    delete = subparsers.add_parser(
        "delete",
        help="delete a model and its partial downloads from the library",
        description="Delete a model's folder and its partial downloads, reporting the space freed.",
    )
    delete.add_argument("repo", metavar="REPO", help="owner/name of a model in the library")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    delete.add_argument(
        "--cache",
        nargs="?",
        const="",
        metavar="DIR",
        help="delete it from the Hugging Face cache (huggingface_hub's, or DIR) instead of the library",
    )

    for name, parser in (("list", listing), ("check", check), ("delete", delete)):
        add_global_options(parser, in_subcommand=True)
        parser.set_defaults(_run=run, command=name, manage_command=name)
    return listing


def library(args: argparse.Namespace) -> Library:
    return Library(context.settings(args).library_root(context.app_paths()))


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "manage_command", None) or args.command
    return {"list": run_list, "check": run_check, "delete": run_delete}[command](args)


def _cache_dir(value: str | None) -> Path | None:
    """--cache DIR as a path; None (or an empty value) means huggingface_hub's own cache."""
    return Path(value).expanduser() if value else None


def run_list(args: argparse.Namespace) -> int:
    lib = library(args)
    models = lib.all_models(_cache_dir(args.cache), include_cache=not args.no_cache, include_dest=True)
    updates = _check_updates(args, lib) if args.updates else {}
    if args.json:
        rows = []
        for m in models:
            row = {
                "repo": m.repo_id,
                "commit": m.commit,
                "revision": m.revision,
                "path": str(m.root),
                "size": m.size,
                "files": m.file_count,
                "state": m.state.value,
                "source": m.source,
                "format": m.model_format,
            }
            if args.updates and m.source == SOURCE_LIBRARY:
                found = updates.get(m.repo_id)
                row["update"] = None if found is None else found.to_json()
            rows.append(row)
        output.print_json(rows)
        return EXIT_OK
    if not models:
        print(f"No models in {lib.root}. Download one with: hfgui download OWNER/NAME")
        return EXIT_OK
    rows = []
    for m in models:
        if m.source == SOURCE_REFERENCE:
            where = f"reference: {m.root}"
        elif m.source == SOURCE_DEST:
            where = f"outside the library: {m.root}"
        else:
            where = m.source
        row = [m.repo_id, (m.commit or "")[:12], format_bytes(m.size), m.file_count, m.state.value, where]
        if args.updates:
            row.append(_update_cell(updates.get(m.repo_id) if m.source == SOURCE_LIBRARY else None))
        rows.append(row)
    headers = ["MODEL", "COMMIT", "SIZE", "FILES", "STATE", "SOURCE"] + (["UPDATE"] if args.updates else [])
    print(output.format_table(headers, rows, right_align=(2, 3)))
    pending = [u for u in updates.values() if u.has_update]
    if pending:
        print(f"{output.counted(len(pending), 'update')} available; run: hfgui update OWNER/NAME")
    return EXIT_OK


def _check_updates(args: argparse.Namespace, lib: Library) -> dict:
    from hfgui.core.library.care import check_updates

    return {u.repo_id: u for u in check_updates(lib, context.client(args))}


def _update_cell(update) -> str:
    if update is None:
        return ""
    if update.error:
        return f"? {update.error}"
    return f"new: {update.latest_commit[:12]}" if update.has_update else "up to date"


def run_check(args: argparse.Namespace) -> int:
    from hfgui.core.wire.repo_id import validate_repo_id

    if args.cache is not None and args.repo is not None:
        return _check_cache(args)
    if args.dest is not None:
        repo_id, manifest, problems = _check_dest(Path(args.dest).expanduser(), args.repo)
    elif args.repo is None:
        output.error("name the model to check (hfgui check REPO), or its folder with --dest DIR")
        return EXIT_USAGE
    else:
        repo_id = validate_repo_id(args.repo)
        lib = library(args)
        manifest = lib.manifest(repo_id)
        problems = lib.check(repo_id)
    count = len(manifest.files) if manifest else 0
    return _report_check(
        args,
        {"repo": repo_id, "files": count},
        problems,
        ok=f"{repo_id}: all {count} files match the manifest",
        damaged=f"damaged or missing: {output.counted(len(problems), 'file')} of {repo_id};"
        f" run: hfgui download {repo_id}{_dest_option(args)} to repair them",
    )


def _check_cache(args: argparse.Namespace) -> int:
    """`hfgui check REPO --cache`: re-hash the model's current snapshot in a Hugging Face cache."""
    from hfgui.core.errors import ModelNotInstalledError
    from hfgui.core.library.installed import check_cached
    from hfgui.core.store import hfcache
    from hfgui.core.wire.repo_id import validate_repo_id

    repo_id = validate_repo_id(args.repo)
    cached = hfcache.cached_model(repo_id, _cache_dir(args.cache))
    if cached is None:
        raise ModelNotInstalledError(repo_id)
    revision = cached.latest
    problems, unchecked = check_cached(revision)
    checked = len(revision.files) - unchecked
    skipped = f" ({unchecked} without a known hash not checked)" if unchecked else ""
    return _report_check(
        args,
        {"repo": repo_id, "commit": revision.commit, "files": len(revision.files), "unchecked": unchecked},
        problems,
        ok=f"{repo_id} @ {revision.commit[:12]}: all {checked} files match their hashes{skipped}",
        damaged=f"damaged: {output.counted(len(problems), 'file')} of {repo_id} in the Hugging Face cache;"
        f" run: hfgui delete {repo_id} --cache, then download it again",
    )


def _report_check(args: argparse.Namespace, summary: dict, problems, *, ok: str, damaged: str) -> int:
    """What `check` prints: JSON, or one line per problem and the repair hint, or the all-good line."""
    if args.json:
        output.print_json(
            {
                **summary,
                "ok": not problems,
                "problems": [{"path": p.path, "kind": p.kind, "detail": p.detail} for p in problems],
            }
        )
    elif problems:
        for problem in problems:
            print(f"{output.mark(False)} {problem}")
        output.error(damaged)
    else:
        print(f"{output.mark(True)} {ok}")
    return EXIT_FAILURE if problems else EXIT_OK


def _dest_option(args: argparse.Namespace) -> str:
    return f" --dest {shlex.quote(args.dest)}" if args.dest is not None else ""


def _check_dest(root: Path, repo: str | None):
    """(repo id, manifest, problems) for a model downloaded with --dest into `root`."""
    from hfgui.core.errors import HfGuiError
    from hfgui.core.library.installed import check_folder
    from hfgui.core.store.manifest import read_manifest
    from hfgui.core.wire.repo_id import validate_repo_id

    manifest = read_manifest(root)
    if manifest is None:
        raise HfGuiError(
            f"{root} holds no complete hfgui download (no manifest in it).",
            "Download into it with: hfgui download REPO --dest DIR",
        )
    if repo is not None and validate_repo_id(repo) != manifest.repo_id:
        raise HfGuiError(
            f"{root} holds {manifest.repo_id}, not {repo}.",
            f"Run: hfgui check --dest {root}",
        )
    return manifest.repo_id, manifest, check_folder(root, manifest)


def run_delete(args: argparse.Namespace) -> int:
    from hfgui.core.errors import ModelNotInstalledError
    from hfgui.core.wire.repo_id import validate_repo_id

    repo_id = validate_repo_id(args.repo)
    if args.cache is not None:
        return _delete_from_cache(args, repo_id)
    lib = library(args)
    reference = lib.reference(repo_id)
    if reference is not None:
        # Only the record goes: say so plainly, since the path is the user's own folder or file.
        declined = _unconfirmed(
            args,
            "remove",
            repo_id,
            f"Remove {repo_id} from the library? It was imported by reference: only hfgui's record"
            f" is removed, the files in {reference.path} are NOT deleted. [y/N] ",
        )
        if declined is not None:
            return declined
        lib.forget_reference(repo_id)
        print(f"Removed {repo_id} from the library; its files in {reference.path} were left untouched.")
        return EXIT_OK
    _refuse_cache_only(lib, repo_id)
    if not args.yes:
        known = {m.repo_id: m for m in lib.installed()}
        if repo_id not in known:
            raise ModelNotInstalledError(repo_id)
        model = known[repo_id]
        question = f"Delete {repo_id} ({format_bytes(model.size)}) from {model.root}? [y/N] "
        declined = _unconfirmed(args, "delete", repo_id, question)
        if declined is not None:
            return declined
    freed = lib.delete(repo_id)
    print(f"Deleted {repo_id}; freed {format_bytes(freed)}.")
    return EXIT_OK


def _unconfirmed(args: argparse.Namespace, verb: str, repo_id: str, question: str) -> int | None:
    """None when --yes or the person agreed; else the exit code (no terminal to ask: usage error)."""
    if args.yes:
        return None
    if not sys.stdin.isatty():
        output.error(f"refusing to {verb} {repo_id} without confirmation; add --yes to {verb} it")
        return EXIT_USAGE
    try:
        answer = input(question)
    except EOFError:  # Ctrl-D, or the terminal went away: that is not a yes
        print()
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return None
    print("Nothing removed." if verb == "remove" else "Nothing deleted.")
    return EXIT_OK


def _refuse_cache_only(lib: Library, repo_id: str) -> None:
    """A model that is only in the Hugging Face cache: point at --cache rather than "not installed"."""
    from hfgui.core.errors import HfGuiError
    from hfgui.core.store import hfcache

    if lib.model_root(repo_id).exists() or any(p.repo_id == repo_id for p in lib.installed()):
        return
    if hfcache.cached_model(repo_id) is not None:
        raise HfGuiError(
            f"{repo_id} is not in the library but in the Hugging Face cache.",
            f"Delete it from there with: hfgui delete {repo_id} --cache",
        )


def _delete_from_cache(args: argparse.Namespace, repo_id: str) -> int:
    from hfgui.core.errors import HfGuiError
    from hfgui.core.store import hfcache

    cache_dir = _cache_dir(args.cache) or hfcache.hub_cache_dir()
    model = hfcache.cached_model(repo_id, cache_dir)
    if model is None:
        raise HfGuiError(
            f"{repo_id} is not in the Hugging Face cache at {cache_dir}.",
            "See what is there with: hfgui list",
        )
    declined = _unconfirmed(
        args,
        "delete",
        repo_id,
        f"Delete {repo_id} ({format_bytes(model.size_on_disk)}, all revisions) from the Hugging Face"
        f" cache {cache_dir}? Other programs using this cache will download it again. [y/N] ",
    )
    if declined is not None:
        return declined
    freed = hfcache.delete_cached_model(repo_id, cache_dir)
    print(f"Deleted {repo_id} from the Hugging Face cache; freed {format_bytes(freed)}.")
    return EXIT_OK
