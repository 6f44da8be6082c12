"""Saving Settings: the values of every page gathered and checked, then written on a worker — a typed
token first, the proxy password into the keyring — or the page with the problem brought forward."""

from __future__ import annotations

import dataclasses
import logging
from urllib.parse import quote

from hfgui.core.errors import HfGuiError
from hfgui.core.settings import DEFAULT_ENDPOINT, Settings, save_settings
from hfgui.core.store.paths import check_library_folder
from hfgui.core.wire.network import (
    join_proxy_password,
    parse_no_proxy,
    proxy_url_problem,
    split_proxy_password,
)
from hfgui.gui.settings.common import (
    MEGABYTE,
    PAGE_DOWNLOADS,
    PAGE_NETWORK,
    one_line,
)

log = logging.getLogger(__name__)


class NetworkSettingsError(HfGuiError):
    """A proxy, no-proxy or CA bundle value that cannot work (shown next to the network fields)."""


class SettingsSaving:
    """A mixin of SettingsDialog."""

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
                self.settings_error.setText(f"Could not save settings: {one_line(exc)}")

        self.runner.submit(check_and_save, saved, failed)
