"""The oldest macOS the bundle runs on, for Info.plist's LSMinimumSystemVersion.

It is the highest minimum among the binary wheels in the build venv, read from their `Tag:` lines
(pyside6_essentials-6.11.3-cp310-abi3-macosx_13_0_universal2.whl: Qt 6.11 needs macOS 13). The spec
imports it while building on macOS; `python macos_minimum.py` prints it. Standard library only.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable

_MACOS_TAG = re.compile(r"-macosx_(\d+)_(\d+)_\w+$")


def minimum_from_tags(tags: Iterable[str]) -> str | None:
    """The highest macOS version the tags name ("13.0" for cp310-abi3-macosx_13_0_universal2), or None."""
    versions = [(int(m.group(1)), int(m.group(2))) for tag in tags if (m := _MACOS_TAG.search(tag))]
    return "{}.{}".format(*max(versions)) if versions else None


def installed_wheel_tags() -> list[str]:
    """The `Tag:` lines of every distribution installed from a wheel in this environment."""
    tags = []
    for dist in importlib.metadata.distributions():
        tags += re.findall(r"^Tag: (\S+)$", dist.read_text("WHEEL") or "", re.M)
    return tags


def minimum_macos() -> str:
    found = minimum_from_tags(installed_wheel_tags())
    if found is None:
        raise SystemExit("macos_minimum: no macOS wheel in this environment (run it in the macOS build venv)")
    return found


if __name__ == "__main__":
    print(minimum_macos())
