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
from cnnstudio.ui.tasks import Task, TaskRunner

_PERMILLE = 1000


class DownloadPanel(QWidget):
    """Downloads one network's weights at a time into the torch cache.

    downloaded(name) when the file is in place; failed(message) saying why it is not.
    """

    downloaded = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner("cnnstudio-download", self)
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
        return self._tasks.is_busy()

    def start(self, name: str) -> None:
        """Download the ImageNet weights of torchvision's `name` (ignored while another runs)."""
        if self.busy():
            return
        self._name = name
        self._set_message(f"Downloading the {name} weights…")
        self.bar.setValue(0)
        self._show_progress(True)

        def fetch(task: Task) -> str:
            download_weights(name, task.report)
            return name

        self._tasks.submit(
            fetch,
            on_done=self._finished,
            on_error=self._failed,
            on_progress=self._progress,
            on_cancelled=self._cancelled,
        )

    def cancel(self) -> None:
        if self.busy():
            self._tasks.cancel()
            self._set_message(f"Cancelling the download of {self._name}…")

    def shutdown(self) -> None:
        self._tasks.shutdown()

    def _progress(self, message: str, fraction: float) -> None:
        self._set_message(message)
        self.bar.setValue(round(fraction * _PERMILLE))

    def _end(self) -> None:
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
