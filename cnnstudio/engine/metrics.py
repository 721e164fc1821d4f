"""Loss and accuracy bookkeeping during training, metrics.json, and per-class metrics.

Running sums stay on the training device and are read back only when a message is due (at most
ten times a second) or an epoch ends: reading a GPU value every batch would stall the pipeline.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from cnnstudio.engine.events import EpochSummary
from cnnstudio.fileio import atomic_write_text


class RunningMetrics:
    """Sums of loss and correct predictions over an epoch, on the device."""

    def __init__(self, device: torch.device, loss_sum: float = 0.0, correct: int = 0, seen: int = 0) -> None:
        self._loss = torch.tensor(loss_sum, dtype=torch.float32, device=device)
        self._correct = torch.tensor(correct, dtype=torch.int64, device=device)
        self.seen = seen

    def update(self, loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        """Add a batch: `loss` is its mean loss."""
        count = labels.shape[0]
        self._loss.add_(loss.detach().float(), alpha=count)
        self._correct.add_((logits.detach().argmax(dim=1) == labels).sum())
        self.seen += count

    def totals(self) -> tuple[float, int, int]:
        """(loss sum, correct, samples) — reads the device."""
        return float(self._loss.item()), int(self._correct.item()), self.seen

    def accuracy_since(self, correct_before: int, seen_before: int) -> float:
        """Accuracy of the batches after the first `seen_before` samples, `correct_before` of them right."""
        _, correct, seen = self.totals()
        return (correct - correct_before) / max(1, seen - seen_before)

    def epoch_accuracy(self, correct: float, seen: float) -> float:
        """The epoch's accuracy from its totals (summed over the processes of a data-parallel run)."""
        return correct / seen


class MetricsLog:
    """`metrics.json` of a run: one entry per epoch plus what the run is, rewritten atomically.

    {"epochs": [{"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "images_per_s",
    "seconds"}], "status": "running" | "completed" | "early_stopped" | "stopped" | "failed",
    "best_epoch": n, "classes": [...], "device": "...", "config": {...}}. Accuracies are fractions.
    """

    FIELDS = ("epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "images_per_s", "seconds")

    def __init__(self, path: str | os.PathLike, header: dict[str, Any], keep_epochs: int = 0) -> None:
        """keep_epochs: on resume, the number of epochs of an existing file that the checkpoint covers."""
        self.path = Path(path)
        self.header = header
        self.epochs: list[dict[str, Any]] = []
        if keep_epochs and self.path.is_file():
            try:
                previous = json.loads(self.path.read_text(encoding="utf-8")).get("epochs", [])
            except (OSError, ValueError, AttributeError):
                previous = []
            self.epochs = [
                entry
                for entry in previous
                if isinstance(entry, dict) and isinstance(entry.get("epoch"), int) and entry["epoch"] <= keep_epochs
            ]

    def add(self, summary: EpochSummary) -> None:
        self.epochs.append({name: getattr(summary, name) for name in self.FIELDS})

    def write(self, status: str, best_epoch: int | None) -> None:
        document = {"epochs": self.epochs, "status": status, "best_epoch": best_epoch, **self.header}
        atomic_write_text(self.path, json.dumps(document, indent=1))


@dataclass
class ClassMetrics:
    name: str
    precision: float
    recall: float
    f1: float
    support: int  # true samples of this class


def confusion_matrix(predicted: torch.Tensor, true: torch.Tensor, classes: int) -> torch.Tensor:
    """[true class, predicted class] counts (int64, on the inputs' device)."""
    return torch.bincount(true * classes + predicted, minlength=classes * classes).view(classes, classes)


def per_class_metrics(confusion: torch.Tensor, names: list[str]) -> list[ClassMetrics]:
    """Precision, recall and F1 per class from a confusion matrix (0 where undefined)."""
    confusion = confusion.double().cpu()
    hits = confusion.diag()
    predicted = confusion.sum(dim=0)
    actual = confusion.sum(dim=1)
    precision = torch.where(predicted > 0, hits / predicted.clamp_min(1), torch.zeros_like(hits))
    recall = torch.where(actual > 0, hits / actual.clamp_min(1), torch.zeros_like(hits))
    denominator = precision + recall
    f1 = torch.where(denominator > 0, 2 * precision * recall / denominator.clamp_min(1e-12), torch.zeros_like(hits))
    return [
        ClassMetrics(name, float(precision[i]), float(recall[i]), float(f1[i]), int(actual[i]))
        for i, name in enumerate(names)
    ]
