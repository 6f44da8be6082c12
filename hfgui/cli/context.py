"""What every command needs from the global options: paths, settings, endpoint, token and Hub clients."""

from __future__ import annotations

import argparse
import logging
import os
from typing import TYPE_CHECKING

from hfgui.core.paths import AppPaths
from hfgui.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from hfgui.core.auth import Token
    from hfgui.core.hub import HubClient


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
    """--endpoint, else the endpoint saved in Settings, else $HF_ENDPOINT, else the public Hub."""
    if getattr(args, "endpoint", None):
        return args.endpoint.rstrip("/")
    return settings(args).effective_endpoint(os.environ)


def token(args: argparse.Namespace) -> Token | None:
    """--token, else HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the keyring (Settings), the huggingface token file."""
    if not hasattr(args, "_token"):
        from hfgui.core.auth import KeyringTokenStore, resolve_token

        # Without a usable keyring there is simply no saved token; that is not worth a warning in a
        # terminal (-v still shows it).
        auth_log = logging.getLogger("hfgui.core.auth")
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

    Raises HfGuiError (one line) when the saved network settings are unusable.
    """
    from hfgui.core.auth import proxy_password_store
    from hfgui.core.hub import HubClient

    return HubClient(
        endpoint(args),
        token=False if anonymous else (token(args) or False),
        network=settings(args).network(proxy_password_store()),
    )
