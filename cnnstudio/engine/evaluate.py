"""Evaluation of a trained network: accuracy, per-class precision/recall, confusion matrix, mistakes.

A multi-label dataset (labels [N, L]) is evaluated per label instead (multilabel.label_report: AUROC,
average precision, F1 at each label's threshold). `evaluate_run` is the one evaluation of a training run,
for `cnnstudio evaluate` and the Training tab's Results view: by default on the validation images the run
held out (its data, validation share and seed).

Optional test-time augmentation averages the class probabilities over several views of each image:
"flip" (the image and its mirror), "crops" (the centre and four shifted corner crops of the image
padded by an eighth of its size), or "flip+crops" (all ten).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnnstudio.data import DataSplit, ImageDataset, load_data
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.batches import DeviceData
from cnnstudio.engine.checkpoint import Checkpoint, CheckpointError, load_checkpoint, trained_checkpoint
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import device_of, resolve_device
from cnnstudio.engine.metrics import ClassMetrics, confusion_matrix, per_class_metrics
from cnnstudio.engine.multilabel import MultiLabelReport, label_report
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
    thresholds: float | Sequence[float] | None = None,
) -> EvaluationReport | MultiLabelReport:
    """Evaluate a module that outputs class scores (logits) on `dataset`, normalized with mean/std.

    A multi-label `dataset` gives a MultiLabelReport, each label decided at its threshold (one value for all
    labels, one per label, or None: 0.5)."""
    if tta not in TTA_MODES:
        raise ConfigError(f"test-time augmentation must be one of {', '.join(TTA_MODES)}, not {tta!r}")
    device = resolve_device(device) if isinstance(device, str) else device
    module = module.to(device).eval()
    classes = list(dataset.classes)
    if dataset.multilabel:
        return _evaluate_labels(module, dataset, mean, std, device, batch_size, tta, thresholds)
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


def _evaluate_labels(
    module: nn.Module,
    dataset: ImageDataset,
    mean: Sequence[float],
    std: Sequence[float],
    device: torch.device,
    batch_size: int,
    tta: str,
    thresholds: float | Sequence[float] | None,
) -> MultiLabelReport:
    targets = dataset.labels.numpy()
    if not len(dataset):
        return label_report(np.zeros(targets.shape), targets, dataset.classes, thresholds, tta)
    probs = class_probabilities(
        module, dataset, mean, std, device=device, batch_size=batch_size, tta=tta, multilabel=True
    )
    if probs.shape[1] != len(dataset.classes):
        raise ConfigError(
            f"the network outputs {probs.shape[1]} label scores but the data has {len(dataset.classes)} labels"
        )
    try:
        return label_report(probs.cpu().numpy(), targets, dataset.classes, thresholds, tta)
    except ValueError as error:
        raise ConfigError(str(error)) from None


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
    multilabel: bool = False,
) -> torch.Tensor:
    """(N, classes) softmax probabilities of every image of a non-empty `dataset`, normalized with mean/std
    (one value per channel), averaged over the test-time views, batch by batch on `device` (where the module
    is) in the module's current mode. `progress(fraction)` after each batch; a set `cancel` raises Cancelled.
    multilabel: each label's sigmoid probability instead (a multi-label network's)."""
    squash = torch.sigmoid if multilabel else functools.partial(F.softmax, dim=1)
    data = DeviceData(dataset, mean, std, device)
    chunks = data.sequential().split(batch_size)
    probabilities = []
    with torch.inference_mode():
        for index, chunk in enumerate(chunks):
            check_cancel(cancel)
            images, _ = data.batch(chunk)
            views = _views(images, tta)
            probabilities.append(torch.stack([squash(module(view).float()) for view in views]).mean(0))
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


@dataclass
class RunEvaluation:
    """A run's network evaluated on a dataset, with the images it was computed on (for a gallery)."""

    run_dir: Path
    network: str  # the name of the trained design
    checkpoint: str  # "best" or "last"
    epoch: int  # epochs the evaluated checkpoint had completed
    data: str  # the spec of the data evaluated on ("" for images given in memory)
    report: EvaluationReport | MultiLabelReport
    dataset: ImageDataset  # the images evaluated; the report's indices point into it

    def examples(self, true: int, predicted: int) -> list[tuple[int, float | None]]:
        """(image index, confidence) of the images of class `true` predicted as `predicted`.

        The report lists every mistake with its confidence; the correct ones are the rest of the
        class (their confidence is not recorded, hence None).
        """
        if isinstance(self.report, MultiLabelReport):
            return []  # a multi-label report has no confusion matrix
        if true != predicted:
            return [
                (item.index, item.confidence)
                for item in self.report.misclassified
                if item.true == true and item.predicted == predicted
            ]
        wrong = {item.index for item in self.report.misclassified if item.true == true}
        return [(int(index), None) for index in self.dataset.indices(true) if int(index) not in wrong]

    def image(self, index: int) -> np.ndarray:
        """Image `index` as H×W×3 uint8 RGB."""
        return self.dataset.rgb(index)


