"""Per-user settings (window geometry, splitter sizes, recent files) and the per-user folders.

Settings are a small JSON file in the platform's config folder (platformdirs), written atomically.
`CNNSTUDIO_CONFIG_DIR`, `CNNSTUDIO_STATE_DIR` and `CNNSTUDIO_DATA_DIR` override the folders: tests point
them at a temporary folder, and a portable install can point them beside the program.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import platformdirs

from cnnstudio.fileio import atomic_write_text

APP_NAME = "cnnstudio"
MAX_RECENT = 10


def config_dir() -> Path:
    """Where settings live (e.g. ~/.config/cnnstudio)."""
    override = os.environ.get("CNNSTUDIO_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path(APP_NAME, appauthor=False)


def state_dir() -> Path:
    """Where recovery files live (e.g. ~/.local/state/cnnstudio)."""
    override = os.environ.get("CNNSTUDIO_STATE_DIR")
    return Path(override) if override else platformdirs.user_state_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Where the user's work lives: training runs, webcam captures and downloaded datasets
    (e.g. ~/.local/share/cnnstudio); `CNNSTUDIO_DATA_DIR` overrides it (tests set it)."""
    override = os.environ.get("CNNSTUDIO_DATA_DIR")
    return Path(override) if override else platformdirs.user_data_path(APP_NAME, appauthor=False)


def runs_dir() -> Path:
    """Where the Training tab keeps its runs, one folder per run."""
    return data_dir() / "runs"


def captures_dir() -> Path:
    """Where the Webcam tab records teach-from-camera datasets, one image folder per dataset."""
    return data_dir() / "captures"


class Settings:
    """A JSON dictionary of settings. A missing or damaged file gives defaults, never an error.

    A damaged file is kept as `settings.json.damaged` (the next save would replace it) and `problem`
    says what was ignored, for the window to show.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        self.problem = ""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            self._ignore(f"cannot be read ({getattr(error, 'strerror', None) or error})")
            return
        try:
            loaded = json.loads(text)
        except (ValueError, RecursionError, MemoryError):
            loaded = None
        if isinstance(loaded, dict):
            self._values = loaded
        else:
            self._ignore("is not a JSON object of settings")

    def _ignore(self, reason: str) -> None:
        backup = self.path.with_name(self.path.name + ".damaged")
        with contextlib.suppress(OSError):
            os.replace(self.path, backup)
        self.problem = (
            f"The settings file {self.path} {reason}; it was ignored (kept as {backup.name}): "
            "the window layout and recent files start from their defaults"
        )

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self._values[key] = value

    def save(self) -> None:
        """Write the settings; a read-only config folder must not stop the program."""
        with contextlib.suppress(OSError):
            atomic_write_text(self.path, json.dumps(self._values, indent=2, ensure_ascii=False))

    # ----- recent files
    def recent_files(self) -> list[str]:
        value = self.get("recent_files", [])
        return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []

    def add_recent_file(self, path: str | os.PathLike) -> None:
        entry = str(Path(path).resolve())
        files = [entry] + [item for item in self.recent_files() if item != entry]
        self.set("recent_files", files[:MAX_RECENT])
        self.save()

    def remove_recent_file(self, path: str) -> None:
        self.set("recent_files", [item for item in self.recent_files() if item != path])
        self.save()
