"""The Webcam tab's file questions behind one small class, so tests can answer them instead of a dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from cnnstudio.engine.checkpoint import STATE_JSON

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg *.mpeg *.wmv);;All files (*)"
MODEL_FILTER = f"Designs and checkpoints (*.cnn.json {STATE_JSON});;All files (*)"


class WebcamDialogs:
    """Each method returns the chosen path, or None when the user cancels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def video_file(self, directory: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Classify a video file", directory, VIDEO_FILTER)
        return path or None

    def image_folder(self, directory: str) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, "Classify the images of a folder", directory) or None

    def model_file(self, directory: str) -> str | None:
        """A design file (with its weights beside it), or a checkpoint's state.json (→ its folder)."""
        path, _ = QFileDialog.getOpenFileName(
            self.parent, "Choose a design (.cnn.json) or a run checkpoint's state.json", directory, MODEL_FILTER)
        if not path:
            return None
        return str(Path(path).parent) if Path(path).name == STATE_JSON else path
