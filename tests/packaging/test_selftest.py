"""`hfgui --self-test` from a source install: the one-line report, a real failure, and the network guard."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hfgui import __version__
from hfgui.core.library.catalog import load_builtin_catalog
from hfgui.selftest import no_network


def _self_test(env_home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env["HFGUI_HOME"] = str(env_home)
    return subprocess.run(
        [sys.executable, "-m", "hfgui.selftest"], capture_output=True, text=True, env=env, check=False
    )


def test_self_test_reports_every_check_on_one_line(tmp_path: Path) -> None:
    result = _self_test(tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    line = result.stdout.strip()
    assert line.startswith(f"hfgui {__version__} self-test ok: window (offscreen), ")
    assert f"catalog {len(load_builtin_catalog())} models" in line
    assert "resources" in line and "data dir writable" in line and "keyring: " in line
    assert (tmp_path / "home" / "config").is_dir()


def test_unwritable_data_folder_fails_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where HFGUI_HOME should be a folder")
    result = _self_test(blocker)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"hfgui {__version__} self-test FAILED: data folders: ")
    assert "set HFGUI_HOME" in result.stderr


def test_network_guard_refuses_remote_hosts_and_allows_loopback() -> None:
    original_getaddrinfo = socket.getaddrinfo
    with socket.create_server(("127.0.0.1", 0)) as server, no_network():
        with socket.create_connection(server.getsockname(), timeout=5):
            pass  # loopback (the test hub, the D-Bus-free parts of keyring) stays allowed
        with pytest.raises(OSError, match="does not use the network"):
            socket.create_connection(("192.0.2.1", 443), timeout=5)  # TEST-NET-1, never routed
        with pytest.raises(OSError, match="does not use the network"):
            socket.getaddrinfo("huggingface.co", 443)
    assert socket.getaddrinfo is original_getaddrinfo  # restored afterwards
