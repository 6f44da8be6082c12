"""CLI guarantees across commands: -v never logs signed CDN URLs; disk errors are one line, exit 1."""

from __future__ import annotations

import io
import json
import sys

import pytest

from hfgui.cli.main import main
from tests.hubemu import generated_content


@pytest.fixture
def cli_env(hub_env, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return hub_env


def test_verbose_log_has_no_cdn_signature(cli_env, tmp_path, capsys):
    cli_env.add_repo("o/m", files={"w.safetensors": generated_content(20_000, seed=1)})
    assert main(["download", "o/m", "-v", "--dest", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert cli_env.requests_for("w.safetensors", host="cdn")  # the bytes did come from a signed URL
    assert "w.safetensors" in err  # requests are logged...
    assert "Signature=" not in err and "Expires=" not in err  # ...without what makes the URL usable


def test_a_library_folder_that_cannot_be_made_is_one_line_and_exit_1(cli_env, tmp_path, capsys):
    cli_env.add_repo("o/m", files={"a.txt": b"a\n"})
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the library should be")
    config = tmp_path / "hfgui-home" / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"library_dir": str(blocker / "models")}))

    assert main(["download", "o/m"]) == 1

    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert str(blocker) in err


class _ClosedTerminal(io.StringIO):
    """A terminal whose input ends at once (Ctrl-D at the prompt)."""

    def isatty(self) -> bool:
        return True


def test_end_of_input_at_the_delete_prompt_deletes_nothing(cli_env, tmp_path, monkeypatch, capsys):
    cli_env.add_repo("o/m", files={"a.txt": b"a\n"})
    assert main(["download", "o/m"]) == 0
    root = tmp_path / "hfgui-home" / "data" / "models" / "o" / "m"
    monkeypatch.setattr(sys, "stdin", _ClosedTerminal(""))

    assert main(["delete", "o/m"]) == 0

    assert "Nothing deleted." in capsys.readouterr().out
    assert (root / "a.txt").read_bytes() == b"a\n"
