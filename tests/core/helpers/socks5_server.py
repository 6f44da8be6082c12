"""A SOCKS proxy on loopback for tests: SOCKS5 (RFC 1928, no-auth or RFC 1929 user/password) and SOCKS4/4a,
CONNECT only; relays bytes both ways and records the target of every connection it was asked for."""

from __future__ import annotations

import contextlib
import ipaddress
import selectors
import socket
import socketserver
import struct
import threading
from dataclasses import dataclass

NO_AUTH, USER_PASSWORD, NO_ACCEPTABLE = 0x00, 0x02, 0xFF
CONNECT = 0x01
# SOCKS5 reply codes (RFC 1928 section 6)
SUCCEEDED, NOT_ALLOWED, HOST_UNREACHABLE, REFUSED, COMMAND_UNSUPPORTED = 0x00, 0x02, 0x04, 0x05, 0x07
SOCKS4_GRANTED, SOCKS4_REJECTED = 0x5A, 0x5B


@dataclass(frozen=True)
class SocksConnection:
    """One CONNECT request as the proxy received it."""

    version: int  # 4 or 5
    host: str  # as the client sent it: an IP literal, or a name (socks5h, socks4a)
    port: int
    by_name: bool  # the client sent a host name for the proxy to resolve
    username: str | None  # RFC 1929 user name (SOCKS4: the user id), None when none was given
    authenticated: bool  # the user name/password method was used and accepted
    relayed: bool  # the target was reached and bytes were relayed (False: refused by the proxy)


@dataclass(frozen=True)
class AuthAttempt:
    username: str
    accepted: bool


class _Closed(Exception):
    """The client hung up in the middle of the handshake."""


