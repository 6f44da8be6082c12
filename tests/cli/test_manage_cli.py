"""`hfgui list`, `check` and `delete` on a library filled through the emulator."""

from __future__ import annotations

import json

import pytest

from hfgui.cli.main import main
from hfgui.core.library.installed import Library
from hfgui.core.store import partials
from tests.hubemu import generated_content

FILES = {
    "config.json": b'{"a": 1}\n',
    "weights/model.safetensors": generated_content(250_000, seed=2),
}


@pytest.fixture
def installed(hub_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    hub_env.add_repo("acme/small", files=FILES)
    assert main(["download", "acme/small"]) == 0
    capsys.readouterr()
    return tmp_path / "hfgui-home" / "data" / "models" / "acme" / "small"


def test_list_shows_installed_models(installed, hub_env, capsys):
    assert main(["list", "--json"]) == 0
    (model,) = json.loads(capsys.readouterr().out)
    assert model["repo"] == "acme/small"
    assert model["commit"] == hub_env.repo("acme/small").sha
    assert model["size"] == 250_000 + len(FILES["config.json"])
    assert model["files"] == 2 and model["state"] == "installed"
    assert main(["list"]) == 0
    table = capsys.readouterr().out
    assert "acme/small" in table and "installed" in table


def test_list_reports_missing_files(installed, capsys):
    (installed / "config.json").unlink()
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "missing-files"


def test_check_detects_one_corrupted_byte_and_download_repairs_it(installed, hub_env, capsys):
    assert main(["check", "acme/small"]) == 0
    assert "all 2 files match" in capsys.readouterr().out
    weights = installed / "weights" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[12345] ^= 0x01
    weights.write_bytes(bytes(data))
    assert main(["check", "acme/small", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"] == [
        {
            "path": "weights/model.safetensors",
            "kind": "hash",
            "detail": "content does not match its hash (corrupted)",
        }
    ]
    # Checking only reports: the model stays installed, shown as damaged, and a second check says the same.
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "damaged"
    assert main(["check", "acme/small", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["problems"] == report["problems"]
    # The suggested command repairs just that file.
    hub_env.clear_requests()
    assert main(["download", "acme/small"]) == 0
    fetched = {p for p in FILES if hub_env.requests_for(p)}
    assert fetched == {"weights/model.safetensors"}
    capsys.readouterr()
    assert main(["check", "acme/small"]) == 0
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "installed"


def test_check_dest_verifies_a_model_downloaded_outside_the_library(hub_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    hub_env.add_repo("acme/small", files=FILES)
    dest = tmp_path / "my models" / "small"
    assert main(["download", "acme/small", "--dest", str(dest)]) == 0
    capsys.readouterr()
    assert main(["check", "--dest", str(dest)]) == 0
    assert "acme/small: all 2 files match" in capsys.readouterr().out

    (dest / "config.json").write_bytes(b'{"a": 2}\n')  # same size, other content
    assert main(["check", "--dest", str(dest)]) == 1
    err = capsys.readouterr().err
    assert f"run: hfgui download acme/small --dest '{dest}' to repair them" in err
    hub_env.clear_requests()
    assert main(["download", "acme/small", "--dest", str(dest)]) == 0
    assert {p for p in FILES if hub_env.requests_for(p)} == {"config.json"}
    capsys.readouterr()
    assert main(["check", "acme/small", "--dest", str(dest)]) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check"], "name the model to check"),
        (["check", "--dest", "{empty}"], "holds no complete hfgui download"),
        (["check", "acme/other", "--dest", "{dest}"], "holds acme/small, not acme/other"),
    ],
)
def test_check_dest_mistakes_are_one_line(hub_env, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    hub_env.add_repo("acme/small", files=FILES)
    dest = tmp_path / "small"
    assert main(["download", "acme/small", "--dest", str(dest)]) == 0
    (tmp_path / "empty").mkdir()
    capsys.readouterr()
    argv = [a.format(dest=dest, empty=tmp_path / "empty") for a in argv]
    assert main(argv) in (1, 2)
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_check_of_a_model_not_installed_exits_1(installed, capsys):
    assert main(["check", "acme/other"]) == 1
    assert "acme/other is not installed" in capsys.readouterr().err


def test_delete_refuses_without_yes_when_stdin_is_not_a_terminal(installed, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", open("/dev/null"))
    assert main(["delete", "acme/small"]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert installed.exists()


def test_delete_with_yes_reports_freed_space_and_removes_partials(installed, capsys, tmp_path):
    staging = tmp_path / "hfgui-home" / "data" / "models" / ".hfgui-staging"
    staging.mkdir(exist_ok=True)
    # A partial of a newer version, as an interrupted update leaves it; and one of another model.
    for repo_id in ("acme/small", "acme/other"):
        key = partials.partial_key(repo_id, "extra.bin", "e" * 64)
        partials.part_path(staging, key).write_bytes(b"x" * 1000)
        sidecar = partials.Sidecar("http://hub/x", repo_id, "c" * 40, "extra.bin", "e" * 64, 5000)
        partials.write_sidecar(partials.sidecar_path(staging, key), sidecar)
    assert main(["delete", "acme/small", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Deleted acme/small; freed ")
    assert not installed.exists()
    left = list(partials.list_partials(staging))
    assert [p.repo_id for p in left] == ["acme/other"]
    assert main(["list", "--json"]) == 0
    assert [m["repo"] for m in json.loads(capsys.readouterr().out)] == [
        "acme/other"
    ]  # incomplete, partial only


def test_library_delete_returns_freed_bytes(installed, tmp_path):
    library = Library(tmp_path / "hfgui-home" / "data" / "models")
    on_disk = sum(p.stat().st_size for p in installed.rglob("*") if p.is_file())
    assert on_disk > 250_000
    assert library.delete("acme/small") == on_disk
    assert not (installed.parent).exists()  # the empty owner folder goes too
