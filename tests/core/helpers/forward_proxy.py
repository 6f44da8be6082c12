"""A forward HTTP proxy on loopback for tests: relays absolute-form GET/HEAD requests and records them."""

from __future__ import annotations

import base64
import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# Headers that concern one hop only; a proxy must not pass them on.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-authenticate",
    "proxy-connection",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


@dataclass(frozen=True)
class ProxiedRequest:
    method: str
    url: str  # the absolute-form target, e.g. http://127.0.0.1:5000/api/models/a/b
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    status: int = 0

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int | None:
        return urlsplit(self.url).port


class ForwardProxy:
    """``proxy.url`` relays requests to their origin; ``proxy.requests`` lists what passed through.

    With ``credentials=(user, password)`` it answers 407 unless Proxy-Authorization carries them.
    CONNECT (tunnels for https) is recorded and refused: the emulator speaks plain http.
    """

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.requests: list[ProxiedRequest] = []
        self._lock = threading.Lock()
        expected = None
        if credentials:
            expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _record(self, status: int) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with proxy._lock:
                    proxy.requests.append(ProxiedRequest(self.command, self.path, headers, status))

            def _refuse(self, status: int, extra: dict[str, str] | None = None) -> None:
                self._record(status)
                self.send_response(status)
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_CONNECT(self) -> None:
                self._refuse(501)

            def do_GET(self) -> None:
                self._relay()

            def do_HEAD(self) -> None:
                self._relay()

            def _relay(self) -> None:
                if expected and self.headers.get("Proxy-Authorization") != expected:
                    self._refuse(407, {"Proxy-Authenticate": 'Basic realm="test"'})
                    return
                target = urlsplit(self.path)
                if target.scheme != "http" or not target.hostname:
                    self._refuse(400)  # origin-form: the client talked to us as if we were the server
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                path = target.path + (f"?{target.query}" if target.query else "")
                conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
                try:
                    conn.request(self.command, path or "/", headers=headers)
                    answer = conn.getresponse()
                    body = answer.read()  # test files are small; http.client undoes chunking
                finally:
                    conn.close()
                self._record(answer.status)
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                length = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length if length is not None else str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def seen(self) -> list[ProxiedRequest]:
        with self._lock:
            return list(self.requests)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ForwardProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