class SplitCache:
    """The last split loaded, by everything that decides it; safe to use from threads.

    Evaluating several runs of the same data loads it once, and a large dataset is held only once.
    """

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._split: DataSplit | None = None
        self._lock = threading.Lock()

    def load(
        self,
        spec: str,
        input_shape: tuple[int, int, int],
        val_fraction: float,
        seed: int,
        root: str | os.PathLike | None = None,
    ) -> DataSplit:
        """load_data(spec, input_shape, val_fraction=…, seed=…, root=…), or the split it returned last time."""
        key = (spec, input_shape, val_fraction, seed, None if root is None else str(root))
        with self._lock:
            if self._split is None or key != self._key:
                self._split = None  # the old split is freed before the new one is loaded
                self._split = load_data(spec, input_shape, val_fraction=val_fraction, seed=seed, root=root)
                self._key = key
            return self._split


def evaluate_run(
    run_dir: str | os.PathLike,
    data: str | DataSplit | ImageDataset | None = None,
    *,
    checkpoint: str | None = None,
    tta: str = "none",
    device: str | torch.device = "auto",
    batch_size: int = 256,
    root: str | os.PathLike | None = None,
    cache: SplitCache | None = None,
    thresholds: float | Sequence[float] | None = None,
) -> RunEvaluation:
    """Evaluate checkpoint `checkpoint` of a run (None: the one it hands on, `best` else `last`) on `data`.

    data: None evaluates on the validation images the run held out while training (its dataset, loaded with
    its validation share and seed, so they are exactly the images it never trained on); a spec evaluates on
    the validation images of that dataset, fitted to the network's input and split the run's way; a DataSplit
    on its validation set; an ImageDataset on all of it. Images are normalized with the statistics the
    network was trained with, not the new data's. `root` is the folder of downloaded datasets; `cache`
    keeps the last split loaded. thresholds: a multi-label run's per-label decision thresholds (see evaluate).

    Raises CheckpointError (no such checkpoint), DataError (the data cannot be loaded) or ConfigError (the
    data does not suit the network, or there is nothing to evaluate), each with a message for the user.
    """
    tag = checkpoint or trained_checkpoint(run_dir) or "last"
    module, saved = load_trained(run_dir, tag)
    spec, dataset = _evaluation_data(Path(run_dir), saved, data, root, cache)
    trained_shape = tuple(saved.data.input_shape)
    if dataset.image_shape != trained_shape:
        shape = "×".join(map(str, trained_shape))
        raise ConfigError(f"the images are {'×'.join(map(str, dataset.image_shape))} but the network takes {shape}")
    if list(dataset.classes) != list(saved.data.classes):
        raise ConfigError(
            f"the network was trained on classes {', '.join(saved.data.classes)}, "
            f"but {spec or 'the data'} has {', '.join(dataset.classes)}"
        )
    if not len(dataset):
        raise ConfigError(
            f"{spec or 'the data'} has no images to evaluate on (a run trained with validation share 0 "
            "kept none aside); train with a validation share above 0, or name other data"
        )
    report = evaluate(
        module,
        dataset,
        saved.data.mean,
        saved.data.std,
        device=device,
        batch_size=batch_size,
        tta=tta,
        thresholds=thresholds,
    )
    network = str(saved.design.get("name") or "the network")
    return RunEvaluation(Path(run_dir), network, tag, saved.progress.epoch, spec, report, dataset)


def _evaluation_data(
    run_dir: Path,
    saved: Checkpoint,
    data: str | DataSplit | ImageDataset | None,
    root: str | os.PathLike | None,
    cache: SplitCache | None,
) -> tuple[str, ImageDataset]:
    """(spec, images) of what `evaluate_run` is asked to evaluate on."""
    if isinstance(data, ImageDataset):
        return "", data
    if isinstance(data, DataSplit):
        return "", data.val
    spec = data or saved.config.data
    if not spec:
        raise ConfigError(
            f"{run_dir.name} does not record its dataset, so its validation images are unknown; "
            "name the data to evaluate it on (cnnstudio evaluate --data)"
        )
    channels, height, width = saved.data.input_shape
    config = saved.config
    split = (cache or SplitCache()).load(spec, (channels, height, width), config.val_fraction, config.seed, root)
    return spec, split.val


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
