"""One window per user (and per HFGUI_HOME): the first launch listens on a local socket; a second launch
— from the menu, or `hfgui https://huggingface.co/owner/repo` from a browser or terminal — hands it its
arguments and exits, and the running window comes to the front and opens the model."""

from __future__ import annotations

import hashlib
import json
import logging
import os

from PySide6 import QtCore, QtNetwork

from hfgui.core.store.paths import AppPaths

log = logging.getLogger(__name__)

CONNECT_MS = 1_000
MAX_MESSAGE = 64 * 1024  # arguments of one launch; anything longer is not ours


def instance_name(paths: AppPaths) -> str:
    """The socket's name: one per user and per folder of settings (tests and HFGUI_HOME keep apart)."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    folder = hashlib.sha256(str(paths.config_dir.resolve()).encode()).hexdigest()[:16]
    return f"hfgui-{user}-{folder}"


def hand_over(name: str, args: list[str]) -> bool:
    """Give ``args`` to the window already running under ``name``; False when there is none."""
    socket = QtNetwork.QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(json.dumps({"args": args}).encode("utf-8") + b"\n")
    delivered = socket.waitForBytesWritten(CONNECT_MS)
    # The running window answers once it has taken the arguments: then this process may end.
    answered = delivered and socket.waitForReadyRead(CONNECT_MS) and socket.readAll().data().startswith(b"ok")
    socket.disconnectFromServer()
    return bool(answered)


class InstanceServer(QtCore.QObject):
    """Signal: launched(list) with the arguments of a later launch (empty: just bring the window up)."""

    launched = QtCore.Signal(list)

    def __init__(self, name: str, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QtNetwork.QLocalServer(self)
        self.server.setSocketOptions(QtNetwork.QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connected)

    def listen(self) -> bool:
        """Start listening; a socket file left by a crashed run is removed first (nothing answers on
        it, or hand_over would have reached it). False when another window took the name meanwhile."""
        if self.server.listen(self.name):
            return True
        QtNetwork.QLocalServer.removeServer(self.name)
        if self.server.listen(self.name):
            return True
        log.warning("Could not listen for later launches on %s: %s", self.name, self.server.errorString())
        return False

    def close(self) -> None:
        self.server.close()

    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QtNetwork.QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_MESSAGE:
                socket.abort()
            return
        line = socket.readLine().data()
        try:
            args = json.loads(line.decode("utf-8"))["args"]
            if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
                raise ValueError("args must be a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("Ignored a malformed message from another launch: %s", exc)
            socket.abort()
            return
        socket.write(b"ok\n")
        socket.flush()
        self.launched.emit(args)
