"""Where hfgui keeps its data, configuration, cache and logs (built on demand, never at import)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from hfgui.core.errors import HfGuiError

APP_NAME = "hfgui"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path  # default library lives in data_dir / "models"
    config_dir: Path  # settings.json, user_catalog.json
    cache_dir: Path  # cached tree sizes
    log_dir: Path

    @property
    def default_library(self) -> Path:
        return self.data_dir / "models"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def user_catalog_file(self) -> Path:
        return self.config_dir / "user_catalog.json"

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> AppPaths:
        """Platform folders, or everything under $HFGUI_HOME when it is set (portable / tests)."""
        env = os.environ if env is None else env
        home = env.get("HFGUI_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(root / "data", root / "config", root / "cache", root / "logs")
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            Path(dirs.user_data_dir),
            Path(dirs.user_config_dir),
            Path(dirs.user_cache_dir),
            Path(dirs.user_log_dir),
        )


def check_library_folder(folder: Path) -> None:
    """Raise HfGuiError unless models can be stored in `folder` (made if missing): a full path to a
    folder hfgui can write to. Touches the disk: call it where waiting is fine (a worker, the CLI)."""
    hint = "Choose a folder you can write to (Browse…), or leave the field empty for the default."
    if not folder.is_absolute():
        raise HfGuiError(f"The library folder '{folder}' is not a full path.", hint)
    if folder.exists() and not folder.is_dir():
        raise HfGuiError(f"{folder} is a file, not a folder.", hint)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise HfGuiError(f"Models cannot be stored in {folder} ({exc.strerror or exc}).", hint) from None
