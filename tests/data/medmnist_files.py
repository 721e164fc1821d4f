"""MedMNIST-format `.npz` files written in the tests (nothing is downloaded): train/val/test images as
uint8 [N, H, W] or [N, H, W, 3] and labels [N, L], as the medmnist package ships them.

The images carry their labels so a network can learn them: a multi-label image has a bright square in
region k (of a 4×4 grid) for each label k it carries; a multi-class image is a grey level of its class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _multilabel_split(count: int, labels: int, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    targets = (rng.random((count, labels)) < 0.3).astype(np.uint8)
    images = rng.integers(0, 40, (count, size, size)).astype(np.uint8)
    cell = size // 4
    for k in range(labels):
        row, column = divmod(k, 4)
        images[targets[:, k] == 1, row * cell : row * cell + cell - 1, column * cell : column * cell + cell - 1] = 220
    return images, targets


def write_multilabel_npz(path: Path, labels: int = 14, size: int = 28, counts=(240, 60, 60), seed: int = 0) -> Path:
    """A ChestMNIST-like file: grey images with `labels` 0/1 labels each."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, count in zip(("train", "val", "test"), counts, strict=True):
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = _multilabel_split(count, labels, size, rng)
    np.savez_compressed(path, **arrays)
    return path


def write_multiclass_npz(path: Path, classes: int = 4, size: int = 28, counts=(200, 40, 40), seed: int = 0) -> Path:
    """A PathMNIST-like file: RGB images [N, H, W, 3] with one class number per image ([N, 1] labels)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, count in zip(("train", "val", "test"), counts, strict=True):
        labels = rng.integers(0, classes, (count, 1))
        levels = (labels[:, 0] * (255 // classes)).astype(np.int64)
        noise = rng.integers(0, 20, (count, size, size, 3))
        arrays[f"{split}_images"] = np.clip(levels[:, None, None, None] + noise, 0, 255).astype(np.uint8)
        arrays[f"{split}_labels"] = labels.astype(np.int64)
    np.savez_compressed(path, **arrays)
    return path
