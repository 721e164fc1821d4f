"""Multi-label classification: the loss, running scores during training, and the per-label metrics.

A multi-label network outputs one logit per label; its probabilities are independent sigmoids, and a label is
predicted present when its probability reaches that label's threshold (0.5 unless chosen). It trains with
BCEWithLogitsLoss, optionally weighting each label's positives by its negatives-to-positives ratio in the
training images, so rare findings are not ignored.

The metrics (AUROC, average precision, F1, precision, recall) are scikit-learn's: it is a dependency already
(the digits set), imported here only when a metric is computed, and its AUROC and average precision are the
reference implementations (ties, undefined cases); torchmetrics would be one more dependency for the same
numbers. A label whose images are all positive or all negative has no AUROC or average precision (NaN); the
macro averages leave such labels out, the micro averages pool every decision.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

DEFAULT_THRESHOLD = 0.5


class LabelLoss(nn.Module):
    """BCEWithLogitsLoss on 0/1 targets of any dtype (the datasets hold them as uint8)."""

    def __init__(self, pos_weight: torch.Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__()
        self.loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction=reduction)

    def forward(self, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        loss: torch.Tensor = self.loss(logits.float(), targets.float())
        if self.loss.reduction == "sum":  # per image, as cross-entropy's sum is: a sum over images of the
            return loss / max(1, targets.shape[1])  # mean over labels
        return loss


def positive_weights(labels: torch.Tensor) -> torch.Tensor:
    """Each label's negatives / positives among `labels` [N, L] (1 for a label without positives)."""
    positives = labels.sum(dim=0, dtype=torch.float64)
    negatives = labels.shape[0] - positives
    return torch.where(positives > 0, negatives / positives.clamp_min(1), torch.ones_like(positives)).float()


def macro_auroc(probabilities: np.ndarray, targets: np.ndarray) -> float:
    """The mean AUROC over the labels where it is defined (NaN when it is defined for none)."""
    values = [value for value in per_label_auroc(probabilities, targets) if not math.isnan(value)]
    return float(np.mean(values)) if values else math.nan


def per_label_auroc(probabilities: np.ndarray, targets: np.ndarray) -> list[float]:
    from sklearn.metrics import roc_auc_score

    return [
        float(roc_auc_score(targets[:, i], probabilities[:, i])) if _both_classes(targets[:, i]) else math.nan
        for i in range(targets.shape[1])
    ]


def _both_classes(column: np.ndarray) -> bool:
    return bool(column.any() and not column.all())


