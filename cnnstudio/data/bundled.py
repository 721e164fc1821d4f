"""Datasets that ship inside installed packages: scikit-learn's 8×8 handwritten digits."""

from __future__ import annotations

import numpy as np
import torch

from cnnstudio.data.dataset import ImageDataset


def load_digits() -> ImageDataset:
    """The 1,797 real 8×8 handwritten digits of scikit-learn (gray levels 0-16 scaled to 0-255)."""
    # Imported here: scikit-learn takes most of a second to import and only this set needs it.
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images = np.rint(bunch.images * (255 / 16)).astype(np.uint8)
    return ImageDataset(
        images=torch.from_numpy(images).unsqueeze(1),
        labels=torch.from_numpy(bunch.target.astype(np.int64)),
        classes=[str(name) for name in bunch.target_names],
        name="Digits (8×8)",
    )
