"""The banner above the tabs for what affects every model at once: the Hub out of reach (downloads wait
and start when it answers), rate limiting (a countdown), models the Hub shows only with a token (said
once), a certificate the system does not trust. A mixin of MainWindow."""

from __future__ import annotations

from hfgui.core.errors import NetworkError, RateLimitedError
from hfgui.core.words import counted
from hfgui.gui.models.rows import Status


class HubBanners:
    """Needs from the window: model, banner, manager, hub_watch, open_settings(), fetch_sizes(),
    show_status(), update_actions()."""

    def _open_network(self) -> None:
        self.open_settings("network")

    def _went_offline(self, error: NetworkError) -> None:
        """The Hub cannot be reached: what only it can tell is unknown now; downloads wait for it."""
        for state in self.model.states():
            if state.status.hub_decides and state.status is not Status.OFFLINE:
                self.model.update(state.entry.key, status=Status.OFFLINE, error=None)
        self.banner.show_message(
            "offline",
            f"Offline: {error.message} Downloads start by themselves when the Hub answers again.",
            (("Retry now", self.hub_watch.probe_now),),
        )
        self.update_actions()

    def _came_online(self) -> None:
        if self.banner.kind == "offline":
            self.banner.dismiss()
        self.fetch_sizes([s.entry.key for s in self.model.states() if s.status is Status.OFFLINE])
        started = self.manager.release_waiting()
        if started:
            self.show_status(f"The Hub answers again: {counted(len(started), 'download')} started.", 10_000)

    def _show_rate_limited(self, key: str, error: RateLimitedError) -> None:
        waiting = set(getattr(self, "_rate_limited", set())) | {key}
        self._rate_limited = waiting
        seconds = max(1, round(error.retry_after or 60))
        template = "The Hugging Face Hub is rate limiting requests. Retrying in {seconds} s."
        actions: tuple = ()
        if not error.authenticated:
            template += " A free Hugging Face token gives higher limits."
            actions = (("Add token", lambda: self.open_settings("token")),)

        def retry() -> None:
            keys, self._rate_limited = sorted(self._rate_limited), set()
            for k in keys:
                self.manager.start(k)

        self.banner.show_countdown("rate-limit", template, seconds, retry, actions)

    def _say_add_token(self, count: int) -> None:
        """Once for all the rows the Hub would not show without a token (not one "Needs token" each)."""
        if count == 0:
            if self.banner.kind == "private":
                self.banner.dismiss()
            return
        if self.banner.kind not in ("", "private"):
            return  # offline or rate limited says more
        self.banner.show_message(
            "private",
            f"{counted(count, 'model')} not found or private. The Hub shows private models only to"
            " their owner's token — add a token to download them.",
            (("Add token", lambda: self.open_settings("token")),),
        )

    def _show_certificate_problem(self, error: NetworkError) -> None:
        self.banner.show_message("network", error.message, (("Settings", self._open_network),))
