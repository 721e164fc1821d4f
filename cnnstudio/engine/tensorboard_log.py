"""What a run writes for other tools, fed by its events: TensorBoard event files (`tensorboard --logdir RUN`,
or the experiment folder of a sweep, whose trials then show side by side) and `metrics.csv`, one row per
epoch, for spreadsheets and pandas.

The files are opened when the run has started (a run that fails during setup leaves none) and closed when
its events end, however they end. A resumed run appends: the CSV keeps the epochs before the resume point,
TensorBoard gets a second event file in the same folder.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnstudio.engine.events import BatchMetrics, EpochSummary, Event, Started
from cnnstudio.fileio import atomic_write_text

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter

CSV_FILE = "metrics.csv"
CSV_COLUMNS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "images_per_s", "seconds", "elapsed")
EPOCH_SCALARS = {  # TensorBoard tag → EpochSummary field (x axis: the epoch)
    "loss/train": "train_loss",
    "loss/val": "val_loss",
    "accuracy/train": "train_acc",
    "accuracy/val": "val_acc",
    "epoch/lr": "lr",
    "epoch/images_per_s": "images_per_s",
}
BATCH_SCALARS = {"batch/loss": "loss", "batch/accuracy": "accuracy", "batch/lr": "lr"}  # x axis: the step


class RunRecorder:
    """Writes one run's TensorBoard scalars and metrics.csv as its events arrive."""

    def __init__(self, run_dir: str | Path) -> None:
        self.run_dir = Path(run_dir)
        self.writer: SummaryWriter | None = None
        self.rows: list[dict[str, Any]] = []

    def observe(self, event: Event) -> None:
        if isinstance(event, Started):
            self._open(event.start_epoch)
        elif self.writer is None:
            return
        elif isinstance(event, BatchMetrics):
            for tag, name in BATCH_SCALARS.items():
                self.writer.add_scalar(tag, getattr(event, name), event.step)
        elif isinstance(event, EpochSummary):
            for tag, name in EPOCH_SCALARS.items():
                value = getattr(event, name)
                if value is not None:
                    self.writer.add_scalar(tag, value, event.epoch)
            self.writer.flush()
            self.rows.append({column: getattr(event, column) for column in CSV_COLUMNS})
            self._write_csv()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def _open(self, start_epoch: int) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.close()
        self.rows = [row for row in read_metrics_csv(self.run_dir) if int(row["epoch"]) <= start_epoch]
        self.writer = SummaryWriter(log_dir=str(self.run_dir))

    def _write_csv(self) -> None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: "" if value is None else value for key, value in row.items()} for row in self.rows)
        atomic_write_text(self.run_dir / CSV_FILE, buffer.getvalue())


def log_files(run_dir: Path) -> list[Path]:
    """The files the recorder wrote into a run folder: its TensorBoard event files and metrics.csv."""
    return sorted(path for path in [*run_dir.glob("events.out.tfevents.*"), run_dir / CSV_FILE] if path.is_file())


def read_metrics_csv(run_dir: str | Path) -> list[dict[str, Any]]:
    """The rows of a run's metrics.csv ([] when it has none)."""
    path = Path(run_dir) / CSV_FILE
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def recorded(events: Iterator[Event], run_dir: str | Path) -> Iterator[Event]:
    """`events`, passed through unchanged, recorded into the run folder on the way."""
    recorder = RunRecorder(run_dir)
    try:
        for event in events:
            recorder.observe(event)
            yield event
    finally:
        recorder.close()
