"""What to open when hfgui is started with model addresses (`hfgui https://huggingface.co/owner/name`)."""

from __future__ import annotations

from collections.abc import Sequence

from hfgui.core.library.model_address import ModelReference, parse_model_reference

_SCHEMES = ("hf://", "http://", "https://")


def is_model_address(arg: str) -> bool:
    """An argument the window should open (hf:// or a web address) rather than a subcommand or option."""
    return arg.strip().lower().startswith(_SCHEMES)


def models_to_open(argv: Sequence[str], endpoint: str | None = None) -> list[ModelReference]:
    """The models named by `argv` when every argument is a model address; [] otherwise.

    Raises InvalidRepoIdError (one line, says what to do) for an address that names no model, such as
    a dataset page or another web site.
    """
    args = [a for a in argv if a.strip()]
    if not args or not all(is_model_address(a) for a in args):
        return []
    return [parse_model_reference(a, endpoint) for a in args]
