"""The Webcam tab's file questions, asked through the window's prompts (which tests script)."""

from __future__ import annotations

from pathlib import Path

from cnnstudio.engine.checkpoint import STATE_JSON
from cnnstudio.ui.prompts import Prompts

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg *.mpeg *.wmv);;All files (*)"
MODEL_FILTER = f"Designs and checkpoints (*.cnn.json {STATE_JSON});;All files (*)"


class WebcamDialogs:
    """Each method returns the chosen path, or None when the user cancels."""

    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts

    def video_file(self, directory: str) -> str | None:
        return self.prompts.open_path("Classify a video file", directory, VIDEO_FILTER)

    def image_folder(self, directory: str) -> str | None:
        return self.prompts.choose_directory("Classify the images of a folder", directory)

    def model_file(self, directory: str) -> str | None:
        """A design file (with its weights beside it), or a checkpoint's state.json (→ its folder)."""
        path = self.prompts.open_path(
            "Choose a design (.cnn.json) or a run checkpoint's state.json", directory, MODEL_FILTER
        )
        if not path:
            return None
        return str(Path(path).parent) if Path(path).name == STATE_JSON else path
