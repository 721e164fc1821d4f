"""Downloading torchvision's pretrained weights from the GUI: a progress bar with Cancel, and a clear
message when the download cannot be made (offline, server error, damaged file)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from cnnstudio.pretrained.torchvision_zoo import download_weights
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.progress import ProgressStrip


class DownloadPanel(ProgressStrip):
    """Downloads one network's weights at a time into the torch cache.

    downloaded(name) when the file is in place; failed(message) saying why it is not; ended after
    either, or a cancelled download (another one may start then).
    """

    downloaded = Signal(str)
    failed = Signal(str)
    ended = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self._tasks = TaskRunner("cnnstudio-download", self)
        self._name = ""
        self.cancel_requested.connect(self.cancel)

    def busy(self) -> bool:
        return self._tasks.is_busy()

    def start_download(self, name: str) -> None:
        """Download the ImageNet weights of torchvision's `name` (ignored while another runs)."""
        if self.busy():
            return
        self._name = name
        self.start(f"Downloading the {name} weights…")

        def fetch(task: Task) -> str:
            download_weights(name, task.report)
            return name

        self._tasks.submit(
            fetch,
            on_done=self._finished,
            on_error=self._failed,
            on_progress=self.progress,
            on_cancelled=self._cancelled,
        )

    def cancel(self) -> None:
        if self.busy():
            self._tasks.cancel()
            self.say(f"Cancelling the download of {self._name}…")

    def shutdown(self) -> None:
        self._tasks.shutdown()

    def _finished(self, name: str) -> None:
        self.finish(f"Downloaded the {name} weights.")
        self.downloaded.emit(name)
        self.ended.emit()

    def _failed(self, error: Exception) -> None:
        text = str(error) or type(error).__name__
        self.finish(text, error=True)
        self.failed.emit(text)
        self.ended.emit()

    def _cancelled(self) -> None:
        self.finish(f"The download of {self._name} was cancelled; nothing was saved.")
        self.ended.emit()
