"""HTTP request handler of the emulator: routes Hub API, resolve and CDN requests, maps errors to answers."""

from __future__ import annotations

import base64
import json
import re
import socket
import sys
import traceback
import uuid
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlencode

from . import api
from .bodies import BodyWriter, content_disposition, content_type_for
from .network import PACE_PIECE, Pacer
from .records import Headers, RequestRecord, User
from .repos import Commit, Repo, RepoFile

if TYPE_CHECKING:
    from .server import HubEmulator

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
TREE_PAGE = 1000
TREE_PAGE_EXPANDED = 50
SEARCH_PAGE_DEFAULT = 1000
SEARCH_PAGE_MAX = 1000


class HttpError(Exception):
    """An error answer. `code` goes to X-Error-Code, `message` to X-Error-Message and the body."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}


class Redirect(Exception):
    def __init__(self, location: str, status: int = 307) -> None:
        super().__init__(location)
        self.location = location
        self.status = status


def parse_bool(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes", "on")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"$offset": offset}).encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["$offset"])
    except (ValueError, KeyError, TypeError) as exc:
        raise HttpError(400, "Invalid cursor") from exc


class EmulatorHandler(BodyWriter, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hubemu"
    timeout = 120  # idle keep-alive connections give up eventually
    disable_nagle_algorithm = True

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def emu(self) -> HubEmulator:
        return self.server.emulator  # type: ignore[attr-defined]

    @property
    def role(self) -> str:
        return self.server.role  # type: ignore[attr-defined]

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.emu._track(self.connection, True)
        self.connection_serial = self.emu._new_connection_serial()
        self.pacer = Pacer(self.emu._closing)
        # The handshake of a new connection (when the emulator closes meanwhile, handle() finds the
        # socket shut and finish() still untracks it).
        self._round_trip()

    def _round_trip(self) -> bool:
        """Sleep one round trip of the network profile (nothing on plain loopback); False when closing."""
        rtt = self.emu.network.rtt
        return rtt <= 0 or not self.emu._closing.wait(rtt)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.emu._track(self.connection, False)

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def send_response(self, code: int, message: str | None = None) -> None:
        self.record.status = code
        super().send_response(code, message)

    def _dispatch(self) -> None:
        raw_path, _, self.query = self.path.partition("?")
        self.raw_path = raw_path
        self.record = RequestRecord(
            self.role, self.command, raw_path, self.query, Headers(self.headers.items())
        )
        self.record.connection = self.connection_serial
        self.record.in_flight = self.emu._enter_request(self.role)
        try:
            self._answer()
        finally:
            self.emu._leave_request(self.role)

    def _answer(self) -> None:
        self.emu._log.add(self.record)
        self.params = parse_qs(self.query, keep_blank_values=True)
        self.extra: dict[str, str] = {}
        self.body = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.body = self.rfile.read(length)
        try:
            if not self._round_trip():
                raise ConnectionAbortedError("emulator closing")
            try:
                if self.role == "cdn":
                    self._cdn()
                else:
                    self._hub()
            except Redirect as redirect:
                body = f"Temporary Redirect. Redirecting to {redirect.location}".encode()
                self._send(
                    redirect.status,
                    body,
                    {"Location": redirect.location, "Content-Type": "text/plain; charset=utf-8"},
                )
            except HttpError as error:
                self._send_error(error)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
        except Exception:  # a bug in the emulator: say so loudly, answer 500 if still possible
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            if self.record.status == 0:
                try:
                    self._send(500, b"hubemu internal error", {"Content-Type": "text/plain"})
                except OSError:
                    pass

    def _arg(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {**self.extra, **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self._write(body)

    def _paced(self) -> bool:
        network = self.emu.network
        return network.rate_for(self.role) > 0 or (self.role == "cdn" and network.link_rate > 0)

    def _pace(self, nbytes: int) -> None:
        """Wait until `nbytes` may go out: this connection's cap, then (CDN) the link's."""
        network = self.emu.network
        if not self.pacer.wait(nbytes, network.rate_for(self.role)):
            raise ConnectionAbortedError("emulator closing")
        if self.role == "cdn" and not self.emu._link_pacer.wait(nbytes, network.link_rate):
            raise ConnectionAbortedError("emulator closing")

    def _write(self, data: bytes | memoryview) -> None:
        paced = self._paced()
        if paced and len(data) > PACE_PIECE:
            view = memoryview(data)
            for at in range(0, len(view), PACE_PIECE):
                self._write(view[at : at + PACE_PIECE])
            return
        if paced:
            self._pace(len(data))
        self.record.bytes_sent += len(data)
        try:
            self.wfile.write(data)
        except OSError:
            self.record.bytes_sent -= len(data)
            raise

    def _sendfile(self, handle: Any, start: int, length: int) -> None:
        """Send a disk file's bytes with sendfile (zero copy), in paced pieces under a rate cap."""
        paced = self._paced()
        piece = PACE_PIECE if paced else length
        for at in range(start, start + length, max(piece, 1)):
            n = min(piece, start + length - at)
            if paced:
                self._pace(n)
            self.record.bytes_sent += n
            self.connection.sendfile(handle, at, n)

    def _send_json(self, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        cut = self.emu.faults.take("truncate_json", self.role, None, self.raw_path)
        if cut is not None:  # a proxy or server that cut the body and sent the length of what is left
            body = body[: cut.nbytes]
        self._send(200, body, headers)

    def _send_error(self, error: HttpError) -> None:
        headers = dict(error.headers)
        if error.code:
            headers["X-Error-Code"] = error.code
        headers["X-Error-Message"] = error.message
        if self.role == "cdn":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{error.code or 'Error'}</Code><Message>{error.message}</Message></Error>"
            ).encode()
            headers = {"Content-Type": "application/xml", **error.headers}
        elif self.raw_path.startswith("/api/") and not self.raw_path.startswith("/api/resolve-cache/"):
            body = json.dumps({"error": error.message}).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            body = error.message.encode()
            headers["Content-Type"] = "text/plain; charset=utf-8"
        self._send(error.status, body, headers)

    def _drop_connection(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- Hub --------------------------------------------------------------------------------
    def _hub(self) -> None:
        path = self.raw_path
        self.extra["X-Powered-By"] = "huggingface-moon"
        self.extra["X-Request-Id"] = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"
        self.extra["Access-Control-Expose-Headers"] = (
            "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,"
            "Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash"
        )
        if "/resolve/" in path or path.startswith("/api/resolve-cache/"):
            bucket = "resolvers"
        elif path.startswith("/api/"):
            bucket = "api"
        else:
            bucket = "pages"
        decision = self.emu._limiter.hit(bucket)
        self.extra.update(decision.headers())
        if not decision.allowed:
            raise HttpError(
                429,
                f"You have exceeded our hourly quotas for action: {bucket}. We invite you to retry later.",
                headers={"Retry-After": str(decision.reset)} if self.emu.send_retry_after else {},
            )
        status_fault = self.emu.faults.take("status", "hub", None, path)
        if status_fault is not None:
            self._raise_fault_status(status_fault)
        self._redirect_loop_fault(None)
        self.user = self._authenticate()
        segments = path.split("/")[1:]
        if path == "/api/whoami-v2":
            return self._whoami()
        if path in ("/api/models", "/api/models/"):
            return self._search()
        if segments[:2] == ["api", "models"] and len(segments) >= 4:
            return self._model_api(segments[2:])
        if segments[:3] == ["api", "resolve-cache", "models"] and len(segments) >= 7:
            return self._resolve_cache(segments[3:])
        if len(segments) >= 5 and segments[2] == "resolve":
            return self._resolve(segments)
        if len(segments) == 2 and all(segments):
            return self._repo_page(segments)
        raise HttpError(404, "Sorry, we can't find the page you are looking for.")

    def _redirect_loop_fault(self, file_path: str | None) -> None:
        if self.emu.faults.take("redirect_loop", self.role, file_path, self.raw_path) is not None:
            query = f"?{self.query}" if self.query else ""
            raise Redirect(f"{self.raw_path}{query}", 302)

    def _raise_fault_status(self, fault: Any) -> None:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        raise HttpError(fault.code, f"Injected error {fault.code}", headers=headers)

    def _authenticate(self) -> User | None:
        header = self.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        user = self.emu._users.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise HttpError(401, "Invalid credentials in Authorization header")
        return user

    def _repo(self, owner: str, name: str, prefix: str, rest: str) -> Repo | None:
        """The repo, or a 307 to its current name (renames and wrong case) keeping the rest of the URL."""
        repo_id = f"{unquote(owner)}/{unquote(name)}"
        repo = self.emu._repos.get(repo_id)
        if repo is None:
            target = self.emu._canonical_id(repo_id)
            if target is not None:
                query = f"?{self.query}" if self.query else ""
                raise Redirect(f"{prefix}{target}{rest}{query}")
        return repo

    def _check_access(self, repo: Repo | None, *, content: bool, download: bool) -> Repo:
        user = self.user
        if repo is None or (repo.private and (user is None or not user.can_read(repo.repo_id, repo.owner))):
            if user is None:
                raise HttpError(401, "Invalid username or password.")
            raise HttpError(404, "Repository not found", "RepoNotFound")
        if repo.disabled and content:
            if user is None:
                raise HttpError(401, "Invalid username or password.")
            raise HttpError(403, "Access to this resource is disabled.")
        if download and repo.gated and not (user is not None and user.can_read(repo.repo_id, repo.owner)):
            if user is None:
                raise HttpError(
                    401,
                    f"Access to model {repo.repo_id} is restricted. You must have access to it and be "
                    "authenticated to access it. Please log in.",
                    "GatedRepo",
                )
            raise HttpError(
                403,
                f"Access to model {repo.repo_id} is restricted and you are not in the authorized list. "
                f"Visit {self.emu.url}/{repo.repo_id} to ask for access.",
                "GatedRepo",
            )
        return repo

    def _commit(self, repo: Repo, revision: str) -> Commit:
        commit = repo.resolve(revision)
        if commit is None:
            raise HttpError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        return commit

    @staticmethod
    def _take_revision(segments: list[str]) -> tuple[str, list[str]]:
        """Split a revision off `segments`, accepting `refs/pr/1` both encoded and with raw slashes."""
        if len(segments) >= 3 and segments[0] == "refs" and segments[1] in ("pr", "heads", "tags", "convert"):
            return "/".join(unquote(s) for s in segments[:3]), segments[3:]
        return unquote(segments[0]), segments[1:]

    def _whoami(self) -> None:
        if self.user is None:
            raise HttpError(401, "Invalid username or password.")
        self._send_json(api.whoami(self.user))

    def _repo_page(self, segments: list[str]) -> None:
        repo = self._check_access(
            self._repo(segments[0], segments[1], "/", ""), content=False, download=False
        )
        html = f"<!doctype html><title>{repo.repo_id}</title><h1>{repo.repo_id}</h1>".encode()
        self._send(200, html, {"Content-Type": "text/html; charset=utf-8"})

    def _model_api(self, segments: list[str]) -> None:
        owner, name, rest = segments[0], segments[1], segments[2:]
        rest_raw = "/" + "/".join(rest) if rest else ""
        repo = self._repo(owner, name, "/api/models/", rest_raw)
        if not rest or (rest[0] == "revision" and len(rest) >= 2):
            repo = self._check_access(repo, content=False, download=False)
            revision = self._take_revision(rest[1:])[0] if rest else repo.default_branch
            return self._model_info(repo, self._commit(repo, revision))
        action = rest[0]
        if action == "tree" and len(rest) >= 2 and self.command in ("GET", "HEAD"):
            repo = self._check_access(repo, content=True, download=False)
            revision, sub = self._take_revision(rest[1:])
            return self._tree(repo, self._commit(repo, revision), unquote("/".join(sub)).strip("/"))
        if action == "paths-info" and len(rest) >= 2 and self.command == "POST":
            repo = self._check_access(repo, content=True, download=False)
            return self._paths_info(repo, self._commit(repo, self._take_revision(rest[1:])[0]))
        if action == "refs" and len(rest) == 1:
            repo = self._check_access(repo, content=True, download=False)
            return self._send_json(api.refs(repo, parse_bool(self._arg("include_prs"))))
        raise HttpError(404, "Sorry, we can't find the page you are looking for.")

    def _model_info(self, repo: Repo, commit: Commit) -> None:
        expand = self.params.get("expand") or self.params.get("expand[]")
        blobs = parse_bool(self._arg("blobs"))
        if expand:
            if blobs or parse_bool(self._arg("securityStatus")):
                raise HttpError(400, "`expand` cannot be used with `blobs` or `securityStatus`")
            unknown = [e for e in expand if e not in api.EXPANDABLE]
            if unknown:
                raise HttpError(
                    400,
                    f'"expand" must be one of {", ".join(api.EXPANDABLE)}; got {", ".join(unknown)}',
                )
        self._send_json(api.model_info(repo, commit, blobs=blobs, expand=expand))

    def _next_link(self, offset: int) -> str:
        params = [(k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k != "cursor"]
        params.append(("cursor", encode_cursor(offset)))
        return f'<{self.emu.url}{self.raw_path}?{urlencode(params)}>; rel="next"'

    def _tree(self, repo: Repo, commit: Commit, base: str) -> None:
        listing = api.tree_paths(commit, base, parse_bool(self._arg("recursive")))
        if listing is None:
            raise HttpError(404, f"Entry not found: {base}", "EntryNotFound", {"X-Repo-Commit": commit.sha})
        expand = parse_bool(self._arg("expand"))
        page = TREE_PAGE_EXPANDED if expand else TREE_PAGE
        offset = decode_cursor(self._arg("cursor"))
        chosen = listing[offset : offset + page]
        body = [api.entry_for(repo, commit, kind, p, expand, self.emu.xet_headers) for kind, p in chosen]
        headers = {"X-Repo-Commit": commit.sha}
        if offset + page < len(listing):
            headers["Link"] = self._next_link(offset + page)
        self._send_json(body, headers)

    def _paths_info(self, repo: Repo, commit: Commit) -> None:
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            data = json.loads(self.body or b"{}")
            paths, expand = data.get("paths", []), bool(data.get("expand"))
            paths = [paths] if isinstance(paths, str) else paths
        else:
            form = parse_qs(self.body.decode(), keep_blank_values=True)
            paths = form.get("paths", []) or form.get("paths[]", [])
            expand = parse_bool((form.get("expand") or ["false"])[0])
        body = []
        for path in dict.fromkeys(p.strip("/") for p in paths):
            if path in commit.files:
                body.append(api.entry_for(repo, commit, "file", path, expand, self.emu.xet_headers))
            elif path and commit.is_dir(path):
                body.append(api.entry_for(repo, commit, "directory", path, expand, self.emu.xet_headers))
        self._send_json(body)

    def _search(self) -> None:
        search = (self._arg("search") or "").lower()
        author = (self._arg("author") or "").lower()
        filters = [f for f in self.params.get("filter", []) if f]
        pipeline_tag = self._arg("pipeline_tag")
        sort = self._arg("sort")
        if sort is not None and sort not in api.SORT_KEYS:
            raise HttpError(400, f"Invalid sort: {sort}; use one of {', '.join(api.SORT_KEYS)}")
        try:
            limit = int(self._arg("limit") or SEARCH_PAGE_DEFAULT)
            skip = int(self._arg("skip") or 0)
        except ValueError as exc:
            raise HttpError(400, "limit and skip must be integers") from exc
        if limit < 1:
            raise HttpError(400, "limit must be a positive integer")
        limit = min(limit, SEARCH_PAGE_MAX)

        def visible(repo: Repo) -> bool:
            if repo.private and (self.user is None or not self.user.can_read(repo.repo_id, repo.owner)):
                return False
            if search and search not in repo.repo_id.lower():
                return False
            if author and repo.owner.lower() != author:
                return False
            if pipeline_tag and repo.pipeline_tag != pipeline_tag:
                return False
            labels = {*repo.tags, repo.library_name, repo.pipeline_tag}
            return all(f in labels for f in filters)

        found = [r for r in list(self.emu._repos.values()) if visible(r)]
        found.sort(key=lambda r: r.repo_id)
        if sort:
            found.sort(key=api.SORT_KEYS[sort], reverse=True)
        offset = decode_cursor(self._arg("cursor")) if self._arg("cursor") else skip
        full = parse_bool(self._arg("full"))
        body = [api.search_item(r, full) for r in found[offset : offset + limit]]
        headers = {}
        if offset + limit < len(found):
            headers["Link"] = self._next_link(offset + limit)
        self._send_json(body, headers)

    # -- file routes --------------------------------------------------------------------------
    def _resolve(self, segments: list[str]) -> None:
        owner, name = segments[0], segments[1]
        repo = self._repo(owner, name, "/", "/" + "/".join(segments[2:]))
        repo = self._check_access(repo, content=True, download=True)
        revision, rest = self._take_revision(segments[3:])
        commit = self._commit(repo, revision)
        repo_file = self._file(commit, unquote("/".join(rest)))
        self._file_status_fault(repo_file.path)
        if self._not_modified(commit, repo_file):
            return
        if repo_file.lfs:
            return self._redirect_to_cdn(repo, commit, repo_file)
        if repo.private:
            return self._serve_from_hub(commit, repo_file)
        location = (
            f"/api/resolve-cache/models/{repo.repo_id}/{commit.sha}/{quote(repo_file.path)}"
            f"?{quote(self.raw_path, safe='')}=&etag=%22{repo_file.etag}%22"
        )
        raise Redirect(location, 307)

    def _resolve_cache(self, segments: list[str]) -> None:
        owner, name, sha = segments[0], segments[1], unquote(segments[2])
        repo = self._repo(owner, name, "/api/resolve-cache/models/", "/" + "/".join(segments[2:]))
        repo = self._check_access(repo, content=True, download=True)
        if not FULL_SHA.match(sha):
            raise HttpError(400, f"Invalid commit sha: {sha}")
        commit = repo.commits.get(sha)
        if commit is None:
            raise HttpError(404, f"Invalid rev id: {sha}", "RevisionNotFound")
        repo_file = self._file(commit, unquote("/".join(segments[3:])))
        self._file_status_fault(repo_file.path)
        if self._not_modified(commit, repo_file):
            return
        if repo_file.lfs:
            return self._redirect_to_cdn(repo, commit, repo_file)
        self._serve_from_hub(commit, repo_file)

    def _file(self, commit: Commit, path: str) -> RepoFile:
        repo_file = commit.files.get(path)
        if repo_file is None:
            raise HttpError(404, "Entry not found", "EntryNotFound", {"X-Repo-Commit": commit.sha})
        return repo_file

    def _file_status_fault(self, path: str) -> None:
        fault = self.emu.faults.take("status", "hub", path, self.raw_path)
        if fault is not None:
            self._raise_fault_status(fault)
        self._redirect_loop_fault(path)

    def _not_modified(self, commit: Commit, repo_file: RepoFile) -> bool:
        wanted = self.headers.get("If-None-Match")
        if not wanted:
            return False
        tags = {t.strip().removeprefix("W/").strip('"') for t in wanted.split(",")}
        if repo_file.etag not in tags and "*" not in tags:
            return False
        headers = {"X-Repo-Commit": commit.sha, "Accept-Ranges": "bytes"}
        if repo_file.lfs:
            headers["X-Linked-Etag"] = f'"{repo_file.etag}"'
            headers["X-Linked-Size"] = str(repo_file.size)
        headers["ETag"] = f'"{repo_file.etag}"'
        self.send_response(304)
        for key, value in {**self.extra, **headers}.items():
            self.send_header(key, value)
        self.end_headers()
        return True

    def _redirect_to_cdn(self, repo: Repo, commit: Commit, repo_file: RepoFile) -> None:
        location = self.emu._sign_cdn_url(repo, repo_file)
        body = f"Found. Redirecting to {location}".encode()
        headers = {
            "Location": location,
            "Content-Type": "text/plain; charset=utf-8",
            "X-Repo-Commit": commit.sha,
            "X-Linked-Etag": f'"{repo_file.content.sha256}"',
            "X-Linked-Size": str(repo_file.size),
            "ETag": f'"{api.hex_id("redirect-etag", repo_file.content.sha256, length=64)}"',
            "Accept-Ranges": "bytes",
            "Cache-Control": "no-store",
            "Vary": "Origin, Accept",
        }
        if self.emu.xet_headers:
            headers["X-Xet-Hash"] = repo_file.xet_hash
            headers["Link"] = (
                f'<{self.emu.url}/api/models/{repo.repo_id}/xet-read-token/{commit.sha}>; rel="xet-auth", '
                f'<{self.emu.cdn_url}/v1/reconstructions/{repo_file.xet_hash}>; rel="xet-reconstruction-info"'
            )
        self._send(302, body, headers)

    def _serve_from_hub(self, commit: Commit, repo_file: RepoFile) -> None:
        headers = {
            "ETag": f'"{repo_file.etag}"',
            "X-Repo-Commit": commit.sha,
            "Content-Type": content_type_for(repo_file.path),
            "Content-Disposition": content_disposition(repo_file.path),
            "Vary": "Origin",
        }
        self._serve_content(repo_file.content, repo_file.path, headers)

    # -- CDN --------------------------------------------------------------------------------
    def _cdn(self) -> None:
        self.extra["X-Amz-Cf-Id"] = base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
        self.extra["Via"] = "1.1 hubemu.cloudfront.invalid (CloudFront)"
        issued = self.emu._check_cdn_url(self.raw_path, self.params)
        if isinstance(issued, str):
            raise HttpError(403, issued, "AccessDenied")
        fault = self.emu.faults.take("status", "cdn", issued.file_path, self.raw_path)
        if fault is not None:
            self._raise_fault_status(fault)
        self._redirect_loop_fault(issued.file_path)
        headers = {
            "Content-Type": "application/octet-stream",
            "ETag": f'"{issued.cdn_etag}"',
            "Content-Disposition": content_disposition(issued.file_path),
            "Cache-Control": "public, max-age=31536000",
            "X-Cache": "Hit from cloudfront",
            "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT",
        }
        self._serve_content(issued.content, issued.file_path, headers)
