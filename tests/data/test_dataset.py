"""What the views read from a dataset, as numpy: pixels channels last, RGB, labels, counts and the images of
a class."""

from __future__ import annotations

import numpy as np
import torch

from cnnstudio.data import ImageDataset


def _dataset(channels: int) -> ImageDataset:
    images = torch.arange(5 * channels * 2 * 3, dtype=torch.uint8).view(5, channels, 2, 3)
    return ImageDataset(images, torch.tensor([2, 0, 2, 2, 0]), ["a", "b", "c"])


def test_pixels_are_channels_last_and_rgb_repeats_grey():
    grey, colour = _dataset(1), _dataset(3)
    assert grey.pixels(1).shape == (2, 3, 1) and grey.pixels(1)[1, 2, 0] == grey.images[1, 0, 1, 2]
    rgb = grey.rgb(1)
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    assert (rgb == grey.pixels(1)).all()
    assert (colour.rgb(4) == colour.images[4].permute(1, 2, 0).numpy()).all()


def test_labels_counts_and_the_images_of_a_class():
    dataset = _dataset(1)
    assert dataset.label(0) == 2 and isinstance(dataset.label(0), int)
    assert dataset.class_counts().tolist() == [2, 0, 3]  # an empty class counts 0
    assert dataset.indices(2).tolist() == [0, 2, 3] and dataset.indices(1).tolist() == []
    assert dataset.indices().tolist() == [0, 1, 2, 3, 4]
