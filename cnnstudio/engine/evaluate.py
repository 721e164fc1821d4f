"""Evaluation of a trained network: accuracy, per-class precision/recall, confusion matrix, mistakes.

Optional test-time augmentation averages the class probabilities over several views of each image:
"flip" (the image and its mirror), "crops" (the centre and four shifted corner crops of the image
padded by an eighth of its size), or "flip+crops" (all ten).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnstudio.data import DataSplit, ImageDataset
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.batches import DeviceData
from cnnstudio.engine.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import device_of, resolve_device
from cnnstudio.engine.metrics import ClassMetrics, confusion_matrix, per_class_metrics
from cnnstudio.graph import NetworkFileError, network_from_dict
from cnnstudio.progress import CancelFlag, FractionProgress, check_cancel
from cnnstudio.pytorch import BuildError, build_module
from cnnstudio.pytorch.weights import WeightsFileError, load_into

TTA_MODES = ("none", "flip", "crops", "flip+crops")


@dataclass
class Misclassified:
    index: int  # position in the evaluated dataset
    predicted: int
    true: int
    confidence: float  # probability given to the predicted class


@dataclass
class EvaluationReport:
    """All results of an evaluation; `confusion[true][predicted]` counts images; fractions in 0-1."""

    classes: list[str]
    count: int
    accuracy: float
    loss: float
    per_class: list[ClassMetrics]
    confusion: list[list[int]]
    misclassified: list[Misclassified]  # most confident mistakes first
    tta: str = "none"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def evaluate(
    module: nn.Module,
    dataset: ImageDataset,
    mean: Sequence[float],
    std: Sequence[float],
    *,
    device: str | torch.device = "auto",
    batch_size: int = 256,
    tta: str = "none",
) -> EvaluationReport:
    """Evaluate a module that outputs class scores (logits) on `dataset`, normalized with mean/std."""
    if tta not in TTA_MODES:
        raise ConfigError(f"test-time augmentation must be one of {', '.join(TTA_MODES)}, not {tta!r}")
    device = resolve_device(device) if isinstance(device, str) else device
    module = module.to(device).eval()
    classes = list(dataset.classes)
    if not len(dataset):
        return EvaluationReport(
            classes, 0, 0.0, 0.0, per_class_metrics(torch.zeros(len(classes), len(classes)), classes), [], [], tta
        )
    probs = class_probabilities(module, dataset, mean, std, device=device, batch_size=batch_size, tta=tta)
    true = dataset.labels.to(device)
    if probs.shape[1] != len(classes):
        raise ConfigError(f"the network outputs {probs.shape[1]} class scores but the data has {len(classes)} classes")
    confidence, predicted = probs.max(dim=1)
    loss = F.nll_loss(probs.clamp_min(1e-12).log(), true).item()
    confusion = confusion_matrix(predicted, true, len(classes))
    wrong = torch.nonzero(predicted != true).flatten()
    wrong = wrong[torch.argsort(confidence[wrong], descending=True)].tolist()
    predicted_list, true_list, confidence_list = predicted.tolist(), true.tolist(), confidence.tolist()
    mistakes = [Misclassified(i, predicted_list[i], true_list[i], confidence_list[i]) for i in wrong]
    return EvaluationReport(
        classes,
        len(dataset),
        float((predicted == true).float().mean()),
        loss,
        per_class_metrics(confusion, classes),
        confusion.tolist(),
        mistakes,
        tta,
    )


def class_probabilities(
    module: nn.Module,
    dataset: ImageDataset,
    mean: Sequence[float],
    std: Sequence[float],
    *,
    device: torch.device,
    batch_size: int = 256,
    tta: str = "none",
    progress: FractionProgress | None = None,
    cancel: CancelFlag | None = None,
) -> torch.Tensor:
    """(N, classes) softmax probabilities of every image of a non-empty `dataset`, normalized with mean/std
    (one value per channel), averaged over the test-time views, batch by batch on `device` (where the module
    is) in the module's current mode. `progress(fraction)` after each batch; a set `cancel` raises Cancelled."""
    data = DeviceData(dataset, mean, std, device)
    chunks = data.sequential().split(batch_size)
    probabilities = []
    with torch.inference_mode():
        for index, chunk in enumerate(chunks):
            check_cancel(cancel)
            images, _ = data.batch(chunk)
            views = _views(images, tta)
            probabilities.append(torch.stack([F.softmax(module(view).float(), dim=1) for view in views]).mean(0))
            if progress is not None:
                progress((index + 1) / len(chunks))
    return torch.cat(probabilities)


