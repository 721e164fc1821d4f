"""The loading strip: progress with Cancel while data loads, the reason when loading failed."""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QProgressBar, QPushButton, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.widgets.notice import Notice

MESSAGE_LINES = 6  # a longer reason (where to put a download by hand) scrolls


def remaining_text(seconds: float) -> str:
    return f"{max(1, round(seconds))} s" if seconds < 90 else f"{round(seconds / 60)} min"


class LoadStatus(Notice):
    """Hidden while nothing is loading and nothing went wrong. `cancel_requested`, `retry_requested`."""

    cancel_requested = Signal()
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        bar = QProgressBar()
        bar.setTextVisible(False)
        bar.setFixedWidth(140)
        bar.setFixedHeight(10)
        cancel_button, retry_button = QPushButton("Cancel"), QPushButton("Try again")
        super().__init__((cancel_button, retry_button), leading=bar, max_lines=MESSAGE_LINES, parent=parent)
        self.bar, self.cancel_button, self.retry_button = bar, cancel_button, retry_button
        self._step = ""
        self._step_started = 0.0
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.retry_button.clicked.connect(self.retry_requested)

    def _state(self, background: str, border: str, loading: bool) -> None:
        self.tint(background, border)
        self.bar.setVisible(loading)
        self.cancel_button.setVisible(loading)
        self.retry_button.setVisible(not loading)
        self.show()

    def loading(self, title: str) -> None:
        self.bar.setRange(0, 0)  # busy until the loader reports a fraction
        self.message.setText(f"Loading {title}…")
        self.message.setStyleSheet(f"color: {style.TEXT};")
        self._state("#ffffff", style.BORDER, loading=True)

    def progress(self, message: str, fraction: float) -> None:
        """Show a step's progress, with the time left once it can be estimated."""
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1000)
        self.bar.setValue(round(fraction * 1000))
        now = time.monotonic()
        step = message.partition(" (")[0]  # "Downloading MNIST: x.gz (1.0 of 9.9 MB)": the step, then its amount
        if step != self._step:
            self._step, self._step_started = step, now
        elapsed = now - self._step_started
        left = ""
        if 0.02 <= fraction < 1 and elapsed >= 1:
            left = f" · about {remaining_text(elapsed * (1 - fraction) / fraction)} left"
        self.message.setText(message + left)

    def failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.setStyleSheet(f"color: {style.ERROR};")
        self._state(style.ERROR_FILL, "#ffcecb", loading=False)

    def cancelled(self, title: str) -> None:
        self.message.setText(f"Loading {title} was cancelled; the data shown before is not in use.")
        self.message.setStyleSheet(f"color: {style.MUTED};")
        self._state("#ffffff", style.BORDER, loading=False)

    def done(self) -> None:
        self.hide()
