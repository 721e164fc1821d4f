"""The in-memory dataset contract shared by the data loaders and the training engine.

Every dataset CNN Studio trains on is decoded once into a uint8 tensor at the network's input size.
Datasets of this app's scale (digits, MNIST, CIFAR-10, a user's photo folders, Imagenette at 160 px)
fit in memory this way, and the engine can then hold them on the device and augment whole batches
there, so data loading is never the bottleneck.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass(frozen=True)
class SkippedFile:
    """A file of an image folder that could not be used, and why."""

    path: str
    reason: str


@dataclass
class ImageDataset:
    """Labelled images held in memory.

    images: uint8 tensor [N, C, H, W] on the CPU (0-255).
    labels: single-label: int64 tensor [N] with values in range(len(classes)); multi-label: uint8 tensor
        [N, L] of 0/1, one column per label, and `classes` are the L label names (an image may have any
        number of them, none included).
    sources: where each image came from, for label overrides and galleries: its path relative to the
        data set ("cat/a.jpg"), or "#i" for the i-th image of a built-in set; None when unknown.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: list[str]
    name: str = ""
    sources: list[str] | None = None

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.dim() != 4:
            raise ValueError(
                f"images must be a uint8 [N, C, H, W] tensor, got {self.images.dtype} {tuple(self.images.shape)}"
            )
        count = self.images.shape[0]
        if self.labels.dim() == 2:
            if self.labels.dtype != torch.uint8 or self.labels.shape != (count, len(self.classes)):
                raise ValueError("multi-label labels must be a uint8 [N, labels] tensor with one column per label name")
        elif self.labels.dtype != torch.int64 or self.labels.shape != (count,):
            raise ValueError("labels must be an int64 tensor with one label per image")
        if self.sources is not None and len(self.sources) != self.images.shape[0]:
            raise ValueError("sources must name one source per image")

    @property
    def multilabel(self) -> bool:
        """True when each image has a 0/1 value per label (labels [N, L]) rather than one class."""
        return self.labels.dim() == 2

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of every image."""
        c, h, w = self.images.shape[1:]
        return int(c), int(h), int(w)

    def label(self, index: int) -> int:
        """The class of image `index` (multi-label: its first label, -1 when it has none)."""
        if self.multilabel:
            present = torch.nonzero(self.labels[index]).flatten()
            return int(present[0]) if len(present) else -1
        return int(self.labels[index])

    def label_text(self, index: int) -> str:
        """The class of image `index` as text; multi-label: its labels joined by ", " ("no label" without any)."""
        if self.multilabel:
            names = [self.classes[i] for i in torch.nonzero(self.labels[index]).flatten().tolist()]
            return ", ".join(names) or "no label"
        return self.classes[int(self.labels[index])]

    def pixels(self, index: int) -> np.ndarray:
        """Image `index` as uint8 H×W×C (channels last, as numpy and Qt hold pictures); a view, not a copy."""
        return self.images[index].numpy().transpose(1, 2, 0)

    def rgb(self, index: int) -> np.ndarray:
        """Image `index` as contiguous H×W×3 uint8 RGB (grey repeated): what the Inspect tab takes."""
        pixels = self.pixels(index)
        return np.ascontiguousarray(np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels[:, :, :3])

    def class_counts(self) -> np.ndarray:
        """How many images each class has (int64, one entry per class, in class order); multi-label: how many
        images carry each label."""
        if self.multilabel:
            return self.labels.sum(dim=0, dtype=torch.int64).numpy()
        return torch.bincount(self.labels, minlength=len(self.classes)).numpy()

    def indices(self, label: int | None = None) -> np.ndarray:
        """The positions of the images of class `label` (multi-label: that carry it; every image when None),
        in order (int64)."""
        if label is None:
            return np.arange(len(self), dtype=np.int64)
        if self.multilabel:
            return np.flatnonzero(self.labels[:, label].numpy())
        return np.flatnonzero(self.labels.numpy() == label)

    def subset(self, indices: torch.Tensor) -> ImageDataset:
        """The images at `indices` (int64), with the same classes and name (and their sources)."""
        sources = None if self.sources is None else [self.sources[int(i)] for i in indices]
        return ImageDataset(self.images[indices], self.labels[indices], list(self.classes), self.name, sources)

    def source(self, index: int) -> str:
        """Where image `index` came from (its path in the data set), or "#index" when that is unknown."""
        return self.sources[index] if self.sources is not None else f"#{index}"


@dataclass
class DataSplit:
    """A training and a validation set ready for a network, with what was done to fit it.

    mean/std: per-channel statistics of the training images on the 0-1 scale; the engine normalizes
    batches with them. adaptations: plain-language notes of every change made to fit the network's
    input ("resized 8×8 → 28×28", "converted RGB → grayscale"), shown to the user. skipped: files
    that could not be read, with the reason.
    """

    train: ImageDataset
    val: ImageDataset
    mean: tuple[float, ...]
    std: tuple[float, ...]
    adaptations: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.train.classes

    @property
    def multilabel(self) -> bool:
        return self.train.multilabel

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self.train.image_shape
