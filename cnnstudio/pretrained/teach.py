"""Teach a pretrained network new classes from a folder of examples (e.g. frames recorded from the camera).

    result = teach_classifier("samples/", "efficientnet_lite0")
    result.classifier  # frozen pretrained backbone + a new head for the folder's classes

The folder is loaded with `cnnstudio.data.load_data` at the network's input size and the design is
adapted with `transfer_learning`. `teach_classifier` freezes everything before the classifier,
extracts the backbone's features once and trains only the new head on them (seconds on a CPU).
`fine_tune` hands the adapted design to the training engine instead, so that later layers can learn
too, with augmentation, checkpoints and the Training tab's progress events.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from cnnstudio.data import load_data
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.events import Event
from cnnstudio.engine.loop import train
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.headtrain import (
    accuracy,
    extract_features,
    split_at_head,
    train_head,
)
from cnnstudio.pretrained.resolve import load_classifier
from cnnstudio.pretrained.transfer import transfer_learning
from cnnstudio.progress import Progress
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import load_into


@dataclass
class TeachResult:
    """classifier: the taught network. train_accuracy / val_accuracy: on the folder's training and
    held-out images (val_accuracy is None when too few images were held out). losses: per epoch.
    notes: how the images were fitted, files skipped, what was frozen."""

    classifier: Classifier
    train_accuracy: float
    val_accuracy: float | None
    train_size: int
    val_size: int
    losses: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def teach_classifier(
    folder: str | os.PathLike,
    base: Classifier | str = "efficientnet_lite0",
    *,
    epochs: int = 100,
    lr: float = 1e-3,
    val_fraction: float = 0.2,
    seed: int = 0,
    progress: Progress | None = None,
) -> TeachResult:
    """Train a new head on `base`'s frozen features for the classes of an image folder.

    base: a Classifier with a design, or a spec for load_classifier. The taught classifier keeps the
    base's normalization; images are fitted like the training images were (scale to cover, crop the
    centre). Raises cnnstudio.data.DataError for an unusable folder, ModelLoadError for an unusable base.
    """
    base = _designed(base)
    split = load_data(
        str(folder), input_shape=base.input_shape, val_fraction=val_fraction, seed=seed, progress=progress
    )
    transfer = transfer_learning(base.graph, base.module.state_dict(), len(split.classes), seed=seed)
    parts = split_at_head(transfer.graph, transfer.state_dict, transfer.head)
    parts.backbone.to(base.device)
    train_features = extract_features(parts.backbone, split.train.images, base.preprocessing, progress=progress)
    val_features = extract_features(parts.backbone, split.val.images, base.preprocessing)
    losses = train_head(parts.head, train_features, split.train.labels, epochs=epochs, lr=lr, seed=seed)

    state = dict(transfer.state_dict)
    state.update(parts.head.state_dict())
    module = build_module(transfer.graph, logits=True)
    load_into(module, state, source="the taught weights")
    graph = transfer.graph
    graph.name = f"{base.name} taught: {', '.join(split.classes)}"
    # The head learnt from the folder as the data layer fitted it: the pipeline's defaults.
    preprocessing = Preprocessing(base.input_shape, base.mean, base.std)
    classifier = Classifier(
        module.to(base.device), list(split.classes), preprocessing, graph.name, graph, str(folder), list(transfer.notes)
    )
    return TeachResult(
        classifier=classifier,
        train_accuracy=accuracy(parts.head, train_features, split.train.labels),
        val_accuracy=accuracy(parts.head, val_features, split.val.labels) if len(split.val) else None,
        train_size=len(split.train),
        val_size=len(split.val),
        losses=losses,
        notes=list(split.adaptations) + [f"skipped {s.path}: {s.reason}" for s in split.skipped] + transfer.notes,
    )


def fine_tune(
    folder: str | os.PathLike,
    base: Classifier | str,
    run_dir: str | os.PathLike,
    *,
    freeze_before: str | None = None,
    config: TrainConfig | None = None,
    control: TrainControl | None = None,
) -> Iterator[Event]:
    """Transfer learning with the training engine; yields its events (Started, BatchMetrics, …, Finished).

    The layers from `freeze_before` on train (default: only the new classifier) on the folder's
    images, normalized as the pretrained network expects, not with the folder's own statistics.
    Checkpoints go to `run_dir`, which `load_classifier(run_dir)` then opens. Raises DataError or
    ModelLoadError before training when the folder or the base cannot be used.
    """
    base = _designed(base)
    config = (config or TrainConfig()).replace(data=str(folder))
    split = load_data(str(folder), input_shape=base.input_shape, val_fraction=config.val_fraction, seed=config.seed)
    channels = base.input_shape[0]
    split.mean = tuple(base.mean) * (channels // len(base.mean))
    split.std = tuple(base.std) * (channels // len(base.std))
    transfer = transfer_learning(
        base.graph, base.module.state_dict(), len(split.classes), freeze_before=freeze_before, seed=config.seed
    )
    yield from train(transfer.graph, split, config, run_dir, control=control, initial_weights=transfer.state_dict)


def _designed(base: Classifier | str) -> Classifier:
    classifier = load_classifier(base) if isinstance(base, str) else base
    if classifier.graph is None:
        raise ModelLoadError(
            f"{classifier.name} is not available as a design, so its classifier cannot be "
            "replaced; choose efficientnet_lite0 or a network that opens in the Designer"
        )
    return classifier