def predicted_labels(
    module: nn.Module,
    dataset: ImageDataset,
    preprocessing: Preprocessing,
    *,
    batch_size: int = 256,
    progress: FractionProgress | None = None,
    cancel: CancelFlag | None = None,
) -> np.ndarray:
    """The class `module` predicts for each image of `dataset` (int64, one per image), with the images
    normalized as `preprocessing` says, in eval mode (the module's mode is given back), on the module's
    device. For the inspector's "misclassified only"; `progress` and `cancel` as in class_probabilities."""
    if not len(dataset):
        return np.zeros(0, dtype=np.int64)
    channels = dataset.image_shape[0]
    mean, std = (stats * channels if len(stats) == 1 else stats for stats in (preprocessing.mean, preprocessing.std))
    device = device_of(module)
    training = module.training
    module.eval()
    try:
        probabilities = class_probabilities(
            module, dataset, mean, std, device=device, batch_size=batch_size, progress=progress, cancel=cancel
        )
    finally:
        module.train(training)
    return probabilities.argmax(dim=1).cpu().numpy()


def load_trained(run_dir: str | os.PathLike, checkpoint: str = "best") -> tuple[nn.Module, Checkpoint]:
    """The trained network of a run (raw class scores) and its checkpoint. Raises CheckpointError."""
    saved = load_checkpoint(run_dir, checkpoint)
    try:
        graph = network_from_dict(saved.design, f"{saved.path} (design)").graph
        module = build_module(graph, logits=True)
        load_into(module, saved.weights, f"{saved.path} weights")
    except NetworkFileError as error:
        raise CheckpointError(str(error)) from None
    except (BuildError, WeightsFileError) as error:
        raise CheckpointError(f"{saved.path}: cannot rebuild the trained network ({error})") from None
    return module, saved


def evaluate_run(
    run_dir: str | os.PathLike,
    data: DataSplit | ImageDataset,
    *,
    checkpoint: str = "best",
    tta: str = "none",
    device: str | torch.device = "auto",
    batch_size: int = 256,
) -> EvaluationReport:
    """Evaluate checkpoint `checkpoint` of a run on a dataset (a DataSplit: its validation set).

    Images are normalized with the statistics the network was trained with, not the new data's.
    """
    module, saved = load_trained(run_dir, checkpoint)
    dataset = data.val if isinstance(data, DataSplit) else data
    if dataset.image_shape != tuple(saved.data.input_shape):
        shape = "×".join(map(str, saved.data.input_shape))
        raise ConfigError(f"the images are {'×'.join(map(str, dataset.image_shape))} but the network takes {shape}")
    return evaluate(module, dataset, saved.data.mean, saved.data.std, device=device, batch_size=batch_size, tta=tta)


def _views(images: torch.Tensor, tta: str) -> list[torch.Tensor]:
    views = [images]
    if "crops" in tta:
        views = _shifted_crops(images)
    if "flip" in tta:
        views = views + [view.flip(-1) for view in views]
    return views


def _shifted_crops(images: torch.Tensor) -> list[torch.Tensor]:
    """The image and its four corner crops after zero padding (zero is the mean after normalization)."""
    height, width = images.shape[-2:]
    pad = max(1, min(height, width) // 8)
    padded = F.pad(images, (pad, pad, pad, pad))
    corners = [(0, 0), (0, 2 * pad), (2 * pad, 0), (2 * pad, 2 * pad)]
    return [images] + [padded[..., top : top + height, left : left + width] for top, left in corners]
