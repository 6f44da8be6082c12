"""The ``hfgui`` command: no arguments opens the window, subcommands work in a terminal without Qt."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import re
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType

from hfgui import __version__
from hfgui.cli import output
from hfgui.core.errors import HfGuiError, UsageError

# Subcommands, in help order. Each module exposes add_parser(subparsers) and run(args) -> int.
COMMANDS: list[tuple[str, str]] = [
    ("verify", "hfgui.cli.verify"),
    ("files", "hfgui.cli.files"),
    ("search", "hfgui.cli.search"),
    ("download", "hfgui.cli.download"),
    ("list", "hfgui.cli.manage"),  # also registers "check" and "delete"
    ("update", "hfgui.cli.update"),
    ("partials", "hfgui.cli.partials"),
    ("import", "hfgui.cli.importcmd"),
]
_MODULE_OF = {**dict(COMMANDS), "check": "hfgui.cli.manage", "delete": "hfgui.cli.manage"}

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EVENT_STREAMS = ("download", "update")  # commands whose --json output is one event per line
EXIT_INTERRUPTED = 130


def build_parser(args_list: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser, or given the arguments, one with only the subcommands they name.

    Importing every subcommand's module costs tens of milliseconds on each run; `--help`, a typo or no
    command still gets them all.
    """
    named = {_MODULE_OF[a] for a in args_list or () if a in _MODULE_OF}
    parser = argparse.ArgumentParser(
        prog="hfgui",
        description="Download, verify and manage Hugging Face models. Without arguments it opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"hfgui {__version__}")
    parser.add_argument(
        "--self-test", action="store_true", help="check the installation (window, catalog, keyring) and exit"
    )
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS:
        if named and module_name not in named:
            continue
        module = _load(module_name)
        sub = module.add_parser(subparsers)
        sub.set_defaults(_run=module.run, command=name)
    return parser


def _parser_of(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    """The subcommand's own parser (its usage is the one worth showing), else the top-level one."""
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        chosen = getattr(action, "choices", {}).get(command) if command else None
        if isinstance(chosen, argparse.ArgumentParser):
            return chosen
    return parser


def add_global_options(parser: argparse.ArgumentParser, *, in_subcommand: bool = False) -> None:
    """--endpoint, --token, -v; subcommands repeat them so they also work after the command name."""
    default = argparse.SUPPRESS if in_subcommand else None
    parser.add_argument(
        "--endpoint", default=default, metavar="URL", help="Hub endpoint or mirror (overrides HF_ENDPOINT)"
    )
    parser.add_argument(
        "--token",
        default=default,
        metavar="TOKEN",
        help="Hugging Face token; visible to other users in the process list, so prefer HF_TOKEN or Settings",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS if in_subcommand else False,
        help="log every request to stderr (tokens are never shown)",
    )


def _load(module_name: str) -> ModuleType:
    return importlib.import_module(module_name)


class _RedactTokens(logging.Filter):
    """Belt and braces for -v: blank anything that looks like a token in a log line.

    Query strings go too: a signed CDN URL's Signature/Expires make it usable by whoever reads the log
    (urllib3 logs each request line with its query).
    """

    _pattern = re.compile(r"(Bearer\s+)\S+|\bhf_[A-Za-z0-9]{6,}")
    _query = re.compile(r"(?<=[^\s?])\?[^\s\"'?=]+=[^\s\"']*")

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = self._pattern.sub(lambda m: (m.group(1) or "") + "***", text)
        text = self._query.sub("?***", text)
        record.msg, record.args = text, None
        return True


def _configure_logging(verbose: bool, secrets: Sequence[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactTokens(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_hfgui", False)]:
        root.removeHandler(old)
    handler._hfgui = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        return _open_window()
    from hfgui.core.library.launch import is_model_address

    if is_model_address(args_list[0]):  # `hfgui https://huggingface.co/owner/name`: open it in the window
        opened = _open_models(args_list)
        if opened is not None:
            return opened
    if args_list[0] == "--self-test":  # used by installers' smoke tests; opens the window offscreen
        from hfgui.selftest import main as self_test

        return self_test(args_list[1:])
    output.prepare_streams()
    parser = build_parser(args_list)
    try:
        args, extras = parser.parse_known_args(args_list)
        if (
            extras
            and getattr(args, "command", None) == "download"
            and not any(e.startswith("-") for e in extras)
        ):
            # argparse cannot take positionals after options (`download REPO --dest D file.gguf`), as `hf
            # download REPO FILE --local-dir D` users type them: the leftovers are more files.
            args.files = [*args.files, *extras]
        elif extras:
            _parser_of(parser, getattr(args, "command", None)).error(
                "unrecognized arguments: " + " ".join(extras)
            )
    except SystemExit as exc:  # argparse already printed usage or --help/--version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "_run", None) is None:
        parser.print_usage(sys.stderr)
        output.error("choose a command (see hfgui --help), or run hfgui without arguments to open the window")
        return EXIT_USAGE
    _configure_logging(args.verbose, [args.token] if args.token else [])
    if args.token:
        output.warning("--token shows in the process list; prefer HF_TOKEN or saving the token in Settings.")
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        output.error("interrupted")
        return EXIT_INTERRUPTED
    except HfGuiError as exc:
        code = EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILURE
        return _failed(args, str(exc), code)
    except OSError as exc:  # the disk said no (a file where a folder should be, permissions, full)
        return _failed(args, os_error_message(exc), EXIT_FAILURE)


def _failed(args: argparse.Namespace, message: str, code: int) -> int:
    """Report a failure that ended a command: the one line on stderr and, with --json, a JSON result
    on stdout too, so a script reading stdout always gets one (download's stream ends in a summary)."""
    output.error(message)
    if getattr(args, "json", False):
        result = {"ok": False, "error": message, "exit_code": code}
        if args.command in EVENT_STREAMS:  # one JSON object a line, like their other events
            print(json.dumps({"event": "summary", **result}, ensure_ascii=False), flush=True)
        else:
            output.print_json(result)
    return code


def os_error_message(exc: OSError) -> str:
    """One line for a file-system failure: what the system said, where, and what to do."""
    where = f" ({exc.filename})" if exc.filename else ""
    what = exc.strerror or type(exc).__name__  # never str(exc): a network error's text may hold a URL
    hint = (
        "Check that the folder exists and can be written (or choose another in Settings), then run it again."
    )
    return str(HfGuiError(f"{what}{where}.", hint))


def _open_models(args_list: list[str]) -> int | None:
    """Open the window on the models these addresses name; None when they are not all model addresses."""
    from hfgui.core.library.launch import models_to_open
    from hfgui.core.settings import load_settings
    from hfgui.core.store.paths import AppPaths

    output.prepare_streams()
    endpoint = load_settings(AppPaths.from_environment()).effective_endpoint(os.environ)
    try:
        models = models_to_open(args_list, endpoint)
    except HfGuiError as exc:
        output.error(str(exc))
        return EXIT_USAGE
    if not models:
        return None
    return _open_window(args_list)


def _open_window(argv: Sequence[str] | None = None) -> int:
    """The window; `argv` (model addresses) is passed on for it to open those models."""
    missing = missing_display(os.environ, sys.platform)
    if missing:
        output.error(f"the window cannot start: {missing}; the command line still works: hfgui --help")
        return EXIT_FAILURE
    try:
        from hfgui.gui.app import main as gui_main
    except ImportError as exc:
        output.error(f"the window cannot start ({exc}); the command line still works: hfgui --help")
        return EXIT_FAILURE
    return int((gui_main(list(argv)) if argv else gui_main()) or 0)


def missing_display(env: Mapping[str, str], platform: str) -> str | None:
    """Why a window cannot open here, or None. Qt aborts the process without a display (SIGABRT)."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None  # macOS and Windows always have one; an explicit Qt platform is the user's choice
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set, e.g. over SSH)"


if __name__ == "__main__":
    raise SystemExit(main())
