"""Downloading torchvision's pretrained weights from the GUI: a progress bar with Cancel, and a clear
message when the download cannot be made (offline, server error, damaged file)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.pretrained.torchvision_zoo import download_weights
from cnnstudio.ui.pretrained.task import ProgressTask, Report, TaskList

_PERMILLE = 1000


class DownloadPanel(QWidget):
    """Downloads one network's weights at a time into the torch cache.

    downloaded(name) when the file is in place; failed(message) saying why it is not.
    """

    downloaded = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskList()
        self._task: ProgressTask | None = None
        self._name = ""
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, _PERMILLE)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self._show_progress(False)
        self.message.hide()

    def busy(self) -> bool:
        return self._task is not None

    def start(self, name: str) -> None:
        """Download the ImageNet weights of torchvision's `name` (ignored while another runs)."""
        if self._task is not None:
            return
        self._name = name
        self._set_message(f"Downloading the {name} weights…")
        self.bar.setValue(0)
        self._show_progress(True)

        def fetch(report: Report) -> str:
            download_weights(name, report)
            return name

        task = ProgressTask(fetch, f"cnnstudio-download-{name}", self)
        task.progress.connect(self._progress)
        task.finished.connect(self._finished)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._cancelled)
        self._task = task
        self._tasks.start(task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._set_message(f"Cancelling the download of {self._name}…")

    def shutdown(self) -> None:
        self._tasks.shutdown()

    def _progress(self, message: str, fraction: float) -> None:
        self._set_message(message)
        self.bar.setValue(round(fraction * _PERMILLE))

    def _end(self) -> None:
        if self._task is not None:
            self._task.wait()
        self._task = None
        self._show_progress(False)

    def _finished(self, name: str) -> None:
        self._end()
        self._set_message(f"Downloaded the {name} weights.")
        self.downloaded.emit(name)

    def _failed(self, error: Exception) -> None:
        self._end()
        text = str(error) or type(error).__name__
        self._set_message(text, error=True)
        self.failed.emit(text)

    def _cancelled(self) -> None:
        self._end()
        self._set_message(f"The download of {self._name} was cancelled; nothing was saved.")

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()

    def _show_progress(self, visible: bool) -> None:
        self.bar.setVisible(visible)
        self.cancel_button.setVisible(visible)
