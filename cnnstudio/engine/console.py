"""Text output of the train and evaluate commands: a one-line progress bar and readable summaries."""

from __future__ import annotations

import math
import shutil
from typing import TextIO

from cnnstudio.engine.evaluate import EvaluationReport
from cnnstudio.engine.events import BatchMetrics, EpochSummary, Finished, Started
from cnnstudio.engine.multilabel import MultiLabelReport
from cnnstudio.graph.network import MULTI_LABEL


def duration(seconds: float) -> str:
    """3725 → '1:02:05', 42 → '0:42'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(fraction: float | None) -> str:
    return "–" if fraction is None or math.isnan(fraction) else f"{100 * fraction:.2f}%"


def score_name(task: str) -> str:
    """What the runs' "accuracy" numbers are for a task: accuracy, or a multi-label run's macro AUROC."""
    return "macro AUROC" if task == MULTI_LABEL else "acc"


def _score(fraction: float | None, name: str) -> str:
    if name == "acc":
        return percent(fraction)
    return "–" if fraction is None or math.isnan(fraction) else f"{fraction:.4f}"


class ProgressBar:
    """Redraws one line on a terminal: epoch, bar, batch, loss, accuracy, images/s and ETA."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def update(self, event: BatchMetrics, epochs: int, score: str = "acc") -> None:
        columns = shutil.get_terminal_size((100, 20)).columns
        text = (
            f" {event.batch}/{event.batches}  loss {event.loss:.4f}  {score} {_score(event.accuracy, score)}  "
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
        f"{len(event.classes)} {'labels (multi-label)' if event.task == MULTI_LABEL else 'classes'}; "
        f"{event.trainable_params:,} trainable parameters; "
        f"{event.device}{parallel}, {event.precision}; {event.epochs} epochs of {event.steps_per_epoch} "
        f"batches of {event.batch_size}{resumed}"
    )


def epoch_text(event: EpochSummary, score: str = "acc") -> str:
    """One epoch's line; score: what the accuracies are (score_name)."""
    validation = (
        f"  val loss {event.val_loss:.4f} {score} {_score(event.val_acc, score)}" if event.val_loss is not None else ""
    )
    return (
        f"epoch {event.epoch:>{len(str(event.epochs))}}/{event.epochs}  train loss {event.train_loss:.4f} "
        f"{score} {_score(event.train_acc, score)}{validation}  lr {event.lr:.3g}  {event.images_per_s:,.0f} img/s  "
        f"{event.seconds:.1f} s{'  *best' if event.best else ''}"
    )


def finished_text(event: Finished, score: str = "acc") -> str:
    what = {
        "completed": "finished",
        "early_stopped": "stopped early (validation loss no longer improving)",
        "stopped": "stopped",
    }[event.reason]
    best = (
        f"; best epoch {event.best_epoch}: val {score} {_score(event.best_val_acc, score)}, "
        f"loss {event.best_val_loss:.4f}"
        if event.best_val_acc is not None
        else ""
    )
    return f"{what} after {event.epochs_completed} epochs in {duration(event.seconds)}{best}"


def report_text(report: EvaluationReport | MultiLabelReport, title: str, mistakes: int = 10) -> str:
    """Accuracy, a per-class table, the confusion matrix and the most confident mistakes (multi-label: the
    per-label table and the averages)."""
    if isinstance(report, MultiLabelReport):
        return label_report_text(report, title)
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


def _metric(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.4f}"


def label_report_text(report: MultiLabelReport, title: str) -> str:
    """A multi-label evaluation: per-label AUROC, AP, F1, precision, recall, then macro and micro averages."""
    width = max([5, *(len(name) for name in report.classes)])
    lines = [
        title,
        f"macro AUROC {_metric(report.macro_auroc)} ({report.count:,} images, {len(report.classes)} labels), "
        f"loss {report.loss:.4f}" + (f", test-time augmentation: {report.tta}" if report.tta != "none" else ""),
        "",
        f"{'label':<{width}}   AUROC      AP      F1  precision  recall  threshold  support",
    ]
    for row in report.per_label:
        lines.append(
            f"{row.name:<{width}}  {_metric(row.auroc):>6}  {_metric(row.average_precision):>6}  {row.f1:>6.4f}  "
            f"{row.precision:>9.4f}  {row.recall:>6.4f}  {row.threshold:>9.2f}  {row.support:>7,}"
        )
    lines += [
        "",
        f"macro AUROC {_metric(report.macro_auroc)}   micro AUROC {_metric(report.micro_auroc)}",
        f"macro AP {_metric(report.macro_average_precision)}   micro AP {_metric(report.micro_average_precision)}",
        f"macro F1 {report.macro_f1:.4f}   micro F1 {report.micro_f1:.4f}   "
        f"exact match {percent(report.exact_match)} (every label right)",
    ]
    undefined = [row.name for row in report.per_label if math.isnan(row.auroc)]
    if undefined:
        lines.append(f"no AUROC or AP for {', '.join(undefined)}: the images all carry the label, or none do")
    return "\n".join(lines)
