"""The emulator itself: a Hub server and a CDN server on loopback, with repos, users, faults and limits."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import os
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from urllib.parse import quote, urlencode

from .bodies import content_disposition
from .content import Content
from .faults import FaultPlan
from .handler import EmulatorHandler
from .network import NetworkProfile, SharedPacer
from .ratelimit import RateLimiter
from .records import RequestLog, RequestRecord, User
from .repos import LfsRule, Repo, RepoFile


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        emulator: HubEmulator,
        role: str,
        family: int,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.address_family = family
        self.emulator = emulator
        self.role = role
        self.tls = tls
        self._stopping = False
        self._wake_r, self._wake_w = socket.socketpair()
        super().__init__(address, EmulatorHandler)

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's getfqdn(): a reverse DNS lookup can take seconds.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = "localhost", self.server_address[1]

    def handle_error(self, request, client_address) -> None:  # connection resets are normal in fault tests
        pass

    def finish_request(self, request, client_address) -> None:
        """Over TLS, the handshake happens here, on the connection's own thread (never in the accept loop);
        a client that refuses the certificate simply ends the connection."""
        if self.tls is None:
            return super().finish_request(request, client_address)
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        try:
            return super().finish_request(wrapped, client_address)
        finally:
            with contextlib.suppress(OSError):
                wrapped.close()

    def serve_until_stopped(self) -> None:
        """Like serve_forever, but `stop()` wakes it at once instead of after a poll interval."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping:
                ready = selector.select()
                if self._stopping:
                    break
                if any(key.fileobj is self.socket for key, _ in ready):
                    self._handle_request_noblock()
        self._wake_r.close()
        self._wake_w.close()

    def stop(self) -> None:
        self._stopping = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass


@dataclass(frozen=True)
class IssuedUrl:
    """A signed CDN URL handed out in a 302."""

    serial: int
    path: str  # URL path on the CDN
    expires: int
    repo_id: str
    file_path: str
    content: Content

    @property
    def cdn_etag(self) -> str:
        # The CDN's own ETag: 64 hex like a sha256, but deliberately not the content's sha256.
        return hashlib.sha256(b"cdn-object:" + self.content.sha256.encode()).hexdigest()


