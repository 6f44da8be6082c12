"""Closing the window ends the process at once, whatever the network is doing: background requests
sleeping between retries against a Hub that refuses connections, or stuck waiting for one that accepts
them and never answers. (Qt waits for pool threads at exit; the app must not leave one that waits.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXIT_BOUND_S = 3.0  # the bound (2 s to close, with room for a loaded CI machine)


@pytest.fixture
def refusing_hub():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield f"http://127.0.0.1:{port}"  # nothing listens there once the socket is closed


@pytest.fixture
def silent_hub():
    """Accepts connections (the kernel completes them) and never answers a byte."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("hub_kind", ["refusing_hub", "silent_hub"])
def test_closing_the_window_ends_the_process_at_once(hub_kind, request, tmp_path):
    endpoint = request.getfixturevalue(hub_kind)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE"))}
    env |= {
        "HF_ENDPOINT": endpoint,
        "HFGUI_HOME": str(tmp_path / "home"),
        "HF_HOME": str(tmp_path / "hf-home"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    # The window probes sizes, the offline watch asks again, and the address on the command line opens
    # Add model, whose check keeps retrying with backoff: all of it in flight when the window closes.
    command = [sys.executable, "-m", "tests.gui.drivers.close_soon", "3", f"{endpoint}/acme/some-model"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline().decode()
        ended = proc.wait(timeout=120)
        exited_at = time.monotonic()
    finally:
        proc.kill()
        proc.wait()
    stderr = proc.stderr.read().decode()
    assert line.startswith("closing at "), (line, stderr)
    closed_at = float(line.split()[-1])
    assert ended == 0, stderr
    assert exited_at - closed_at < EXIT_BOUND_S, f"took {exited_at - closed_at:.1f} s to exit\n{stderr}"
