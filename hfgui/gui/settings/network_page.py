"""The Network page: the Hub endpoint (a mirror), the proxy (system, none or manual, its password in the
keyring) and a CA bundle; their problems said in place."""

from __future__ import annotations

from urllib.parse import unquote

from PySide6 import QtWidgets

from hfgui.core.wire.network import PROXY_MODES, split_proxy_password
from hfgui.gui.settings.common import ERROR_STYLE, PAGE_NETWORK, PROXY_MODE_LABELS


class NetworkPage:
    """A mixin of SettingsDialog."""

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
