"""A background job as the user sees it: what it is doing, a progress bar and Cancel while it runs, and
its outcome (or why it failed) once it ended; and `set_role`, which restyles a label by its theme role.

    strip = ProgressStrip()
    strip.start("Downloading the resnet18 weights…")   # or start(..., busy=True) when no fractions come
    strip.progress(message, fraction)                   # from TaskRunner's on_progress
    strip.finish("Downloaded.")  /  strip.finish(str(error), error=True)
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

_PERMILLE = 1000


def set_role(widget: QWidget, role: str) -> None:
    """Style `widget` as the theme's `role` ("error", "muted", "heading"; "" for plain text) right away."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ProgressStrip(QWidget):
    """A message line over a progress bar with a Cancel button (`cancel_requested`).

    The bar and the button show only while a job runs; the message stays (hidden while empty).
    cancellable: whether the job can be cancelled (else there is no button). quiet_role: the role of a
    message that is not an error.
    """

    cancel_requested = Signal()

    def __init__(self, *, cancellable: bool = True, quiet_role: str = "muted", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quiet_role = quiet_role
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, _PERMILLE)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self._cancellable = cancellable
        layout = QGridLayout(self)  # the message over the bar and its button
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message, 0, 0, 1, 2)
        layout.addWidget(self.bar, 1, 0)
        layout.addWidget(self.cancel_button, 1, 1)
        layout.setColumnStretch(0, 1)
        self._show_running(False)
        self.say("")

    @property
    def running(self) -> bool:
        return not self.bar.isHidden()

    def start(self, message: str, *, busy: bool = False) -> None:
        """A job started; busy: it reports no fractions (the bar moves to and fro)."""
        self.bar.setRange(0, 0 if busy else _PERMILLE)
        self.bar.setValue(0)
        self._show_running(True)
        self.say(message)

    def progress(self, message: str, fraction: float) -> None:
        """The job's progress in the `cnnstudio.progress.Progress` convention."""
        if self.bar.maximum() == 0:
            self.bar.setRange(0, _PERMILLE)
        self.bar.setValue(round(fraction * _PERMILLE))
        self.say(message)

    def finish(self, message: str = "", *, error: bool = False) -> None:
        """The job ended: hide the bar and the button, say how it went."""
        self._show_running(False)
        self.say(message, error=error)

    def say(self, message: str, *, error: bool = False) -> None:
        """Show a message (an error in the error style) without changing whether a job runs."""
        self.message.setText(message)
        self.message.setVisible(bool(message))
        set_role(self.message, "error" if error else self.quiet_role)

    def _show_running(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running and self._cancellable)
