"""Class probabilities (softmax, or per-label sigmoids of a multi-label network) and the most probable
classes: one definition for every view and command.

A `Classifier` (classifier.py), the inspector (cnnstudio.viz.images.predict), the webcam pipeline and
`cnnstudio predict` all turn a network's output into `Prediction`s here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Prediction:
    """One class and its probability."""

    label: str
    prob: float
    index: int


def probabilities(output: torch.Tensor, *, logits: bool = False, multilabel: bool = False) -> torch.Tensor:
    """Class probabilities [N, classes] (float32) from a network's output [N, …].

    logits=True: the output is known to be class scores (a Classifier's module), so softmax always.
    Otherwise the output is taken as probabilities already when the network ends with a Softmax (rows
    non-negative and summing to 1), else softmaxed. multilabel=True: the output is a multi-label network's
    label scores, and each label's probability is its own sigmoid (they need not sum to 1).
    """
    output = output.detach().float().flatten(1)
    if multilabel:
        return output.sigmoid()
    if not logits:
        sums = output.sum(dim=1)
        if bool((output >= 0).all()) and torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
            return output
    return output.softmax(dim=1)


def class_label(index: int, classes: Sequence[str] | None) -> str:
    """The name of class `index` (its number when there are no names for it)."""
    return str(classes[index]) if classes is not None and 0 <= index < len(classes) else str(index)


def top_predictions(probs: torch.Tensor, classes: Sequence[str] | None, k: int = 5) -> list[Prediction]:
    """The k most probable classes of one probability vector, most probable first."""
    flat = probs.detach().flatten()
    values, indices = flat.topk(min(k, flat.numel()))
    return [Prediction(class_label(int(i), classes), float(v), int(i)) for v, i in zip(values, indices, strict=True)]