class RunningLabelScores:
    """A multi-label epoch's loss sum and its predictions (kept on the device), for the live macro AUROC.

    Same interface as metrics.RunningMetrics; `correct` stays 0 (there is no one correct class), and
    the scores in place of accuracy are macro AUROCs of the predictions since a point of the epoch.
    """

    def __init__(self, device: torch.device, loss_sum: float = 0.0, seen: int = 0) -> None:
        self._loss = torch.tensor(loss_sum, dtype=torch.float32, device=device)
        self.start, self.seen = seen, seen  # a run resumed mid-epoch has no predictions before `start`
        self._probabilities: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []

    def update(self, loss: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> None:
        count = labels.shape[0]
        self._loss.add_(loss.detach().float(), alpha=count)
        self._probabilities.append(torch.sigmoid(logits.detach().float()))
        self._targets.append(labels.detach())
        self.seen += count

    def totals(self) -> tuple[float, int, int]:
        return float(self._loss.item()), 0, self.seen

    def accuracy_since(self, correct_before: int, seen_before: int) -> float:
        """Macro AUROC of the predictions after the first `seen_before` images of the epoch."""
        probabilities, targets = self._arrays()
        skip = max(0, seen_before - self.start)
        return macro_auroc(probabilities[skip:], targets[skip:])

    def epoch_accuracy(self, correct: float, seen: float) -> float:
        """Macro AUROC of the epoch's predictions (this process's, in a data-parallel run)."""
        return self.accuracy_since(0, self.start)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._probabilities:
            return np.zeros((0, 0)), np.zeros((0, 0))
        self._probabilities = [torch.cat(self._probabilities)]
        self._targets = [torch.cat(self._targets)]
        return self._probabilities[0].cpu().numpy(), self._targets[0].cpu().numpy()


@dataclass
class LabelMetrics:
    """One label's results over a dataset; auroc/average_precision are NaN where undefined."""

    name: str
    auroc: float
    average_precision: float
    f1: float
    precision: float
    recall: float
    threshold: float
    support: int  # images that carry the label


@dataclass
class LabelMistake:
    """An image with at least one label decided wrong; `confidence` is that of its most confident wrong
    decision (the probability of a label wrongly predicted present, one minus it for one wrongly absent)."""

    index: int  # image index in the evaluated dataset
    true: list[int]  # the labels the image carries
    predicted: list[int]  # the labels decided present
    confidence: float


@dataclass
class MultiLabelReport:
    """A multi-label evaluation: per-label results and the macro/micro averages (fractions in 0-1)."""

    classes: list[str]
    count: int
    loss: float  # binary cross-entropy, mean over labels and images
    per_label: list[LabelMetrics]
    macro_auroc: float
    micro_auroc: float
    macro_average_precision: float
    micro_average_precision: float
    macro_f1: float
    micro_f1: float
    exact_match: float  # share of images whose every label is decided right
    tta: str = "none"
    mistakes: list[LabelMistake] = field(default_factory=list)  # most confident first
    task: str = field(default="multi-label")

    @property
    def accuracy(self) -> float:
        """The score that stands in for accuracy in lists of runs: the macro AUROC."""
        return self.macro_auroc

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-able values: undefined scores (NaN) become None."""
        import dataclasses

        def defined(value: object) -> object:
            if isinstance(value, float) and math.isnan(value):
                return None
            if isinstance(value, list):
                return [defined(item) for item in value]
            if isinstance(value, dict):
                return {key: defined(item) for key, item in value.items()}
            return value

        return {key: defined(value) for key, value in dataclasses.asdict(self).items()}


def thresholds_for(thresholds: float | Sequence[float] | None, labels: int) -> np.ndarray:
    """One threshold per label from one value for all, one per label, or None (0.5). Raises ValueError."""
    if thresholds is None:
        values = np.full(labels, DEFAULT_THRESHOLD)
    elif isinstance(thresholds, int | float):
        values = np.full(labels, float(thresholds))
    else:
        values = np.asarray([float(value) for value in thresholds])
        if len(values) != labels:
            raise ValueError(f"give one threshold for all labels or one per label ({labels}), not {len(values)}")
    if not ((values > 0) & (values < 1)).all():
        raise ValueError("thresholds must lie between 0 and 1")
    return values


def label_report(
    probabilities: np.ndarray,
    targets: np.ndarray,
    names: Sequence[str],
    thresholds: float | Sequence[float] | None = None,
    tta: str = "none",
) -> MultiLabelReport:
    """Per-label and averaged AUROC, average precision, F1, precision and recall of probabilities [N, L]
    against 0/1 targets [N, L], deciding each label at its threshold."""
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

    limits = thresholds_for(thresholds, len(names))
    targets = targets.astype(np.int64)
    decided = (probabilities >= limits).astype(np.int64)
    per_label = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined precision/recall are 0, as zero_division says
        for i, name in enumerate(names):
            truth, scores, chosen = targets[:, i], probabilities[:, i], decided[:, i]
            defined = _both_classes(truth)
            per_label.append(
                LabelMetrics(
                    name,
                    float(roc_auc_score(truth, scores)) if defined else math.nan,
                    float(average_precision_score(truth, scores)) if defined else math.nan,
                    float(f1_score(truth, chosen, zero_division=0)),
                    float(precision_score(truth, chosen, zero_division=0)),
                    float(recall_score(truth, chosen, zero_division=0)),
                    float(limits[i]),
                    int(truth.sum()),
                )
            )
        flat_truth, flat_scores = targets.ravel(), probabilities.ravel()
        pooled = _both_classes(flat_truth)
        loss = _bce(probabilities, targets)
        return MultiLabelReport(
            list(names),
            int(targets.shape[0]),
            loss,
            per_label,
            _nanmean([m.auroc for m in per_label]),
            float(roc_auc_score(flat_truth, flat_scores)) if pooled else math.nan,
            _nanmean([m.average_precision for m in per_label]),
            float(average_precision_score(flat_truth, flat_scores)) if pooled else math.nan,
            float(f1_score(targets, decided, average="macro", zero_division=0)),
            float(f1_score(targets, decided, average="micro", zero_division=0)),
            float((decided == targets).all(axis=1).mean()) if len(targets) else 0.0,
            tta,
            _mistakes(probabilities, targets, decided),
        )


def _mistakes(probabilities: np.ndarray, targets: np.ndarray, decided: np.ndarray) -> list[LabelMistake]:
    wrong = decided != targets
    certainty = np.where(decided == 1, probabilities, 1 - probabilities)
    confidence = np.where(wrong, certainty, 0.0).max(axis=1, initial=0.0)
    rows = np.flatnonzero(wrong.any(axis=1))
    rows = rows[np.argsort(-confidence[rows], kind="stable")]
    return [
        LabelMistake(
            int(row),
            np.flatnonzero(targets[row]).tolist(),
            np.flatnonzero(decided[row]).tolist(),
            float(confidence[row]),
        )
        for row in rows
    ]


def _nanmean(values: list[float]) -> float:
    defined = [value for value in values if not math.isnan(value)]
    return float(np.mean(defined)) if defined else math.nan


def _bce(probabilities: np.ndarray, targets: np.ndarray) -> float:
    if not probabilities.size:
        return 0.0
    p = np.clip(probabilities, 1e-7, 1 - 1e-7)
    return float(-(targets * np.log(p) + (1 - targets) * np.log(1 - p)).mean())
