"""The Account page: the optional Hugging Face token — typed masked, validated with the Hub, saved in or
removed from the OS keyring (or kept for the session where no keyring works)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from hfgui.core.errors import HfGuiError, InvalidTokenError
from hfgui.core.types import Account
from hfgui.gui.settings.common import PAGE_ACCOUNT, TOKEN_INTRO, one_line


class AccountPage:
    """The page's fields and what the keyring holds. A mixin of SettingsDialog."""

    def _account_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        self.token_intro = QtWidgets.QLabel(TOKEN_INTRO)
        self.token_intro.setWordWrap(True)
        self.env_notice = QtWidgets.QLabel("")
        self.env_notice.setWordWrap(True)
        self.env_notice.setStyleSheet("color: #b26a00;")
        env_name = self.services.env_token_name
        if env_name:
            self.env_notice.setText(
                f"{env_name} is set in the environment: it overrides the token stored here while it is set."
            )
        self.env_notice.setVisible(bool(env_name))
        self.stored_label = QtWidgets.QLabel("Checking the OS keyring…")
        self.stored_label.setWordWrap(True)
        self.token_edit = QtWidgets.QLineEdit()
        self.token_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText("hf_…  (paste a token from huggingface.co/settings/tokens)")
        self.token_edit.setClearButtonEnabled(True)
        self.show_token = QtWidgets.QToolButton()
        self.show_token.setText("Show")
        self.show_token.setCheckable(True)
        self.show_token.toggled.connect(self._toggle_visible)
        self.validate_button = QtWidgets.QPushButton("Validate")
        self.validate_button.clicked.connect(self.validate_token)
        self.save_token_button = QtWidgets.QPushButton("Save to keyring")
        self.save_token_button.clicked.connect(lambda: self.save_token())
        self.remove_token_button = QtWidgets.QPushButton("Remove")
        self.remove_token_button.clicked.connect(self.remove_token)
        self.token_result = QtWidgets.QLabel("")
        self.token_result.setWordWrap(True)
        self.token_result.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.token_edit, 1)
        row.addWidget(self.show_token)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.validate_button, self.save_token_button, self.remove_token_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        title = QtWidgets.QLabel("<b>Hugging Face token (optional)</b>")
        layout = QtWidgets.QVBoxLayout(page)
        for widget in (title, self.token_intro, self.env_notice, self.stored_label):
            layout.addWidget(widget)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.token_result)
        layout.addStretch(1)
        return page

    def _toggle_visible(self, shown: bool) -> None:
        mode = QtWidgets.QLineEdit.EchoMode.Normal if shown else QtWidgets.QLineEdit.EchoMode.Password
        self.token_edit.setEchoMode(mode)
        self.show_token.setText("Hide" if shown else "Show")

    def refresh_token_status(self) -> None:
        store = self.services.token_store

        def probe() -> tuple[bool, bool, str]:
            available = store.available()
            return available, store.get() is not None, store.backend_name()

        def show(result: tuple[bool, bool, str]) -> None:
            available, stored, backend = result
            self.keyring_available = available
            if not available:
                text = (
                    "No working OS keyring was found: a token saved here is kept for this session only "
                    "(it is never written to a plain file)."
                )
                if stored:
                    text += " A token is set for this session."
            elif stored:
                text = f"A token is saved in the OS keyring ({backend})."
            else:
                text = f"No token saved. It would be kept in the OS keyring ({backend})."
            self.stored_label.setText(text)
            self.remove_token_button.setEnabled(stored)

        self.runner.submit(probe, show, lambda exc: self.stored_label.setText(f"Keyring error: {exc}"))

    def focus_token(self) -> None:
        self.show_page(PAGE_ACCOUNT)
        self.token_edit.setFocus()


class TokenActions:
    """Validate, Save and Remove, each on a worker. A mixin of SettingsDialog."""

    def validate_token(self) -> None:
        typed = self.token_edit.text().strip() or None
        services = self.services
        self.token_result.setText("Checking with the Hub…")
        self.validate_button.setEnabled(False)

        def whoami() -> Account:
            client = services.make_client(token=typed)
            try:
                if client.token is None:
                    raise HfGuiError("There is no token to check.", "Paste a token into the field first.")
                return client.whoami()
            finally:
                client.close()

        def ok(account: Account) -> None:
            self.validate_button.setEnabled(True)
            self.last_account = account
            role = account.token_role or "unknown"
            self.token_result.setStyleSheet("color: #1e7d32;")
            self.token_result.setText(f"Valid token for {account.name} (token role: {role}).")

        def failed(exc: BaseException) -> None:
            self.validate_button.setEnabled(True)
            self.last_account = None
            self.token_result.setStyleSheet("color: #c62828;")
            self.token_result.setText(one_line(exc))

        self.runner.submit(whoami, ok, failed)

    def save_token(self, then: Callable[[], None] | None = None) -> None:
        """Check the typed token with the Hub, then keep it (keyring, or this session without one).

        A token the Hub rejects is not saved; one that cannot be checked (offline) is, with a note.
        ``then`` runs once it is saved (OK saves a typed token before closing).
        """
        token = self.token_edit.text().strip()
        if not token:
            self.token_result.setText("Paste a token into the field first.")
            return
        services, store = self.services, self.services.token_store

        def check_and_save() -> tuple[bool, str]:
            client = services.make_client(token=token)
            try:
                note = ""
                try:
                    account = client.whoami()
                    note = f" Valid for {account.name}."
                except InvalidTokenError:
                    raise  # rejected by the Hub: not saved
                except HfGuiError:  # offline, rate limited, a server error: keep it, say so
                    note = " It could not be checked now; Validate tries again later."
            finally:
                client.close()
            store.set(token)
            return store.available(), note

        def saved(result: tuple[bool, str]) -> None:
            in_keyring, note = result
            self.token_edit.clear()
            self.token_result.setStyleSheet("")
            if in_keyring:
                self.token_result.setText("Token saved in the OS keyring." + note)
            else:
                self.token_result.setText(
                    "No OS keyring works here: the token is kept for this session only." + note
                )
            self.refresh_token_status()
            self.token_changed.emit(self.token_result.text())
            if then is not None:
                then()

        def refused(exc: BaseException) -> None:
            self.ok_button.setEnabled(True)
            self.token_result.setStyleSheet("color: #c62828;")
            suffix = " It was not saved." if isinstance(exc, InvalidTokenError) else ""
            self.token_result.setText(one_line(exc) + suffix)
            self._reveal(PAGE_ACCOUNT, self.token_result)  # OK on another page saves a typed token too

        self.runner.submit(check_and_save, saved, refused)

    def remove_token(self) -> None:
        store = self.services.token_store

        def removed(_: object) -> None:
            self.token_result.setStyleSheet("")
            self.token_result.setText("Token removed. Public models still download without one.")
            self.refresh_token_status()
            self.token_changed.emit(self.token_result.text())

        self.runner.submit(store.delete, removed, lambda exc: self.token_result.setText(one_line(exc)))
