"""A digit drawn with the mouse on the Inspect tab's pad reaches the network as the digits it was trained on
looked: scaled into MNIST's 20-pixel box, centred by its centre of mass, with their strokes' share of ink."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_inspect_support import draw_stroke, inspect_tab, settle

from cnnstudio.data.drawing import drawing_input
from cnnstudio.ui.inspection.inputs import DRAW

# MNIST's "7"s: mean, std and share above 0.5 of their 0-1 pixels (measured in tests/data/test_drawing.py)
MNIST_SEVENS = (0.115, 0.292, 0.116)
SEVEN = [(0.25, 0.2), (0.72, 0.2), (0.42, 0.82)]  # a "7" as a polyline on the pad (fractions of its size)


@pytest.fixture
def tab(qtbot, prompts):
    yield from inspect_tab(qtbot, prompts)


def statistics(pixels: np.ndarray) -> tuple[float, float, float]:
    return float(pixels.mean()), float(pixels.std()), float((pixels > 0.5).mean())


def like(ours: tuple[float, ...], theirs: tuple[float, ...]) -> bool:
    """Mean and ink share within 35 %, std within 20 % (as tests/data/test_drawing.py judges them)."""
    return all(abs(a - b) <= limit * b for a, b, limit in zip(ours, theirs, (0.35, 0.2, 0.35), strict=True))


def test_a_digit_drawn_with_the_mouse_reaches_the_network_like_an_mnist_digit(tab, qtbot):
    assert tab.inputs.source == DRAW and tab.subject.classifier.input_shape == (1, 28, 28)
    tab.inputs.pen_spin.setValue(10)  # a thin pen, in a quarter of the pad: nothing like an MNIST digit as drawn
    corner = [(0.55 + 0.4 * x, 0.55 + 0.4 * y) for x, y in SEVEN]
    draw_stroke(tab.inputs.pad, corner[:2])
    draw_stroke(tab.inputs.pad, corner[1:])
    settle(qtbot, tab)

    subject = tab.subject
    canvas = tab.inputs.pad.image()
    assert np.array_equal(subject.image, canvas)  # the user sees the drawing
    spec = subject.spec
    assert torch.equal(subject.x, drawing_input(canvas, spec))  # the network gets it prepared by the core
    pixels = spec.denormalize(subject.x)[0, 0].numpy()
    assert like(statistics(pixels), MNIST_SEVENS), statistics(pixels)
    ys, xs = np.indices(pixels.shape)
    centre = (ys * pixels).sum() / pixels.sum(), (xs * pixels).sum() / pixels.sum()
    assert centre == pytest.approx((14, 14), abs=0.6)
    inked = np.flatnonzero((pixels > 0.1).any(axis=1)), np.flatnonzero((pixels > 0.1).any(axis=0))
    assert max(rows[-1] - rows[0] + 1 for rows in inked) in (20, 21)  # MNIST's 20-pixel box (and its blur)
    as_drawn = spec.denormalize(spec.tensor(canvas))[0, 0].numpy()
    assert not like(statistics(as_drawn), MNIST_SEVENS)  # the canvas merely resized would not be
