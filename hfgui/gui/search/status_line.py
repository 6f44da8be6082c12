"""The Search tab's status lines: red for a problem, and failures in one line in the window's words."""

from __future__ import annotations

from PySide6 import QtWidgets

from hfgui.core.errors import NetworkError

ERROR_STYLE = "color: #c62828;"


def set_status(label: QtWidgets.QLabel, text: str, *, error: bool = False) -> None:
    label.setStyleSheet(ERROR_STYLE if error else "")
    label.setText(text)


def failure_text(exc: BaseException) -> str:
    """One line saying what failed and what to do next, in the window's words (not the command line's)."""
    if isinstance(exc, NetworkError):
        what = "did not answer in time" if exc.timed_out else "could not be reached"
        return (
            f"The Hub {what} ({exc.endpoint}: {exc.detail}). Check your connection, or the proxy in"
            " Settings → Network, then press Enter to search again."
        )
    return one_line(exc)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
