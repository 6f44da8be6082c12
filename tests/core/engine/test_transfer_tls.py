"""download_file over HTTPS: a TLS read returns one 16 KiB record, and chunks must still be large."""

from __future__ import annotations

import hashlib
import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hfgui.core.engine.transfer import FileTask, download_file
from hfgui.core.wire.hub import HubClient
from hfgui.core.wire.network import NetworkConfig
from tests.core.helpers.transfer_support import ProgressLog

TLS_DIR = Path(__file__).parents[1] / "helpers" / "tls"
CERT = TLS_DIR / "loopback-cert.pem"  # self-signed for 127.0.0.1 and localhost
KEY = TLS_DIR / "loopback-key.pem"
BODY = os.urandom(256 * 1024) * 32  # 8 MiB
RECORD = 16 * 1024  # the most one TLS record carries


@pytest.fixture
def https_file():
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            for at in range(0, len(BODY), 1 << 20):
                self.wfile.write(BODY[at : at + (1 << 20)])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_https_download_is_verified_and_read_in_chunks_larger_than_a_record(https_file, tmp_path):
    task = FileTask(
        repo_id="acme/tls",
        commit="a" * 40,
        path="model.bin",
        size=len(BODY),
        etag=hashlib.sha256(BODY).hexdigest(),
        url=f"{https_file}/acme/tls/resolve/{'a' * 40}/model.bin",
        dest=tmp_path / "dest" / "model.bin",
    )
    progress = ProgressLog()
    with HubClient(https_file, token=False, network=NetworkConfig(ca_bundle=str(CERT))) as client:
        download_file(client, task, tmp_path / "staging", cancel=threading.Event(), on_bytes=progress)

    assert task.dest.read_bytes() == BODY
    assert progress.total == len(BODY)
    # One chunk per record would be 512 writes, hash calls and progress reports for these 8 MiB.
    assert len(progress.calls) < len(BODY) // RECORD // 4
