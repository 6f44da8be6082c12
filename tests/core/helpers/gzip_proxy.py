"""A misconfigured reverse proxy on loopback: forwards to the Hub but rewrites Accept-Encoding to gzip."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "transfer-encoding", "keep-alive", "content-length"}


class GzipForcingProxy:
    """`proxy.url` serves everything `upstream` serves, as if every client had asked for gzip."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "accept-encoding")
                }
                headers["Accept-Encoding"] = "gzip"
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    conn.request("GET", self.path, headers=headers)
                    answer = conn.getresponse()
                    body = answer.read()  # http.client undoes chunking but leaves gzip alone
                finally:
                    conn.close()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
