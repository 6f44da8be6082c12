"""The ``hfgui`` entry point: window by default, subcommand registry, global options and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from hfgui import __version__
from hfgui.cli import main as cli_main
from hfgui.cli.main import COMMANDS, main
from hfgui.core.errors import NetworkError, RateLimitedError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hf_verbose_secret_token_0123456789"


@pytest.fixture
def hub(hub_env):
    hub_env.add_repo("acme/public-model", {"config.json": b"{}"})
    hub_env.add_user("alice", SECRET)
    return hub_env


def test_no_arguments_opens_the_window(monkeypatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    calls = []
    fake = types.ModuleType("hfgui.gui.app")
    fake.main = lambda: calls.append("window") or 0
    monkeypatch.setitem(sys.modules, "hfgui.gui.app", fake)
    assert main([]) == 0
    assert calls == ["window"]


def test_without_a_display_the_window_says_so_instead_of_aborting(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HFGUI_HOME"] = str(tmp_path)
    for argv in ([], ["https://huggingface.co/acme/model"]):
        result = subprocess.run(
            [sys.executable, "-m", "hfgui", *argv], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 1, result  # Qt itself would abort the process (-6)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "no display" in lines[0] and "hfgui --help" in lines[0], lines


def test_missing_display_only_on_linux_without_one() -> None:
    assert cli_main.missing_display({}, "linux")
    assert cli_main.missing_display({"DISPLAY": ":0"}, "linux") is None
    assert cli_main.missing_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert cli_main.missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert cli_main.missing_display({}, "darwin") is None and cli_main.missing_display({}, "win32") is None


def modules_loaded_by(argv: list[str], prefixes: tuple[str, ...]) -> str:
    """Run `hfgui ARGV` in a fresh interpreter; "<exit code> [modules starting with a prefix]"."""
    code = (
        "import sys\n"
        "from hfgui.cli.main import main\n"
        f"rc = main({argv!r})\n"
        f"print(rc, sorted(m for m in sys.modules if m.startswith({prefixes!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_subcommands_do_not_import_qt() -> None:
    assert modules_loaded_by(["verify", "--help"], ("PySide6", "shiboken6")) == "0 []"


def test_registry_is_a_list_of_name_and_module() -> None:
    names = [name for name, _ in COMMANDS]
    assert {"verify", "files"} <= set(names)
    for name, module_name in COMMANDS:
        module = __import__(module_name, fromlist=["run"])
        assert callable(module.add_parser) and callable(module.run), name


def test_a_subcommand_loads_only_its_own_module() -> None:
    last = modules_loaded_by(["check", "--help"], ("hfgui.cli.",))
    assert last.startswith("0 ") and "'hfgui.cli.manage'" in last
    for _, module_name in COMMANDS:
        if module_name != "hfgui.cli.manage":
            assert f"'{module_name}'" not in last


def test_help_without_a_command_lists_every_command(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in [name for name, _ in COMMANDS] + ["check", "delete"]:
        assert name in out


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"hfgui {__version__}"


@pytest.mark.parametrize("argv", [["frobnicate"], ["--verbose"], ["files"], ["verify", "--no-such-flag"]])
def test_usage_errors_exit_2(capsys, argv: list[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage:" in err or err.startswith("error:")


def test_hfguierror_is_one_line_on_stderr_exit_1(hub, capsys, monkeypatch) -> None:
    def boom(args):
        raise RateLimitedError(30, authenticated=False)

    monkeypatch.setattr("hfgui.cli.verify.run", boom)
    assert main(["verify"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {RateLimitedError(30, authenticated=False)}\n"


def test_download_without_a_model_names_only_what_is_missing(capsys) -> None:
    assert main(["download"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.endswith("the following arguments are required: REPO")  # the files are optional


def test_ctrl_c_exits_130(hub, capsys, monkeypatch) -> None:
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("hfgui.cli.files.run", interrupted)
    assert main(["files", "acme/public-model"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_endpoint_option_overrides_hf_endpoint(hub, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    assert main(["--endpoint", hub.url, "files", "acme/public-model", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["file_count"] == 1
    assert main(["files", "acme/public-model", "--endpoint", hub.url, "--json"]) == 0  # after the command too
    assert json.loads(capsys.readouterr().out)["file_count"] == 1


def test_verbose_logs_requests_but_never_the_token(hub, capsys) -> None:
    assert main(["-v", "verify", "--token", SECRET, "acme/public-model"]) == 0
    err = capsys.readouterr().err
    assert "DEBUG" in err and "/api/models/acme/public-model" in err
    assert "process list" in err
    assert SECRET not in err


def test_a_mirror_password_in_the_endpoint_is_never_shown(hub, capsys) -> None:
    with_password = hub.url.replace("http://", "http://mirror-user:s3cret-pw@")
    assert main(["-v", "--endpoint", with_password, "files", "acme/public-model"]) == 0
    shown = capsys.readouterr()
    assert "DEBUG" in shown.err and "***@" in shown.err
    assert "s3cret-pw" not in shown.err + shown.out
    error = NetworkError("http://mirror-user:s3cret-pw@127.0.0.1:1", "connection refused")
    assert str(error).startswith("http://***@127.0.0.1:1 could not be reached") and "s3cret" not in str(error)


def test_redaction_filter_blanks_tokens() -> None:
    import logging

    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, "headers %s", ("Bearer abc.def",), None)
    cli_main._RedactTokens([SECRET]).filter(record)
    assert record.getMessage() == "headers Bearer ***"
    record = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, f"token={SECRET} and hf_AbCdEf123456", (), None
    )
    cli_main._RedactTokens([SECRET]).filter(record)
    assert SECRET not in record.getMessage() and "hf_AbCdEf123456" not in record.getMessage()


def test_json_commands_print_a_json_result_when_they_fail(hub, capsys) -> None:
    for argv, code in (
        (["files", "acme/no-such-model", "--json"], 1),
        (["files", "not/a/valid id", "--json"], 2),
        (["check", "acme/public-model", "--json"], 1),  # not installed
    ):
        assert main(argv) == code, argv
        captured = capsys.readouterr()
        result = json.loads(captured.out)
        assert result["ok"] is False and result["exit_code"] == code, argv
        assert result["error"] == captured.err.strip().removeprefix("error: "), argv
