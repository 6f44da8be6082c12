"""Writing file bodies: Range/206/416, CloudFront-style gzip, and the body faults (drop, stall, corrupt)."""

from __future__ import annotations

import gzip
import re
from typing import TYPE_CHECKING
from urllib.parse import quote

from .content import CHUNK, Content, content_from_bytes

if TYPE_CHECKING:
    from .server import HubEmulator

TEXT_EXTENSIONS = {
    "json",
    "txt",
    "md",
    "py",
    "yaml",
    "yml",
    "csv",
    "tsv",
    "jinja",
    "html",
    "xml",
    "toml",
    "cfg",
}


def is_text_file(path: str) -> bool:
    return "." in path and path.rsplit(".", 1)[-1].lower() in TEXT_EXTENSIONS


def content_type_for(path: str) -> str:
    if path.endswith(".json"):
        return "application/json; charset=utf-8"
    return "text/plain; charset=utf-8" if is_text_file(path) else "application/octet-stream"


def content_disposition(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"inline; filename*=UTF-8''{quote(name)}; filename=\"{ascii_name}\";"


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(start, end-exclusive), "unsatisfiable", or None to serve the full body (no or unusable Range)."""
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match or (not match.group(1) and not match.group(2)):
        return None  # malformed or multi-range: ignore, as servers may
    first, last = match.group(1), match.group(2)
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, end


class BodyWriter:
    """Mixin for the request handler: serves a Content with ranges and faults."""

    emu: HubEmulator
    role: str
    raw_path: str

    def _serve_content(self, content: Content, file_path: str, headers: dict[str, str]) -> None:
        faults = self.emu.faults
        host = self.role
        stale = faults.take("stale_object", host, file_path, self.raw_path)
        if stale is not None:  # another version of the file: cut or padded to the fault's size
            kept = content.read(0, min(stale.nbytes, content.size))
            content = content_from_bytes(kept.ljust(stale.nbytes, b"\0"))
        size = content.size
        is_get = self.command == "GET"
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "").lower()
        if faults.gzip_text and accepts_gzip and is_text_file(file_path):
            return self._serve_gzip(content, headers)
        wanted = parse_range(self.headers.get("Range"), size)
        if wanted is not None and is_get and faults.take("ignore_range", host, file_path, self.raw_path):
            wanted = None
        if isinstance(wanted, tuple) and faults.take("refuse_range", host, file_path, self.raw_path):
            wanted = "unsatisfiable"
        headers = {**headers, "Accept-Ranges": "bytes"}
        if wanted == "unsatisfiable":
            headers["Content-Range"] = f"bytes */{size}"
            return self._send(416, b"", headers)
        start, end = wanted if isinstance(wanted, tuple) else (0, size)
        self.send_response(206 if isinstance(wanted, tuple) else 200)
        for name, value in {**self.extra, **headers}.items():
            self.send_header(name, value)
        if isinstance(wanted, tuple):
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        if not is_get or start == end:
            return
        length = end - start
        drop = faults.take("drop_after", host, file_path, self.raw_path, lambda f: f.nbytes < length)
        stall = faults.take("stall", host, file_path, self.raw_path, lambda f: f.nbytes < length)
        corrupt = faults.take("corrupt", host, file_path, self.raw_path, lambda f: start <= f.offset < end)
        slow = faults.take("slow", host, file_path, self.raw_path)
        disk = content.disk_file()
        if disk is not None and not (drop or stall or corrupt or slow):
            with open(disk, "rb") as handle:
                self._sendfile(handle, start, length)  # type: ignore[attr-defined]
            return
        stop_at = start + drop.nbytes if drop else None
        pause_at = start + stall.nbytes if stall else None
        pos = start
        for chunk in content.iter_range(start, end):
            chunk_end = pos + len(chunk)
            if corrupt and pos <= corrupt.offset < chunk_end:
                changed = bytearray(chunk)
                changed[corrupt.offset - pos] ^= 0xFF
                chunk = bytes(changed)
            if pause_at is not None and pos <= pause_at < chunk_end:
                self._write(chunk[: pause_at - pos])
                chunk, pos = chunk[pause_at - pos :], pause_at
                self.wfile.flush()
                if self.emu._closing.wait(stall.seconds):  # type: ignore[union-attr]
                    return self._drop_connection()  # emulator closing: do not finish the body
                pause_at = None
            if stop_at is not None and pos <= stop_at < pos + len(chunk):
                self._write(chunk[: stop_at - pos])
                return self._drop_connection()
            if slow is not None:
                for at in range(0, len(chunk), slow.nbytes):
                    self._write(chunk[at : at + slow.nbytes])
                    self.wfile.flush()
                    if self.emu._closing.wait(slow.seconds):
                        return self._drop_connection()
            else:
                self._write(chunk)
            pos += len(chunk)

    def _serve_gzip(self, content: Content, headers: dict[str, str]) -> None:
        """CloudFront-style: gzip + chunked, no Content-Length, Range ignored."""
        packed = gzip.compress(content.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        for name, value in {**self.extra, **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command != "GET":
            return
        for pos in range(0, len(packed), CHUNK):
            piece = packed[pos : pos + CHUNK]
            self._write(b"%x\r\n" % len(piece) + piece + b"\r\n")
        self._write(b"0\r\n\r\n")