def _read_exact(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise _Closed
        data += chunk
    return data


def _read_until_nul(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\0"):
        data += _read_exact(sock, 1)
    return data[:-1]


class SocksServer:
    """``server.url(scheme)`` is a proxy address; ``server.seen()`` lists the CONNECTs it handled.

    ``credentials=(user, password)``: SOCKS5 clients must sign in with them (RFC 1929); SOCKS4 has no
    passwords and is served without. ``blocked_ports``: CONNECTs to these ports are refused with
    "connection not allowed by ruleset" (SOCKS4: "request rejected").
    """

    def __init__(
        self, credentials: tuple[str, str] | None = None, *, blocked_ports: tuple[int, ...] = ()
    ) -> None:
        self.credentials = credentials
        self.blocked_ports = set(blocked_ports)
        self._connections: list[SocksConnection] = []
        self._auth: list[AuthAttempt] = []
        self._relayed_bytes: dict[int, int] = {}  # target port -> bytes sent back to clients
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with proxy._track(self.request):
                    with contextlib.suppress(_Closed, OSError):
                        proxy._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self._server.daemon_threads = True
        self._server.allow_reuse_address = True
        self._server.server_bind()
        self._server.server_activate()
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # --- what tests look at --------------------------------------------------------------------

    def url(self, scheme: str = "socks5", user: str | None = None, password: str | None = None) -> str:
        userinfo = f"{user}:{password}@" if password is not None else (f"{user}@" if user else "")
        return f"{scheme}://{userinfo}127.0.0.1:{self.port}"

    def seen(self) -> list[SocksConnection]:
        with self._lock:
            return list(self._connections)

    def auth_attempts(self) -> list[AuthAttempt]:
        with self._lock:
            return list(self._auth)

    def bytes_from(self, port: int) -> int:
        """Bytes relayed from targets on ``port`` back to clients."""
        with self._lock:
            return self._relayed_bytes.get(port, 0)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:  # end relays still held open by pooled keep-alive connections
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> SocksServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- protocol ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _track(self, sock: socket.socket):
        with self._lock:
            self._open.add(sock)
        try:
            yield
        finally:
            with self._lock:
                self._open.discard(sock)
            with contextlib.suppress(OSError):
                sock.close()

    def _serve(self, client: socket.socket) -> None:
        version = _read_exact(client, 1)[0]
        if version == 5:
            self._serve_socks5(client)
        elif version == 4:
            self._serve_socks4(client)
        # anything else (an HTTP request, say): hang up without a word

    def _serve_socks5(self, client: socket.socket) -> None:
        methods = set(_read_exact(client, _read_exact(client, 1)[0]))
        username, authenticated = None, False
        wanted = USER_PASSWORD if self.credentials else NO_AUTH
        if wanted not in methods:
            client.sendall(bytes([5, NO_ACCEPTABLE]))
            return
        client.sendall(bytes([5, wanted]))
        if wanted == USER_PASSWORD:
            _read_exact(client, 1)  # sub-negotiation version (1)
            username = _read_exact(client, _read_exact(client, 1)[0]).decode("utf-8", "replace")
            password = _read_exact(client, _read_exact(client, 1)[0]).decode("utf-8", "replace")
            authenticated = (username, password) == self.credentials
            with self._lock:
                self._auth.append(AuthAttempt(username, authenticated))
            client.sendall(bytes([1, 0 if authenticated else 1]))
            if not authenticated:
                return
        _version, command, _reserved, address_type = _read_exact(client, 4)
        if address_type == 1:
            host, by_name = socket.inet_ntoa(_read_exact(client, 4)), False
        elif address_type == 3:
            host, by_name = _read_exact(client, _read_exact(client, 1)[0]).decode("idna"), True
        elif address_type == 4:
            host, by_name = str(ipaddress.IPv6Address(_read_exact(client, 16))), False
        else:
            return
        port = struct.unpack(">H", _read_exact(client, 2))[0]

        def reply(code: int) -> None:
            client.sendall(bytes([5, code, 0, 1]) + socket.inet_aton("127.0.0.1") + struct.pack(">H", 0))

        if command != CONNECT:
            reply(COMMAND_UNSUPPORTED)
            return
        self._connect_and_relay(
            client, 5, host, port, by_name, username, authenticated, on_result=reply, ok=SUCCEEDED
        )

    def _serve_socks4(self, client: socket.socket) -> None:
        command = _read_exact(client, 1)[0]
        port = struct.unpack(">H", _read_exact(client, 2))[0]
        address = _read_exact(client, 4)
        user_id = _read_until_nul(client).decode("utf-8", "replace") or None
        by_name = address[:3] == b"\0\0\0" and address[3] != 0  # SOCKS4a: a name follows
        host = _read_until_nul(client).decode("idna") if by_name else socket.inet_ntoa(address)

        def reply(code: int) -> None:
            client.sendall(bytes([0, code]) + struct.pack(">H", 0) + socket.inet_aton("0.0.0.0"))

        if command != CONNECT:
            reply(SOCKS4_REJECTED)
            return
        self._connect_and_relay(
            client, 4, host, port, by_name, user_id, False, on_result=reply, ok=SOCKS4_GRANTED
        )

    def _connect_and_relay(
        self, client, version, host, port, by_name, username, authenticated, *, on_result, ok
    ):
        failure = SOCKS4_REJECTED if version == 4 else None
        target = None
        if port in self.blocked_ports:
            failure = failure or NOT_ALLOWED
        else:
            try:
                target = socket.create_connection((host, port), timeout=10)
            except ConnectionRefusedError:
                failure = failure or REFUSED
            except OSError:
                failure = failure or HOST_UNREACHABLE
        record = SocksConnection(version, host, port, by_name, username, authenticated, target is not None)
        with self._lock:
            self._connections.append(record)
        if target is None:
            on_result(failure)
            return
        with self._track(target):
            target.settimeout(None)
            on_result(ok)
            self._relay(client, target, port)

    def _relay(self, client: socket.socket, target: socket.socket, port: int) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, target)
            selector.register(target, selectors.EVENT_READ, client)
            while True:
                for key, _events in selector.select():
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
                    if key.fileobj is target:
                        with self._lock:
                            self._relayed_bytes[port] = self._relayed_bytes.get(port, 0) + len(data)
