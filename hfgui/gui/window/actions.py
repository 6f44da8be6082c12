"""The window's actions and where a person finds them: the toolbar, the menu bar, a model's context menu
and the keyboard; and which of them the selected model allows. A mixin of MainWindow."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from hfgui.gui.models.rows import Status

# States a Download can start from (Not found: there is nothing to fetch until the Hub says otherwise).
DOWNLOADABLE = frozenset(
    {Status.AVAILABLE, Status.PRIVATE_OR_MISSING, Status.LICENSE_REQUIRED, Status.OFFLINE, Status.FAILED}
)


class WindowActions:
    """Needs from the window: the slots the actions run, `models` (ModelsView) and `manager`."""

    def _action(
        self, name: str, text: str, slot: Callable[[], None], pixmap=None, shortcut: str = "", short: str = ""
    ) -> QtGui.QAction:
        act = QtGui.QAction(text, self)
        act.setObjectName(name)
        if short:
            act.setIconText(short)  # the tool button's text; menus show the full one
        if pixmap is not None:
            act.setIcon(self.style().standardIcon(pixmap))
        if shortcut:
            act.setShortcut(QtGui.QKeySequence(shortcut))
        # `triggered` passes the `checked` flag; the slots take their own arguments (or none).
        act.triggered.connect(lambda _checked=False, run=slot: run())
        return act

    def _build_actions(self) -> None:
        sp = QtWidgets.QStyle.StandardPixmap
        action = self._action
        self.act_add = action("add", "Add model…", self.add_model, sp.SP_FileDialogNewFolder, "Ctrl+N", "Add")
        self.act_import = action("import", "Import…", self.import_model, sp.SP_DialogOpenButton, "Ctrl+I")
        self.act_download = action("download", "Download", self.download_selected, sp.SP_ArrowDown, "Ctrl+D")
        self.act_pause = action("pause", "Pause", self.pause_selected, sp.SP_MediaPause)
        self.act_resume = action("resume", "Resume", self.download_selected, sp.SP_MediaPlay)
        self.act_cancel = action("cancel", "Cancel", self.cancel_selected, sp.SP_DialogCancelButton)
        self.act_retry = action("retry", "Retry", self.download_selected, sp.SP_BrowserReload)
        self.act_delete = action("delete", "Delete…", self.delete_selected, sp.SP_TrashIcon, "Del", "Delete")
        self.act_reveal = action(
            "reveal", "Reveal in file manager", self.reveal_selected, sp.SP_DirOpenIcon, short="Show files"
        )
        self.act_open_hub = action(
            "hub-page",
            "Open on Hugging Face",
            self.open_selected_on_hub,
            sp.SP_DriveNetIcon,  # a globe on a drive: the web page, not "help"
            short="Hub page",
        )
        self.act_settings = action(
            "settings", "Settings…", self.open_settings, sp.SP_FileDialogDetailedView, "Ctrl+,", "Settings"
        )
        self.act_remove_entry = action("remove-entry", "Remove from list…", self.remove_selected_entry)
        self.act_quit = action("quit", "Quit", self.quit_requested, None, "Ctrl+Q")
        self.act_quit.setMenuRole(QtGui.QAction.MenuRole.QuitRole)
        self.act_about = action("about", "About hfgui", self.show_about)
        self.act_about.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        # The toolbar's one start button: Download, Resume or Retry, whichever the selected model needs
        # (the menus keep the three apart). It keeps the toolbar within a 1024-px window.
        self.act_start = action("start", "Download", self.download_selected, sp.SP_ArrowDown)
        self.model_actions = (
            self.act_download,
            self.act_pause,
            self.act_resume,
            self.act_cancel,
            self.act_retry,
            self.act_delete,
            self.act_reveal,
            self.act_open_hub,
        )
        self.toolbar_model_actions = (
            self.act_start,
            self.act_pause,
            self.act_cancel,
            self.act_delete,
            self.act_reveal,
            self.act_open_hub,
        )
        self._build_menus()
        self._build_toolbar()

    def _build_menus(self) -> None:
        """Every action is in a menu too: reachable by keyboard (Alt) however narrow the toolbar."""
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_add, self.act_import])
        file_menu.addSeparator()
        file_menu.addAction(self.act_settings)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        self.model_menu = bar.addMenu("&Model")
        self.model_menu.addActions(list(self.model_actions[:5]))
        self.model_menu.addSeparator()
        self.model_menu.addActions(list(self.model_actions[5:]))
        self.model_menu.addSeparator()
        self.model_menu.addAction(self.act_remove_entry)
        bar.addMenu("&Help").addAction(self.act_about)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Actions")
        toolbar.setObjectName("actions")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.act_add, self.act_import])
        toolbar.addSeparator()
        toolbar.addActions(list(self.toolbar_model_actions))
        spacer = QtWidgets.QWidget()
        spacer.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.act_settings)
        self.toolbar = toolbar

    def show_model_actions(self, shown: bool) -> None:
        """The model actions act on the Models tab: hidden (and off) on the other tabs."""
        for act in (*self.model_actions, *self.toolbar_model_actions):
            act.setVisible(shown)
        self.model_menu.menuAction().setVisible(shown)

    def update_actions(self) -> None:
        state = self.selected_state()
        status = state.status if state else None
        active = state is not None and self.manager.is_active(state.entry.key)
        self.act_download.setEnabled(state is not None and not active and status in DOWNLOADABLE)
        self.act_pause.setEnabled(active)
        self.act_resume.setEnabled(status is Status.PAUSED)
        self.act_cancel.setEnabled(active or status is Status.PAUSED)
        self.act_retry.setEnabled(status is Status.FAILED)
        self.act_delete.setEnabled(
            state is not None
            and not active
            and status in (Status.INSTALLED, Status.PAUSED)
            and state.location != "hf-cache"  # the shared cache belongs to huggingface_hub
        )
        self.act_reveal.setEnabled(state is not None and status is Status.INSTALLED)
        self.act_open_hub.setEnabled(state is not None)
        self.act_remove_entry.setEnabled(state is not None and state.entry.user_added and not active)
        start = {Status.FAILED: self.act_retry, Status.PAUSED: self.act_resume}.get(status, self.act_download)
        self.act_start.setText(start.text())
        self.act_start.setIcon(start.icon())
        self.act_start.setEnabled(start.isEnabled())

    def _context_menu(self, pos: QtCore.QPoint) -> None:
        if self.selected_key() is None:
            return
        menu = QtWidgets.QMenu(self)
        menu.addActions(list(self.model_actions))
        if self.act_remove_entry.isEnabled():
            menu.addSeparator()
            menu.addAction(self.act_remove_entry)
        menu.popup(self.view.viewport().mapToGlobal(pos))
        self.context_menu = menu
