"""How the main window turns a failed download into the action that fixes it: a dialog with "Open model
page" / "Add token" / "Fix token" / "Change folder", or one of the banners (see hub_banners). A mixin
of MainWindow."""

from __future__ import annotations

from PySide6 import QtCore

from hfgui.core.errors import (
    GatedRepoError,
    HfGuiError,
    InsufficientSpaceError,
    InvalidTokenError,
    NetworkError,
    RateLimitedError,
    RepoNotFoundError,
    format_bytes,
)
from hfgui.gui.models.rows import Status


class ErrorActions:
    """Needs from the window: model, banner, ask(), open_settings(), open_url(), show_status(), the
    banners of HubBanners, the set `_token_failed` and `_token_dialog`."""

    def present_error(self, key: str, error: HfGuiError) -> None:
        """Turn a failure into the action that fixes it."""
        state = self.model.state(key)
        name = state.entry.name if state else key
        if isinstance(error, GatedRepoError):
            self.model.update(key, status=Status.LICENSE_REQUIRED, error=error.message)
            url = error.page_url
            buttons: tuple = (("Open model page", lambda: self.open_url(QtCore.QUrl(url))),)
            if not error.authenticated:  # with a token the account itself still needs access
                buttons += (("Add token", lambda: self.open_settings("token")),)
            self.ask(
                "License required",
                f"{name} is gated. {error.hint}",
                (*buttons, ("Close", None)),
                icon="warning",
            )
        elif isinstance(error, RepoNotFoundError) and error.authenticated:
            self.model.update(key, status=Status.NOT_FOUND, error=error.message)
        elif isinstance(error, RepoNotFoundError):
            self.model.update(key, status=Status.PRIVATE_OR_MISSING, error=error.message)
            self.ask(
                "Model not found or private",
                f"{error.message} {error.hint}",
                (("Add token", lambda: self.open_settings("token")), ("Close", None)),
                icon="warning",
            )
        elif isinstance(error, InvalidTokenError):
            self._token_failed.add(key)
            self._show_invalid_token(error)
        elif isinstance(error, RateLimitedError):
            self._show_rate_limited(key, error)
        elif isinstance(error, NetworkError):  # a certificate problem: waiting does not mend it
            self._show_certificate_problem(error)
        elif isinstance(error, InsufficientSpaceError):
            self.ask(
                "Not enough disk space",
                f"{name} needs {format_bytes(error.needed)} but only {format_bytes(error.free)} is free on "
                f"{error.path}. Free some space or choose another library folder;"
                " partial downloads are kept.",
                (("Change folder", lambda: self.open_settings("library")), ("Close", None)),
                icon="warning",
            )
        # Anything else stays on the row and in the details panel, with Retry.

    def _forget_token_failures(self) -> None:
        """A new token: rows that failed only because the old one was rejected can be tried again."""
        for key in sorted(self._token_failed):
            state = self.model.state(key)
            if state is not None and state.status is Status.FAILED:
                self.model.update(key, status=Status.AVAILABLE, error=None)
        self._token_failed = set()

    def _show_invalid_token(self, error: InvalidTokenError) -> None:
        """One dialog however many downloads and size probes the rejected token failed."""
        shown = self._token_dialog
        if shown is not None and shown.isVisible():
            return
        self._token_dialog = self.ask(
            "Token rejected",
            str(error),
            (("Fix token", lambda: self.open_settings("token")), ("Close", None)),
            icon="warning",
        )

    def _show_plain_error(self, exc: BaseException) -> None:
        self.show_status(" ".join(str(exc).split()), 15000)
