"""Downloads that wait for the Hub: queued while it cannot be reached (Download pressed offline, or a
download that failed for want of it) and started together when it answers again. A mixin of
DownloadManager."""

from __future__ import annotations

from hfgui.gui.models.rows import Status


class HubWaiting:
    """Needs from the manager: model, `_queue`, `_waiting`, `_paused`, `_interrupted`, is_active(),
    `_pump()`, `_changed()`."""

    def waiting_keys(self) -> list[str]:
        return list(self._waiting)

    def hold(self, key: str, reason: str) -> None:
        """Queue a download to start once the Hub answers (Download pressed while offline)."""
        state = self.model.state(key)
        if state is None or self.is_active(key):
            return
        self._paused.discard(key)
        self._interrupted.discard(key)
        self._waiting.append(key)
        self.model.update(key, status=Status.WAITING, error=reason, notice=None)
        self._changed()

    def release_waiting(self) -> list[str]:
        """The Hub answers: start the downloads that waited for it; returns their keys."""
        keys, self._waiting = self._waiting, []
        for key in keys:
            if self.model.state(key) is not None:
                self._queue.append(key)
                self.model.update(key, status=Status.QUEUED, error=None, notice=None)
        if keys:
            self._pump()
            self._changed()
        return keys
