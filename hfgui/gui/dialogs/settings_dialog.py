"""Settings on three pages, each scrolling on a small screen: Account (the optional Hugging Face token,
validated and kept in the OS keyring), Downloads (library folder, parallel downloads, storage in the
Hugging Face cache, bandwidth limit) and Network (endpoint, proxy and CA bundle).
Every keyring, disk and network call runs on a worker."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from urllib.parse import quote, unquote

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.core.engine.diskspace import free_bytes
from hfgui.core.errors import HfGuiError, InvalidTokenError, format_bytes
from hfgui.core.settings import DEFAULT_ENDPOINT, Settings, save_settings
from hfgui.core.store.paths import check_library_folder
from hfgui.core.types import Account
from hfgui.core.wire.network import (
    PROXY_MODES,
    join_proxy_password,
    parse_no_proxy,
    proxy_url_problem,
    split_proxy_password,
)
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner

log = logging.getLogger(__name__)

PROXY_MODE_LABELS = {"system": "System settings", "none": "No proxy", "manual": "Manual"}
MEGABYTE = 1_000_000  # the bandwidth spin box counts decimal MB/s, as sizes are shown
MAX_RATE_MB = 100_000
ERROR_STYLE = "color: #c62828;"
# Page titles: messages elsewhere send people to "Settings → Network".
PAGE_ACCOUNT = "Account"
PAGE_DOWNLOADS = "Downloads"
PAGE_NETWORK = "Network"
PREFERRED_WIDTH = 700  # room for a library path and the proxy placeholder; less on a smaller screen
MESSAGE_ROOM = 60  # a wrapped notice or error under the fields
TOKEN_INTRO = (
    "Public models download without a token. A Hugging Face token adds: gated models whose license "
    "you have accepted, your own private models, and higher rate limits. A read token is enough."
)


class SettingsDialog(QtWidgets.QDialog):
    """Signals: token_changed(str) after a token was saved or removed, with the line that says so;
    settings_saved(object) with Settings."""

    token_changed = QtCore.Signal(str)
    settings_saved = QtCore.Signal(object)
    save_warning: str | None = None  # set before settings_saved when part of it could not be kept

    def __init__(
        self, services: Services, runner: TaskRunner, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.services = services
        self.runner = runner
        self.keyring_available: bool | None = None
        self.last_account: Account | None = None

        # One page per subject, each scrolling on its own: the dialog fits small screens (1024×700 and
        # below) without cutting a field off.
        self.pages = QtWidgets.QTabWidget()
        self.pages.setDocumentMode(True)
        self._scrolls: dict[str, QtWidgets.QScrollArea] = {}
        for title, page in (
            (PAGE_ACCOUNT, self._account_page()),
            (PAGE_DOWNLOADS, self._downloads_page()),
            (PAGE_NETWORK, self._network_page()),
        ):
            scroll = QtWidgets.QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setWidget(page)
            self._scrolls[title] = scroll
            self.pages.addTab(scroll, title)

        self.settings_error = QtWidgets.QLabel("")
        self.settings_error.setStyleSheet(ERROR_STYLE)
        self.settings_error.setWordWrap(True)

        box = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(self.save_and_close)
        box.rejected.connect(self.reject)
        self.ok_button = box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.settings_error)
        layout.addWidget(box)
        self.resize(self._preferred_size().boundedTo(_room_on_screen(self)))

        self.refresh_token_status()
        self.refresh_free_space()

    # --- pages -----------------------------------------------------------------------------------

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

    def _downloads_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        settings, services = self.services.settings, self.services
        self.library_edit = QtWidgets.QLineEdit(str(services.library_root))
        self.library_edit.editingFinished.connect(self.refresh_free_space)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self.browse_library)
        self.free_label = QtWidgets.QLabel("")
        library_row = QtWidgets.QHBoxLayout()
        library_row.addWidget(self.library_edit, 1)
        library_row.addWidget(browse)
        self.parallel_spin = QtWidgets.QSpinBox()
        self.parallel_spin.setRange(1, 8)
        self.parallel_spin.setValue(settings.parallel_models)
        # 0 shows as "Automatic": files in flight and connections per large file measured as they go.
        self.files_spin = QtWidgets.QSpinBox()
        self.files_spin.setRange(0, 32)
        self.files_spin.setSpecialValueText("Automatic")
        self.files_spin.setValue(settings.parallel_files)
        self.files_spin.setToolTip(
            "Files of one model downloaded at once. Automatic grows it while it helps (up to 32): "
            "a far-away Hub needs more, and fewer when the Hub limits requests"
        )
        self.segments_spin = QtWidgets.QSpinBox()
        self.segments_spin.setRange(0, 16)
        self.segments_spin.setSpecialValueText("Automatic")
        self.segments_spin.setValue(settings.segments_per_file)
        self.segments_spin.setToolTip(
            "Connections for one large file. Automatic starts with one and adds more while they raise "
            "the speed (up to 16); 1 = a single stream"
        )
        self.auto_resume = QtWidgets.QCheckBox("Resume interrupted downloads when hfgui starts")
        self.auto_resume.setChecked(settings.auto_resume)
        self.use_hf_cache = QtWidgets.QCheckBox(
            "Store new downloads in the Hugging Face cache (shared with transformers)"
        )
        self.use_hf_cache.setChecked(settings.use_hf_cache)
        self.cache_path_label = QtWidgets.QLabel(f"Cache: {services.hf_cache_dir}")
        self.cache_path_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cache_path_label.setWordWrap(True)
        self.bandwidth_spin = QtWidgets.QDoubleSpinBox()
        self.bandwidth_spin.setRange(0.0, MAX_RATE_MB)
        self.bandwidth_spin.setDecimals(1)
        self.bandwidth_spin.setSingleStep(0.5)
        self.bandwidth_spin.setSuffix(" MB/s")
        self.bandwidth_spin.setSpecialValueText("Unlimited")  # shown at 0
        self.bandwidth_spin.setValue(settings.bandwidth_limit / MEGABYTE)
        self.bandwidth_spin.setToolTip("Shared by all downloads and updates; 0 = unlimited")
        form = QtWidgets.QFormLayout(page)
        form.addRow("Library folder:", library_row)
        form.addRow("", self.free_label)
        form.addRow("", self.use_hf_cache)
        form.addRow("", self.cache_path_label)
        form.addRow("Models at once:", self.parallel_spin)
        form.addRow("Files at once:", self.files_spin)
        form.addRow("Connections per file:", self.segments_spin)
        form.addRow("Bandwidth limit:", self.bandwidth_spin)
        form.addRow("", self.auto_resume)
        return page

    def _network_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        settings, services = self.services.settings, self.services
        self.endpoint_edit = QtWidgets.QLineEdit(settings.endpoint or "")
        self.endpoint_edit.setPlaceholderText(f"{services.endpoint}  (mirror URL; empty = default)")
        self.proxy_mode_combo = QtWidgets.QComboBox()
        for mode in PROXY_MODES:
            self.proxy_mode_combo.addItem(PROXY_MODE_LABELS.get(mode, mode), mode)
        # The address shows its user but never its password: that has a masked field of its own and is
        # saved in the OS keyring, not in settings.json.
        address, password = split_proxy_password(settings.proxy_url or "")
        password = unquote(password)  # the URL holds it percent-encoded
        self.proxy_url_edit = QtWidgets.QLineEdit(address)
        self.proxy_url_edit.setPlaceholderText("http://proxy.example.com:3128 or socks5://user@host:1080")
        self.proxy_url_edit.setToolTip(
            "http://, https://, socks5://, socks5h:// (the proxy looks up host names), socks4:// or socks4a://"
        )
        self.proxy_password_edit = QtWidgets.QLineEdit(password)
        self.proxy_password_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.proxy_password_edit.setPlaceholderText(
            "saved in the OS keyring; type to replace it"
            if settings.proxy_password_saved and not password
            else "only if the proxy asks for one (kept in the OS keyring)"
        )
        self.no_proxy_edit = QtWidgets.QLineEdit(settings.no_proxy)
        self.no_proxy_edit.setPlaceholderText("localhost, .intranet.example, 10.0.0.0/8")
        self.ca_bundle_edit = QtWidgets.QLineEdit(settings.ca_bundle or "")
        self.ca_bundle_edit.setPlaceholderText(
            "PEM file trusted instead of the default authorities (optional)"
        )
        ca_browse = QtWidgets.QPushButton("Browse…")
        ca_browse.clicked.connect(self.browse_ca_bundle)
        ca_row = QtWidgets.QHBoxLayout()
        ca_row.addWidget(self.ca_bundle_edit, 1)
        ca_row.addWidget(ca_browse)
        self.ca_bundle_edit.setToolTip(
            "For networks that inspect TLS: choose their CA certificate. Certificate checks always stay on."
        )
        self.network_error = QtWidgets.QLabel("")
        self.network_error.setStyleSheet(ERROR_STYLE)
        self.network_error.setWordWrap(True)
        self.network_error.setVisible(False)
        net_form = QtWidgets.QFormLayout(page)
        net_form.addRow("Hub endpoint:", self.endpoint_edit)
        net_form.addRow("Proxy:", self.proxy_mode_combo)
        net_form.addRow("Proxy address:", self.proxy_url_edit)
        net_form.addRow("Proxy password:", self.proxy_password_edit)
        net_form.addRow("No proxy for:", self.no_proxy_edit)
        net_form.addRow("CA bundle:", ca_row)
        net_form.addRow(self.network_error)
        self.proxy_mode_combo.currentIndexChanged.connect(self._proxy_mode_changed)
        mode_index = self.proxy_mode_combo.findData(settings.proxy_mode)
        self.proxy_mode_combo.setCurrentIndex(max(0, mode_index))
        self._proxy_mode_changed()
        for edit in (self.proxy_url_edit, self.proxy_password_edit, self.no_proxy_edit, self.ca_bundle_edit):
            edit.textEdited.connect(lambda _text: self._show_network_error(""))
        return page

    def _preferred_size(self) -> QtCore.QSize:
        """Room for the tallest page without scrolling (plus a few lines for messages); the size hint
        itself stays small so the dialog may shrink to any screen."""
        content = max(scroll.widget().sizeHint().height() for scroll in self._scrolls.values())
        chrome = self.sizeHint().height() - self.pages.currentWidget().sizeHint().height()
        return QtCore.QSize(max(PREFERRED_WIDTH, self.sizeHint().width()), content + chrome + MESSAGE_ROOM)

    def show_page(self, title: str) -> None:
        """Bring the page ``title`` (PAGE_ACCOUNT, PAGE_DOWNLOADS, PAGE_NETWORK) to the front."""
        self.pages.setCurrentWidget(self._scrolls[title])

    def _reveal(self, title: str, widget: QtWidgets.QWidget) -> None:
        """Show the page holding ``widget`` and scroll it into view (a message the person must read)."""
        self.show_page(title)
        self._scrolls[title].ensureWidgetVisible(widget)

    # --- token ---------------------------------------------------------------------------------

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
            self.token_result.setText(_one_line(exc))

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
            self.token_result.setText(_one_line(exc) + suffix)
            self._reveal(PAGE_ACCOUNT, self.token_result)  # OK on another page saves a typed token too

        self.runner.submit(check_and_save, saved, refused)

    def remove_token(self) -> None:
        store = self.services.token_store

        def removed(_: object) -> None:
            self.token_result.setStyleSheet("")
            self.token_result.setText("Token removed. Public models still download without one.")
            self.refresh_token_status()
            self.token_changed.emit(self.token_result.text())

        self.runner.submit(store.delete, removed, lambda exc: self.token_result.setText(_one_line(exc)))

    def focus_token(self) -> None:
        self.show_page(PAGE_ACCOUNT)
        self.token_edit.setFocus()

    # --- library ---------------------------------------------------------------------------------

    def browse_library(self) -> None:
        dialog = QtWidgets.QFileDialog(self, "Choose the library folder", self.library_edit.text())
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.Directory)
        dialog.setOption(QtWidgets.QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self._library_chosen)
        self.folder_dialog = dialog
        dialog.open()

    def _library_chosen(self, folder: str) -> None:
        if folder:
            self.library_edit.setText(folder)
            self.refresh_free_space()

    def focus_library(self) -> None:
        self.show_page(PAGE_DOWNLOADS)
        self.library_edit.setFocus()
        self.library_edit.selectAll()

    def refresh_free_space(self) -> None:
        folder = self.library_edit.text().strip()
        if not folder:
            self.free_label.setText("")
            return
        from pathlib import Path

        self.runner.submit(
            lambda: free_bytes(Path(folder).expanduser()),
            lambda free: self.free_label.setText(f"{format_bytes(free)} free on that disk"),
            lambda exc: self.free_label.setText(f"Cannot read free space: {exc}"),
        )

    # --- network ---------------------------------------------------------------------------------

    @property
    def proxy_mode(self) -> str:
        return self.proxy_mode_combo.currentData() or "system"

    def set_proxy_mode(self, mode: str) -> None:
        self.proxy_mode_combo.setCurrentIndex(self.proxy_mode_combo.findData(mode))

    def _proxy_mode_changed(self, _index: int = 0) -> None:
        manual = self.proxy_mode == "manual"
        self.proxy_url_edit.setEnabled(manual)
        self.proxy_password_edit.setEnabled(manual)
        self.no_proxy_edit.setEnabled(manual)
        self._show_network_error("")

    def browse_ca_bundle(self) -> None:
        start = self.ca_bundle_edit.text().strip()
        dialog = QtWidgets.QFileDialog(self, "Choose a CA bundle (PEM)", start)
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Certificates (*.pem *.crt *.cer)", "All files (*)"])
        dialog.fileSelected.connect(self._ca_bundle_chosen)
        self.ca_dialog = dialog
        dialog.open()

    def _ca_bundle_chosen(self, path: str) -> None:
        if path:
            self.ca_bundle_edit.setText(path)
            self._show_network_error("")

    def focus_network(self) -> None:
        """The Network page with the CA bundle field ready (TLS errors send people here)."""
        self.show_page(PAGE_NETWORK)
        self.ca_bundle_edit.setFocus()

    def _show_network_error(self, text: str) -> None:
        self.network_error.setText(text)
        self.network_error.setVisible(bool(text))
        if text:
            self._reveal(PAGE_NETWORK, self.network_error)

    # --- saving ----------------------------------------------------------------------------------

    def collected_settings(self) -> Settings:
        """The settings as entered; HfGuiError for an endpoint or network value that cannot work."""
        endpoint = self.endpoint_edit.text().strip().rstrip("/") or None
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise HfGuiError(
                f"'{endpoint}' is not a web address.",
                f"Use a URL such as {DEFAULT_ENDPOINT}, or leave it empty.",
            )
        library = self.library_edit.text().strip()
        default = str(self.services.paths.default_library)
        mode = self.proxy_mode
        proxy_url = self.proxy_url_edit.text().strip() or None
        password = self.proxy_password_edit.text()
        if proxy_url and password:  # the field wins over a password typed into the address
            address = split_proxy_password(proxy_url)[0]
            if mode == "manual" and "@" not in address:
                raise NetworkSettingsError(
                    "The proxy password needs a user name in the address.",
                    "Write it as http://user@host:port, or leave the password empty.",
                )
            proxy_url = join_proxy_password(address, quote(password, safe=""))
        if mode != "manual" and proxy_url and proxy_url_problem(proxy_url):
            proxy_url = None  # a broken address in a disabled field is not worth keeping
        # Left empty, a password saved earlier stays in use (save_settings drops it with the user name).
        keep_saved = self.services.settings.proxy_password_saved and not password
        new = dataclasses.replace(
            self.services.settings,
            library_dir=None if not library or library == default else library,
            parallel_models=self.parallel_spin.value(),
            parallel_files=self.files_spin.value(),
            segments_per_file=self.segments_spin.value(),
            endpoint=endpoint,
            auto_resume=self.auto_resume.isChecked(),
            use_hf_cache=self.use_hf_cache.isChecked(),
            bandwidth_limit=round(self.bandwidth_spin.value() * MEGABYTE),
            proxy_mode=mode,
            proxy_url=proxy_url,
            proxy_password_saved=keep_saved,
            no_proxy=", ".join(parse_no_proxy(self.no_proxy_edit.text())),
            ca_bundle=self.ca_bundle_edit.text().strip() or None,
        )
        problems = new.network().problems()  # no disk access: the CA file is checked on the worker
        if problems:
            raise NetworkSettingsError(
                f"The network settings are not usable: {problems[0]}.", "Correct it, or choose System."
            )
        return new

    def save_and_close(self) -> None:
        if self.token_edit.text().strip():  # typed but not saved yet: OK keeps it too
            self.ok_button.setEnabled(False)
            self.save_token(then=self._save_settings_and_close)
            return
        self._save_settings_and_close()

    def _save_settings_and_close(self) -> None:
        self.settings_error.setText("")
        self._show_network_error("")
        try:
            new = self.collected_settings()
        except NetworkSettingsError as exc:
            self._show_network_error(str(exc))
            return
        except HfGuiError as exc:  # the endpoint: the one field checked here outside the network ones
            self.settings_error.setText(str(exc))
            self.show_page(PAGE_NETWORK)
            return
        paths = self.services.paths
        self.ok_button.setEnabled(False)

        def check_and_save() -> str | None:
            try:
                new.network().check()  # reads the CA bundle: missing or not PEM is refused here
            except HfGuiError as exc:
                raise NetworkSettingsError(exc.message, exc.hint) from None
            check_library_folder(new.library_root(paths))  # a file, a read-only place: refused here
            return save_settings(paths, new, self.services.proxy_passwords)

        def saved(warning: str | None) -> None:
            self.save_warning = warning  # no keyring: the proxy password lasts this session only
            if warning:
                log.warning("%s", warning)
            self.services.apply_settings(new)
            self.settings_saved.emit(new)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.ok_button.setEnabled(True)
            if isinstance(exc, NetworkSettingsError):
                self._show_network_error(str(exc))
            elif isinstance(exc, HfGuiError):  # the library folder cannot hold models
                self.settings_error.setText(str(exc))
                self.show_page(PAGE_DOWNLOADS)
            else:
                self.settings_error.setText(f"Could not save settings: {_one_line(exc)}")

        self.runner.submit(check_and_save, saved, failed)


def _room_on_screen(widget: QtWidgets.QWidget) -> QtCore.QSize:
    """The available area of the screen the dialog opens on, less room for the window frame."""
    screen = widget.screen() or QtGui.QGuiApplication.primaryScreen()
    if screen is None:
        return QtCore.QSize(PREFERRED_WIDTH, 600)
    room = screen.availableGeometry().size()
    return QtCore.QSize(max(320, room.width() - 40), max(240, room.height() - 60))


class NetworkSettingsError(HfGuiError):
    """A proxy, no-proxy or CA bundle value that cannot work (shown next to the network fields)."""


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