class HubEmulator:
    """A local Hugging Face Hub (see the package docstring for the full API)."""

    def __init__(
        self,
        *,
        port: int = 0,
        cdn_port: int = 0,
        host: str = "127.0.0.1",
        cdn_host: str = "localhost",
        rtt: float = 0.0,
        connection_rate: int = 0,
        tls: ssl.SSLContext | None = None,
        cdn_tls: ssl.SSLContext | None = None,
    ):
        """`tls`/`cdn_tls`: serve the Hub/the CDN over HTTPS with these server contexts (see hubemu.tls).

        `rtt`, `connection_rate`: the network profile (network.py); change `hub.network`'s fields at any
        time.
        """
        self.network = NetworkProfile(rtt=rtt, connection_rate=connection_rate)
        self._connection_serials = itertools.count(1)
        self._in_flight = {"hub": 0, "cdn": 0}
        self._repos: dict[str, Repo] = {}
        self._renames: dict[str, str] = {}
        self._users: dict[str, User] = {}
        self._log = RequestLog()
        self._limiter = RateLimiter()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._link_pacer = SharedPacer(self._closing)  # the CDN's connections share network.link_rate
        self._connections: set[socket.socket] = set()
        self._secret = os.urandom(16)
        self._issued: dict[int, IssuedUrl] = {}
        self._expired_through = 0  # serials <= this are expired
        self.faults = FaultPlan(expire_cdn_urls=self._expire_cdn_urls)
        self.cdn_url_ttl = 3600
        self.xet_headers = (
            True  # X-Xet-Hash / Link xet headers on 302s and xetHash in trees (clients ignore them)
        )
        self.send_retry_after = False  # add Retry-After to rate-limit 429s (the real Hub sends none)
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._listening: list[tuple] = []  # what _start was given (with the port it got): to come back
        self.offline = False
        hub_server = self._start(host, port, "hub", socket.AF_INET, tls)
        self.url = f"{'https' if tls else 'http'}://{host}:{hub_server.server_address[1]}"
        cdn_server = self._start("127.0.0.1", cdn_port, "cdn", socket.AF_INET, cdn_tls)
        cdn_port = cdn_server.server_address[1]
        self._also_listen_on_ipv6_localhost(cdn_host, cdn_port, cdn_tls)
        self.cdn_url = f"{'https' if cdn_tls else 'http'}://{cdn_host}:{cdn_port}"
        self.port = hub_server.server_address[1]
        self.cdn_port = cdn_port

    # -- lifecycle ------------------------------------------------------------------------------
    def _start(
        self, host: str, port: int, role: str, family: int, tls: ssl.SSLContext | None = None
    ) -> _Server:
        server = _Server((host, port), self, role, family, tls)
        thread = threading.Thread(target=server.serve_until_stopped, name=f"hubemu-{role}", daemon=True)
        thread.start()
        self._servers.append(server)
        self._threads.append(thread)
        self._listening.append((host, server.server_address[1], role, family, tls))
        return server

    def _also_listen_on_ipv6_localhost(self, cdn_host: str, port: int, tls: ssl.SSLContext | None) -> None:
        """Where "localhost" also resolves to ::1, listen there too so clients never hit a refused port."""
        try:
            families = {info[0] for info in socket.getaddrinfo(cdn_host, port, type=socket.SOCK_STREAM)}
        except OSError:
            return
        if socket.AF_INET6 in families:
            try:
                self._start("::1", port, "cdn", socket.AF_INET6, tls)
            except OSError:
                pass

    def _track(self, connection: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _new_connection_serial(self) -> int:
        with self._lock:
            return next(self._connection_serials)

    def _enter_request(self, role: str) -> int:
        """Count a request being answered on `role`'s host; returns how many are (itself included)."""
        with self._lock:
            self._in_flight[role] += 1
            return self._in_flight[role]

    def _leave_request(self, role: str) -> None:
        with self._lock:
            self._in_flight[role] -= 1

    def go_offline(self) -> None:
        """As if the network went away: both hosts refuse connections and open ones are cut, until
        `come_back()` listens again on the same ports. Repos, users and faults are kept."""
        if self.offline or self._closing.is_set():
            return
        self.offline = True
        self._stop_servers()
        self._servers, self._threads = [], []

    def come_back(self) -> None:
        if not self.offline or self._closing.is_set():
            return
        listening, self._listening = self._listening, []
        for host, port, role, family, tls in listening:
            self._start(host, port, role, family, tls)
        self.offline = False

    def close(self) -> None:
        """Stop both servers and cut open connections (stalled bodies and idle keep-alives)."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._stop_servers()

    def _stop_servers(self) -> None:
        for server in self._servers:
            server.stop()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join()
        for server in self._servers:
            server.server_close()

    def __enter__(self) -> HubEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- content ------------------------------------------------------------------------------
    def add_repo(
        self,
        repo_id: str,
        files: Mapping[str, bytes | str | Content] | None = None,
        *,
        private: bool = False,
        gated: bool | str = False,
        disabled: bool = False,
        lfs: LfsRule | Iterable[str] | None = None,
        branch: str = "main",
        **metadata,
    ) -> Repo:
        """Create a repo with one commit holding `files`; returns its handle (see `Repo`)."""
        if repo_id.count("/") != 1 or not all(repo_id.split("/")):
            raise ValueError(f"repo id must be 'owner/name', got {repo_id!r}")
        repo = Repo(
            repo_id,
            files,
            private=private,
            gated=gated,
            disabled=disabled,
            lfs=lfs,
            branch=branch,
            **metadata,
        )
        with self._lock:
            self._repos[repo_id] = repo
        return repo

    def repo(self, repo_id: str) -> Repo:
        return self._repos[repo_id]

    @property
    def repos(self) -> dict[str, Repo]:
        return dict(self._repos)

    def remove_repo(self, repo_id: str) -> None:
        with self._lock:
            self._repos.pop(repo_id, None)

    def rename_repo(self, old_id: str, new_id: str) -> Repo:
        """Move a repo; the old id then answers 307 with a relative Location to the new one."""
        with self._lock:
            repo = self._repos.pop(old_id)
            repo.repo_id = new_id
            self._repos[new_id] = repo
            self._renames[old_id] = new_id
        return repo

    def _canonical_id(self, repo_id: str) -> str | None:
        """Current id for a renamed or wrongly-cased repo id (both answer 307 on the real Hub)."""
        for old in list(self._renames):
            if old.lower() == repo_id.lower():
                repo_id = old
        seen = set()
        while repo_id in self._renames and repo_id not in seen:
            seen.add(repo_id)
            repo_id = self._renames[repo_id]
        if repo_id in self._repos:
            return repo_id
        lowered = repo_id.lower()
        for known in list(self._repos):
            if known.lower() == lowered:
                return known
        return None

    # -- users ---------------------------------------------------------------------------------
    def add_user(
        self,
        name: str,
        token: str,
        role: str = "read",
        orgs: Iterable[str] = (),
        can_access: Iterable[str] = (),
        **details,
    ) -> User:
        """A token holder: reads private repos of `name`/`orgs`; `can_access` grants private/gated repos."""
        user = User(name, token, role, tuple(orgs), set(can_access), **details)
        with self._lock:
            self._users[token] = user
        return user

    def grant(self, token: str, repo_id: str) -> None:
        self._users[token].can_access.add(repo_id)

    def revoke_token(self, token: str) -> None:
        """The token becomes invalid (401 "Invalid credentials in Authorization header" everywhere)."""
        with self._lock:
            self._users.pop(token, None)

    # -- request log and limits ------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Snapshot of every request so far, oldest first."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        self._log.clear()

    def requests_for(self, file_path: str, host: str | None = None) -> list[RequestRecord]:
        """Requests for one repo file (Hub URL path ends with it, or CDN requests for it)."""
        suffix = "/" + quote(file_path)
        return [
            r
            for r in self.requests
            if (host is None or r.host == host)
            and (r.path.endswith(suffix) or r.params.get("file") == [file_path])
        ]

    def connections(self, host: str | None = None) -> set[int]:
        """Serials of the TCP connections the logged requests came on (to `host` only, if given)."""
        return {r.connection for r in self.requests if host is None or r.host == host}

    def rate_limit(self, bucket: str = "api", quota: int = 100, window: int = 300) -> None:
        """Set a bucket's quota per fixed window (also restarts its window)."""
        self._limiter.configure(bucket, quota, window)

    # -- CDN signing -------------------------------------------------------------------------------
    def _signature(self, path: str, expires: int, serial: int) -> str:
        return hmac.new(self._secret, f"{path}\n{expires}\n{serial}".encode(), hashlib.sha256).hexdigest()

    def _sign_cdn_url(self, repo: Repo, repo_file: RepoFile) -> str:
        with self._lock:
            serial = max(self._issued, default=0) + 1
            path = f"/xet-bridge-us/{repo.object_id}/{repo_file.content.sha256}"
            expires = int(time.time()) + int(self.cdn_url_ttl)
            self._issued[serial] = IssuedUrl(
                serial, path, expires, repo.repo_id, repo_file.path, repo_file.content
            )
        query = urlencode(
            {
                "X-Xet-Cas-Uid": "public",
                "response-content-disposition": content_disposition(repo_file.path),
                "file": repo_file.path,
                "Expires": str(expires),
                "Signature": self._signature(path, expires, serial),
                "Key-Pair-Id": f"K{serial}",
            }
        )
        return f"{self.cdn_url}{path}?{query}"

    def _check_cdn_url(self, path: str, params: Mapping[str, list[str]]) -> IssuedUrl | str:
        """The issued URL, or the 403 message when the signature is wrong or the URL has expired."""
        try:
            expires = int(params["Expires"][0])
            serial = int(params["Key-Pair-Id"][0].lstrip("K"))
            signature = params["Signature"][0]
        except (KeyError, IndexError, ValueError):
            return "Missing Key-Pair-Id query parameter or cookie value"
        issued = self._issued.get(serial)
        expected = self._signature(path, expires, serial)
        if issued is None or issued.path != path or not hmac.compare_digest(signature, expected):
            return "Invalid signature"
        if expires < time.time() or serial <= self._expired_through:
            return "Request has expired"
        return issued

    def _expire_cdn_urls(self) -> None:
        with self._lock:
            self._expired_through = max(self._issued, default=0)

    # -- convenience --------------------------------------------------------------------------------
    def resolve_url(self, repo_id: str, path: str, revision: str = "main") -> str:
        return f"{self.url}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"

    def __repr__(self) -> str:
        return f"HubEmulator(url={self.url!r}, cdn_url={self.cdn_url!r}, repos={len(self._repos)})"
