"""What every command needs from the global options: paths, settings, endpoint, token and Hub clients."""

from __future__ import annotations

import argparse
import logging
import os
from typing import TYPE_CHECKING

from hfgui.cli import output
from hfgui.core.settings import Settings, load_settings
from hfgui.core.store.paths import AppPaths
from hfgui.core.wire.ratelimit import RetryPolicy

if TYPE_CHECKING:
    from hfgui.core.types import RetryNotice
    from hfgui.core.wire.auth import Token
    from hfgui.core.wire.hub import HubClient

RETRY = RetryPolicy()  # the Hub client's retries on the command line (tests make them fast)


def app_paths() -> AppPaths:
    return AppPaths.from_environment()


def settings(args: argparse.Namespace) -> Settings:
    """Settings from disk (loaded once per run and kept on ``args``)."""
    cached = getattr(args, "_settings", None)
    if cached is None:
        cached = load_settings(app_paths())
        args._settings = cached
    return cached


def endpoint(args: argparse.Namespace) -> str:
    """--endpoint, else the endpoint saved in Settings, else $HF_ENDPOINT, else the public Hub.

    A value that is not an http(s) URL is a usage error (exit 2) naming where it came from.
    """
    from hfgui.core.errors import UsageError
    from hfgui.core.wire.urls import endpoint_problem

    if getattr(args, "endpoint", None):
        chosen, source = args.endpoint, "--endpoint"
    elif settings(args).endpoint:
        chosen, source = settings(args).endpoint, "The endpoint in Settings"
    else:
        chosen, source = os.environ.get("HF_ENDPOINT", "").strip(), "HF_ENDPOINT"
        if not chosen:
            return settings(args).effective_endpoint(os.environ)
    problem = endpoint_problem(chosen)
    if problem is not None:
        unset = " or unset it" if source == "HF_ENDPOINT" else ""
        raise UsageError(
            f"{source} is not a URL: {chosen!r} ({problem}).",
            f"Give the Hub's or a mirror's address, e.g. https://huggingface.co{unset}.",
        )
    return chosen.rstrip("/")


def token(args: argparse.Namespace) -> Token | None:
    """--token, else HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the keyring (Settings), the huggingface token file."""
    if not hasattr(args, "_token"):
        from hfgui.core.wire.auth import KeyringTokenStore, resolve_token

        # Without a usable keyring there is simply no saved token; that is not worth a warning in a
        # terminal (-v still shows it).
        auth_log = logging.getLogger("hfgui.core.wire.auth")
        previous = auth_log.level
        if not getattr(args, "verbose", False):
            auth_log.setLevel(logging.ERROR)
        try:
            args._token = resolve_token(getattr(args, "token", None), store=KeyringTokenStore())
        finally:
            auth_log.setLevel(previous)
    return args._token


def client(args: argparse.Namespace, *, anonymous: bool = False) -> HubClient:
    """A Hub client for the chosen endpoint and the proxy/CA settings; with the token unless ``anonymous``.

    Every wait before a retry is said at once on stderr ("Hub unreachable (DNS lookup failed); retrying
    in 4 s, attempt 2 of 6"), not sat out in silence. Raises HfGuiError (one line) when the saved network
    settings are unusable.
    """
    from hfgui.core.wire.auth import proxy_password_store
    from hfgui.core.wire.hub import HubClient

    chosen = endpoint(args)
    return HubClient(
        chosen,
        token=False if anonymous else (token(args) or False),
        network=settings(args).network(proxy_password_store()),
        retry=RETRY,
        on_retry=lambda notice: output.warning(retry_line(notice, chosen)),
    )


def retry_line(notice: RetryNotice, hub_endpoint: str) -> str:
    """ "Hub unreachable (connection refused); retrying in 4 s, attempt 2 of 6" """
    from hfgui.core.wire.urls import same_origin

    where = "Hub" if same_origin(notice.host, hub_endpoint) else notice.host.split("://", 1)[-1]
    if notice.reason.startswith("HTTP "):
        what = f"{where} answered {notice.reason}"
    else:
        what = f"{where} unreachable ({notice.reason})"
    return f"{what}; retrying in {notice.delay:.2g} s, attempt {notice.attempt} of {notice.max_attempts}"
