"""Text output of the train and evaluate commands: a one-line progress bar and readable summaries."""

from __future__ import annotations

import shutil
from typing import TextIO

from cnnstudio.engine.evaluate import EvaluationReport
from cnnstudio.engine.events import BatchMetrics, EpochSummary, Finished, Started


def duration(seconds: float) -> str:
    """3725 → '1:02:05', 42 → '0:42'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{100 * fraction:.2f}%"


class ProgressBar:
    """Redraws one line on a terminal: epoch, bar, batch, loss, accuracy, images/s and ETA."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def update(self, event: BatchMetrics, epochs: int) -> None:
        columns = shutil.get_terminal_size((100, 20)).columns
        text = (
            f" {event.batch}/{event.batches}  loss {event.loss:.4f}  acc {percent(event.accuracy)}  "
            f"{event.images_per_s:,.0f} img/s  ETA {duration(event.eta)}"
        )
        head = f"epoch {event.epoch}/{epochs} "
        width = max(10, min(30, columns - len(head) - len(text) - 3))
        filled = round(width * event.batch / max(1, event.batches))
        line = f"{head}[{'#' * filled}{'.' * (width - filled)}]{text}"
        self.stream.write("\r" + line[: columns - 1].ljust(columns - 1))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            columns = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()
            self.shown = False


def started_text(event: Started, name: str, data: str) -> str:
    parallel = f" × {event.world_size} processes" if event.world_size > 1 else ""
    resumed = f", resuming after epoch {event.start_epoch}" if event.start_epoch else ""
    return (
        f"training {name} on {data}: {event.train_size:,} training / {event.val_size:,} validation images, "
        f"{len(event.classes)} classes; {event.trainable_params:,} trainable parameters; "
        f"{event.device}{parallel}, {event.precision}; {event.epochs} epochs of {event.steps_per_epoch} "
        f"batches of {event.batch_size}{resumed}"
    )


def epoch_text(event: EpochSummary) -> str:
    validation = f"  val loss {event.val_loss:.4f} acc {percent(event.val_acc)}" if event.val_loss is not None else ""
    return (
        f"epoch {event.epoch:>{len(str(event.epochs))}}/{event.epochs}  train loss {event.train_loss:.4f} "
        f"acc {percent(event.train_acc)}{validation}  lr {event.lr:.3g}  {event.images_per_s:,.0f} img/s  "
        f"{event.seconds:.1f} s{'  *best' if event.best else ''}"
    )


def finished_text(event: Finished) -> str:
    what = {
        "completed": "finished",
        "early_stopped": "stopped early (validation loss no longer improving)",
        "stopped": "stopped",
    }[event.reason]
    best = (
        f"; best epoch {event.best_epoch}: val acc {percent(event.best_val_acc)}, loss {event.best_val_loss:.4f}"
        if event.best_val_acc is not None
        else ""
    )
    return f"{what} after {event.epochs_completed} epochs in {duration(event.seconds)}{best}"


def report_text(report: EvaluationReport, title: str, mistakes: int = 10) -> str:
    """Accuracy, a per-class table, the confusion matrix and the most confident mistakes."""
    names = report.classes
    lines = [
        title,
        f"accuracy {percent(report.accuracy)} ({report.count:,} images), loss {report.loss:.4f}"
        + (f", test-time augmentation: {report.tta}" if report.tta != "none" else ""),
        "",
    ]
    width = max([5, *(len(name) for name in names)])
    lines.append(f"{'class':<{width}}  precision   recall       f1  support")
    for row in report.per_class:
        lines.append(
            f"{row.name:<{width}}  {percent(row.precision):>9}  {percent(row.recall):>7}  "
            f"{percent(row.f1):>7}  {row.support:>7,}"
        )
    lines += ["", "confusion matrix (rows: true class, columns: predicted class)"]
    cell = max([4, *(len(f"{value:,}") for row in report.confusion for value in row), *(len(n) for n in names)])
    cell = min(cell, 10)
    lines.append(" " * (width + 2) + " ".join(f"{name[:cell]:>{cell}}" for name in names))
    for name, row in zip(names, report.confusion, strict=True):
        lines.append(f"{name:<{width}}  " + " ".join(f"{value:>{cell},}" for value in row))
    if report.misclassified and mistakes:
        lines += ["", f"most confident mistakes ({len(report.misclassified):,} in all):"]
        for item in report.misclassified[:mistakes]:
            lines.append(
                f"  image {item.index}: true {names[item.true]}, predicted {names[item.predicted]} "
                f"({percent(item.confidence)})"
            )
    return "\n".join(lines)
