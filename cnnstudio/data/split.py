"""From a loaded dataset to a DataSplit: a stratified, seeded validation split and the
per-channel statistics the engine normalizes with."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from cnnstudio.data.dataset import DataSplit, ImageDataset, SkippedFile


@dataclass
class Loaded:
    """What a source produced: its images, its own test split if it has one (else None), notes
    of what was changed to fit the network, and files it skipped."""

    train: ImageDataset
    val: ImageDataset | None = None
    adaptations: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def stratified_split(labels: torch.Tensor, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (train, val), each sorted, holding out round(val_fraction · n) images of every
    class of n images (at least one when the fraction is positive and the class has two or more,
    never all of them). Multi-label `labels` [N, L] are split at random over all images."""
    rng = np.random.default_rng(seed)
    labels_np = labels.numpy()
    if labels_np.ndim == 2:  # multi-label: an image has many labels, so the hold-out is drawn at random
        labels_np = np.zeros(len(labels_np), dtype=np.int64)
    train_parts, val_parts = [], []
    for label in np.unique(labels_np):
        members = np.flatnonzero(labels_np == label)
        rng.shuffle(members)
        n_val = 0
        if val_fraction > 0 and len(members) >= 2:
            n_val = min(max(round(len(members) * val_fraction), 1), len(members) - 1)
        val_parts.append(members[:n_val])
        train_parts.append(members[n_val:])
    empty = np.empty(0, dtype=np.int64)
    train = np.sort(np.concatenate(train_parts or [empty]))
    val = np.sort(np.concatenate(val_parts or [empty]))
    return torch.from_numpy(train).long(), torch.from_numpy(val).long()


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of uint8 images [N, C, H, W] on the 0-1 scale.

    Computed exactly from a 256-bin histogram per channel, so 50,000 CIFAR images never need a
    float copy. A constant channel gets std 1.0 (normalizing it must not divide by zero).
    """
    values = torch.arange(256, dtype=torch.float64) / 255
    means, stds = [], []
    for c in range(images.shape[1]):
        counts = torch.bincount(images[:, c].reshape(-1), minlength=256).double()
        total = counts.sum()
        mean = float((counts * values).sum() / total)
        var = float((counts * (values - mean) ** 2).sum() / total)
        means.append(mean)
        stds.append(var**0.5 if var > 1e-12 else 1.0)
    return tuple(means), tuple(stds)


def make_split(loaded: Loaded, val_fraction: float, seed: int) -> DataSplit:
    """Split off validation images unless the source has its own, and compute the statistics."""
    adaptations = list(loaded.adaptations)
    if loaded.val is not None:
        train, val = loaded.train, loaded.val
    else:
        train_idx, val_idx = stratified_split(loaded.train.labels, val_fraction, seed)
        train, val = loaded.train.subset(train_idx), loaded.train.subset(val_idx)
        if val_fraction > 0 and not loaded.train.multilabel:
            adaptations += _unvalidated_classes(loaded.train)
    mean, std = channel_stats(train.images)
    return DataSplit(train, val, mean, std, adaptations=adaptations, skipped=list(loaded.skipped))


def _unvalidated_classes(dataset: ImageDataset) -> list[str]:
    """A note naming the classes too small to lend an image to validation (they train, unmeasured)."""
    single = [name for name, count in zip(dataset.classes, dataset.class_counts(), strict=True) if count == 1]
    if not single:
        return []
    shown = ", ".join(repr(name) for name in single[:5]) + (f" and {len(single) - 5} more" if len(single) > 5 else "")
    return [
        f"{len(single)} class{'es' if len(single) > 1 else ''} with a single image ({shown}) "
        "train without validation images, so validation accuracy does not measure them; add images to them"
    ]
