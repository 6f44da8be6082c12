"""Ask the Hub, in the background, what only it can tell of each model in the list: its size (from the
file listing, through the size cache) and whether it can be fetched (public, gated, private or
missing, or the Hub out of reach); the rows show the answers."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6 import QtCore

from hfgui.core.errors import (
    DownloadCancelledError,
    GatedRepoError,
    InvalidTokenError,
    NetworkError,
    RepoNotFoundError,
)
from hfgui.core.library.catalog import CatalogEntry, select_files
from hfgui.core.library.sizes import EntrySize, SizeCache
from hfgui.core.wire.tls import CertificateError
from hfgui.gui.models.models_model import ModelsModel
from hfgui.gui.models.rows import Status
from hfgui.gui.services import Services
from hfgui.gui.workers import TaskRunner

if TYPE_CHECKING:
    from hfgui.gui.hub_watch import HubWatch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EntryProbe:
    size: EntrySize
    gated: GatedRepoError | None = None  # set when the files cannot be fetched until the license is accepted
    token_rejected: InvalidTokenError | None = None  # the token was refused; this probe went without it


def probe_entry(client, entry: CatalogEntry, cache: SizeCache | None) -> EntryProbe:
    """Raises the client's HfGuiError (not found / private, network, rate limited…).

    A token the Hub rejects fails even public requests: then the probe asks again without it, so the
    public models still show their sizes (the rejected token is reported once, by the window).
    """
    try:
        return _probe(client, entry, cache)
    except InvalidTokenError as rejected:
        return dataclasses.replace(_probe(client.anonymous(), entry, cache), token_rejected=rejected)


def _probe(client, entry: CatalogEntry, cache: SizeCache | None) -> EntryProbe:
    info = client.model_info(entry.repo, revision=entry.revision)
    size = cache.get(entry, info.sha) if cache is not None else None
    first_file: str | None = None
    if size is None or info.gated:
        files = select_files(entry, client.iter_tree(entry.repo, revision=info.sha, recursive=True))
        first_file = files[0].path if files else None
        if size is None:
            size = EntrySize(sum(f.size for f in files), len(files), info.sha)
            if cache is not None:
                cache.put(entry, size)
    gated = None
    if info.gated and first_file is not None:
        try:
            client.file_metadata(entry.repo, first_file, info.sha)
        except GatedRepoError as exc:
            gated = exc
    return EntryProbe(size, gated)


class SizeProbes(QtCore.QObject):
    """Signals: token_rejected(object) with the InvalidTokenError (the probes went on without it);
    private_or_missing(int): how many rows the Hub would not show without a token (0: none left);
    certificate_problem(object) with the CertificateError that keeps the Hub out of reach."""

    token_rejected = QtCore.Signal(object)
    private_or_missing = QtCore.Signal(int)
    certificate_problem = QtCore.Signal(object)

    def __init__(
        self, services: Services, model: ModelsModel, hub_watch: HubWatch, parent: QtCore.QObject
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.model = model
        self.hub_watch = hub_watch
        self.runner = TaskRunner(2, self)  # the probes
        self.setup = TaskRunner(1, self)  # a client, and the sizes remembered on disk
        self._generation = 0  # answers of an older round do not change states
        self._private: set[str] = set()

    def fetch(self, keys: list[str] | None = None) -> None:
        """Probe these rows (None: all). The size last seen (kept in the size cache) shows at once,
        before the Hub answers or when it cannot be reached. Each probe gives up after one retry: the
        offline watch asks again later."""
        self._generation += 1
        generation = self._generation
        wanted = [s for s in self.model.states() if keys is None or s.entry.key in keys]
        wanted = [s for s in wanted if s.entry.catalog is not None]
        if not wanted:
            return
        cache = SizeCache(self.services.paths)
        services = self.services
        unknown = {s.entry.key: s.entry.catalog for s in wanted if s.size is None}

        def last_known() -> dict[str, int]:
            found = {key: cache.last_known(entry) for key, entry in unknown.items()}
            return {key: size.total_bytes for key, size in found.items() if size is not None}

        def have_client(client) -> None:
            self.client = client  # shared by this round's probes, closed with its session
            for state in wanted:
                key, entry = state.entry.key, state.entry.catalog
                self.runner.submit(
                    lambda entry=entry: probe_entry(client, entry, cache),
                    lambda probe, key=key: self._known(generation, key, probe),
                    lambda exc, key=key: self._failed(generation, key, exc),
                )

        if unknown:
            self.setup.submit(last_known, self._remembered)
        self.setup.submit(lambda: services.make_client(quick=True), have_client, self._no_client)

    def forget_access(self) -> None:
        """A new token: what the Hub would not show before is to be asked again."""
        self._private.clear()
        self.private_or_missing.emit(0)

    def wait(self, msecs: int) -> bool:
        return self.setup.wait(msecs) and self.runner.wait(msecs)

    def _no_client(self, exc: BaseException) -> None:
        log.warning("No Hub client for the size probes: %s", exc)

    def _remembered(self, sizes: dict[str, int]) -> None:
        for key, size in sizes.items():
            state = self.model.state(key)
            if state is not None and state.size is None:
                self.model.update(key, size=size)

    def _known(self, generation: int, key: str, probe: EntryProbe) -> None:
        self.hub_watch.report_answer()
        if probe.token_rejected is not None:
            self.token_rejected.emit(probe.token_rejected)  # the window says so once
        self.model.update(key, size=probe.size.total_bytes)
        state = self.model.state(key)
        if state is None or generation != self._generation or not state.status.hub_decides:
            return
        if probe.gated is not None:
            self.model.update(key, status=Status.LICENSE_REQUIRED, error=probe.gated.message)
        else:
            self.model.update(key, status=Status.AVAILABLE, error=None)
        if key in self._private:
            self._private.discard(key)
            self.private_or_missing.emit(len(self._private))

    def _failed(self, generation: int, key: str, exc: BaseException) -> None:
        state = self.model.state(key)
        if state is None or generation != self._generation:
            return
        if isinstance(exc, NetworkError) and not isinstance(exc, CertificateError):
            self.hub_watch.report_failure(exc)  # rows turn Offline; the watch asks again later
            if state.status.hub_decides:
                self.model.update(key, status=Status.OFFLINE, error=None)
            return
        if not isinstance(exc, DownloadCancelledError):
            self.hub_watch.report_answer()  # whatever it said, the Hub answered
        if not state.status.hub_decides:
            return
        if isinstance(exc, GatedRepoError):
            self.model.update(key, status=Status.LICENSE_REQUIRED, error=exc.message)
        elif isinstance(exc, RepoNotFoundError) and exc.authenticated:
            self.model.update(key, status=Status.NOT_FOUND, error=exc.message)
        elif isinstance(exc, RepoNotFoundError):
            self.model.update(key, status=Status.PRIVATE_OR_MISSING, error=exc.message)
            self._private.add(key)
            self.private_or_missing.emit(len(self._private))
        elif isinstance(exc, CertificateError):
            self.model.update(key, status=Status.OFFLINE, error=exc.message)
            self.certificate_problem.emit(exc)
        elif isinstance(exc, InvalidTokenError):
            self.token_rejected.emit(exc)
        else:
            log.info("No size for %s: %s", key, exc)
