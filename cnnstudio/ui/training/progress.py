"""Where the run stands: its state, epoch and batch bars, images per second, elapsed time and ETA."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QWidget,
)

from cnnstudio.engine.events import BatchMetrics, EpochSummary, Finished, Started
from cnnstudio.graph.describe import format_count
from cnnstudio.ui.widgets.eliding_label import ElidingLabel


def format_duration(seconds: float) -> str:
    """3725 → '1:02:05', 65 → '1:05'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setTextVisible(True)
    bar.setFixedHeight(18)
    bar.setMinimumWidth(60)
    return bar


def show_progress(bar: QProgressBar, value: int, maximum: int, text: str) -> None:
    bar.setRange(0, maximum)
    bar.setValue(value)
    bar.setFormat(text)


class ProgressPanel(QFrame):
    """Follows a run's events; `set_state(text)` shows what the run is doing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.state = QLabel("Not training")
        self.state.setStyleSheet("font-weight: 600;")
        self.details = ElidingLabel("Choose data in the Data tab, set the hyperparameters, and press Train.")
        self.details.setProperty("role", "muted")
        self.epoch_bar = _bar()
        self.batch_bar = _bar()
        self.rate = QLabel("–")
        self.elapsed = QLabel("–")
        self.eta = QLabel("–")
        for label, tip in (
            (self.rate, "Training images per second (validation excluded)"),
            (self.elapsed, "Time since the run (or its resumed part) began"),
            (self.eta, "Estimated time until the last epoch ends"),
        ):
            label.setToolTip(tip)
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(4)
        layout.addWidget(self.state, 0, 0, 1, 2)
        layout.addWidget(self.details, 0, 2, 1, 5)
        layout.addWidget(QLabel("Epoch"), 1, 0)
        layout.addWidget(self.epoch_bar, 1, 1, 1, 2)
        layout.addWidget(QLabel("Batch"), 1, 3)
        layout.addWidget(self.batch_bar, 1, 4, 1, 3)
        for column, (title, label) in enumerate((("Speed", self.rate), ("Elapsed", self.elapsed), ("ETA", self.eta))):
            caption = QLabel(title)
            caption.setProperty("role", "muted")
            layout.addWidget(caption, 0, 7 + column)
            layout.addWidget(label, 1, 7 + column)
        layout.setColumnStretch(2, 1)
        layout.setColumnStretch(6, 1)
        for column in (7, 8, 9):
            layout.setColumnMinimumWidth(column, 50)
        self.reset()

    def reset(self) -> None:
        self._run_details = ""
        self._score_name = "accuracy"
        for bar in (self.epoch_bar, self.batch_bar):
            show_progress(bar, 0, 1, "–")
        for label in (self.rate, self.elapsed, self.eta):
            label.setText("–")

    def set_state(self, text: str, details: str | None = None) -> None:
        self.state.setText(text)
        if details is not None:
            self.details.setText(details)
            self.details.setToolTip(details)

    def starting(self, what: str) -> None:
        self.reset()
        self.batch_bar.setRange(0, 0)  # busy until the worker reports
        self.set_state("Starting…", f"{what} — starting the training process (PyTorch and the data load first)")

    def started(self, event: Started) -> None:
        show_progress(self.batch_bar, 0, max(1, event.steps_per_epoch), f"0 / {event.steps_per_epoch}")
        show_progress(self.epoch_bar, event.start_epoch, event.epochs, f"{event.start_epoch} / {event.epochs} done")
        images = f"{event.train_size:,} training + {event.val_size:,} validation images"
        self._run_details = (
            f"on {event.device} ({event.precision}) · {images} · batch {event.batch_size} · "
            f"{format_count(event.params)} learnables"
        )
        self._score_name = "macro AUROC" if event.task == "multi-label" else "accuracy"
        self.running()

    def running(self) -> None:
        """Back to 'Training' (after starting, or a pause)."""
        self.set_state("Training", self._run_details)

    def batch(self, event: BatchMetrics) -> None:
        show_progress(
            self.batch_bar, event.batch, event.batches, f"{event.batch} / {event.batches}  (epoch {event.epoch})"
        )
        self.rate.setText(f"{event.images_per_s:,.0f} img/s")
        self.elapsed.setText(format_duration(event.elapsed))
        self.eta.setText(format_duration(event.eta))

    def epoch(self, event: EpochSummary) -> None:
        show_progress(self.epoch_bar, event.epoch, event.epochs, f"{event.epoch} / {event.epochs} done")
        self.rate.setText(f"{event.images_per_s:,.0f} img/s")
        self.elapsed.setText(format_duration(event.elapsed))
        self.eta.setText(format_duration(event.eta))

    def finished(self, event: Finished) -> None:
        show_progress(self.batch_bar, 1 if event.reason != "stopped" else 0, 1, "–")
        self.elapsed.setText(format_duration(event.seconds))
        self.eta.setText("–")
        best = (
            f"best validation {self._score_name} {event.best_val_acc:.1%} after epoch {event.best_epoch}"
            if event.best_val_acc is not None
            else "no validation data"
        )
        if event.reason == "stopped":
            self.set_state(
                "Stopped",
                f"after {event.epochs_completed} epoch(s) and {event.step:,} steps · {best} · "
                "resume it from the runs list",
            )
        else:
            reason = (
                "Finished early (the validation loss stopped improving)"
                if event.reason == "early_stopped"
                else "Finished"
            )
            self.set_state(reason, f"{event.epochs_completed} epochs in {format_duration(event.seconds)} · {best}")

    def failed(self, message: str) -> None:
        show_progress(self.batch_bar, 0, 1, "–")
        self.eta.setText("–")
        self.set_state("Failed", message)
