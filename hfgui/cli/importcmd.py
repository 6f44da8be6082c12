"""``hfgui import``: add a model file or folder that is already on disk to the library."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from hfgui.cli import context, output
from hfgui.core.errors import DownloadCancelledError, format_bytes

HELP = "add a local model file or folder to the library (copied and verified, or referenced in place)"
EXIT_OK = 0
EXIT_INTERRUPTED = 130


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from hfgui.cli.main import add_global_options
    from hfgui.core.library.importer import FORMATS

    parser = subparsers.add_parser(
        "import",
        help=HELP,
        description=HELP + ". --copy (the default) copies it into the library, hashing every file and"
        " checking the copy; --reference only records where it is: deleting a referenced model later"
        " removes that record, never your files. The format (gguf, mlpackage, onnx, mlx, safetensors)"
        " is detected unless --format says it.",
    )
    parser.add_argument(
        "path", metavar="PATH", help="a model file (.gguf, .onnx…) or folder (.mlpackage, MLX…)"
    )
    naming = parser.add_mutually_exclusive_group()
    naming.add_argument("--repo-id", metavar="OWNER/NAME", help="the Hub model this is a copy of")
    naming.add_argument(
        "--name", metavar="NAME", help="list it as local/NAME (default: the file or folder name)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--copy", dest="mode", action="store_const", const="copy", help="copy into the library")
    mode.add_argument(
        "--reference",
        dest="mode",
        action="store_const",
        const="reference",
        help="leave the files where they are and only record them",
    )
    parser.add_argument("--format", choices=FORMATS, help="the model format, when detection gets it wrong")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(mode="copy")
    add_global_options(parser, in_subcommand=True)
    return parser


def run(args: argparse.Namespace) -> int:
    from hfgui.core.library.importer import import_model

    library_root = context.settings(args).library_root(context.app_paths())
    cancel = threading.Event()

    def stop(signum, frame):
        cancel.set()

    try:
        previous = signal.signal(signal.SIGINT, stop)
    except ValueError:  # not the main thread
        previous = None
    try:
        result = import_model(
            Path(args.path),
            library_root,
            repo_id=args.repo_id,
            name=args.name,
            mode=args.mode,
            model_format=args.format,
            cancel=cancel,
        )
    except DownloadCancelledError:
        output.error("interrupted; nothing was imported")
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if args.json:
        output.print_json(
            {
                "repo": result.repo_id,
                "mode": result.mode,
                "path": str(result.path),
                "format": result.model_format,
                "files": len(result.files),
                "size": result.size,
                "sha256": {f.path: f.etag for f in result.files} if result.mode == "copy" else None,
            }
        )
    elif result.mode == "copy":
        print(
            f"Imported {result.repo_id} ({result.model_format}): {output.counted(len(result.files), 'file')},"
            f" {format_bytes(result.size)} copied and verified into {result.path}"
        )
    else:
        print(
            f"Added {result.repo_id} ({result.model_format}) by reference to {result.path};"
            " hfgui will never modify or delete these files."
        )
    return EXIT_OK
