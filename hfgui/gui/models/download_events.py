"""What the downloads' events do to the rows: progress stored for the next repaint, planning retries
shown (and a Hub out of reach noticed), a job's end as installed, paused, cancelled, waiting for the
Hub or failed. A mixin of DownloadManager."""

from __future__ import annotations

from hfgui.core.errors import NetworkError
from hfgui.core.types import ModelProgress, ModelState
from hfgui.gui.models.download_job import JobEvent, network_notice, waits_for_hub
from hfgui.gui.models.rows import Status


class JobEvents:
    """Needs from the manager: model, the signals, `_jobs`, `_intent`, `_waiting`, `_paused`,
    `_interrupted`, `changed_files`, `_pump()`, `_changed()`."""

    def _on_job_event(self, event: JobEvent) -> None:
        key = event.key
        if event.kind == "progress":
            self._on_progress(key, event.progress)
            return
        if event.kind == "retrying":
            if key in self._jobs and event.notice is not None:
                self.model.update(key, notice=event.notice)
                if network_notice(event.notice):
                    self.hub_unreachable.emit(NetworkError(event.notice.host, event.notice.reason))
                    state = self.model.state(key)
                    if state is not None and state.status is Status.QUEUED and key not in self._intent:
                        # Still planning and the Hub is away: wait for it rather than sit out the
                        # backoff (the offline watch starts it again once the Hub answers).
                        self._intent[key] = "wait"
                        self._jobs[key].cancel.set()
            return
        self._jobs.pop(key, None)
        intent = self._intent.pop(key, None)
        if event.kind == "installed":
            self.model.update(key, status=Status.INSTALLED, error=None)
            self.installed.emit(key)
        elif event.kind == "cancelled" and intent == "wait":
            self._waiting.append(key)
            notice = self.model.state(key).notice if self.model.state(key) else None
            reason = f"The Hub could not be reached ({notice.reason})." if notice else None
            self.model.update(key, status=Status.WAITING, error=reason, notice=None)
        elif event.kind == "cancelled":
            if intent == "discard":
                self.model.update(key, status=Status.AVAILABLE, progress=None, error=None)
                if event.error is not None:
                    self.problem.emit(str(event.error))
                else:
                    self.stopped.emit(key, "discard")
            else:
                (self._interrupted if intent == "quit" else self._paused).add(key)
                self.model.update(key, status=Status.PAUSED)
                if intent == "pause":
                    self.stopped.emit(key, "pause")
        elif waits_for_hub(event.error) and intent in (None, "wait"):
            self._waiting.append(key)  # the Hub is away: start again when it answers, nothing to do
            self.model.update(key, status=Status.WAITING, error=str(event.error), notice=None)
            self.hub_unreachable.emit(event.error)
        else:
            error = event.error
            self.model.update(key, status=Status.FAILED, error=str(error) if error else "unknown error")
            self.failed.emit(key, error)
        self.model.flush()
        self._pump()
        self._changed()

    def _on_progress(self, key: str, progress: ModelProgress | None) -> None:
        if progress is None or key not in self._jobs:
            return
        self.model.set_progress(key, progress)
        if progress.changed is None:
            self.changed_files[key] = None
        else:
            known = self.changed_files.setdefault(key, set())
            if known is not None:
                known.update(progress.changed)
        status = {
            ModelState.DOWNLOADING: Status.DOWNLOADING,
            ModelState.VERIFYING: Status.VERIFYING,
        }.get(progress.state)
        current = self.model.state(key)
        if status is not None and current is not None and current.status is not status:
            self.model.update(key, status=status, notice=None)
            if status is Status.DOWNLOADING:
                self.hub_answered.emit()  # planned: the Hub answers

    def _tick(self) -> None:
        self.model.flush()
        self.refreshed.emit()
        self.changed_files.clear()
        if not self._jobs:
            self.timer.stop()
