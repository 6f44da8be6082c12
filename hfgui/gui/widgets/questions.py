"""Non-blocking questions with one callback per button, shown as the owner's `pending_dialog`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtWidgets

Buttons = tuple[tuple[str, Callable[[], None] | None], ...]


ICONS = {
    "question": QtWidgets.QMessageBox.Icon.Question,
    "warning": QtWidgets.QMessageBox.Icon.Warning,
    "information": QtWidgets.QMessageBox.Icon.Information,
}


def ask(
    owner: QtWidgets.QWidget,
    title: str,
    text: str,
    buttons: Buttons,
    *,
    default: int,
    icon: str = "question",
) -> QtWidgets.QMessageBox:
    """Open a question on `owner` without blocking; a button with no callback only closes it.

    `owner.pending_dialog` holds the box while it is open, so tests and scripts can answer it.
    `default` is the index of the button that answers Enter; ``icon`` is "question", "warning" (a
    problem to fix) or "information".
    """
    box = QtWidgets.QMessageBox(owner)
    box.setWindowTitle(title)
    box.setText(text)
    box.setIcon(ICONS[icon])
    callbacks: dict[QtWidgets.QAbstractButton, Callable[[], None] | None] = {}
    for label, callback in buttons:
        role = (
            QtWidgets.QMessageBox.ButtonRole.AcceptRole
            if callback is not None
            else QtWidgets.QMessageBox.ButtonRole.RejectRole
        )
        callbacks[box.addButton(label, role)] = callback
    box.setDefaultButton(list(callbacks)[default])

    def clicked(chosen: QtWidgets.QAbstractButton) -> None:
        callback = callbacks.get(chosen)
        if callback is not None:
            callback()

    box.buttonClicked.connect(clicked)
    box.finished.connect(
        lambda _r: setattr(owner, "pending_dialog", None) if owner.pending_dialog is box else None
    )
    owner.pending_dialog = box
    box.open()
    return box
