"""The grid editor's presets: two classic lessons with numbers anyone can check, and a blank grid.

CS231n's 7×7×3 input (a 5×5×3 volume with its zero padding drawn in) with two 3×3×3 filters at stride 2,
and the X's-and-O's lecture, where a 3×3 feature is lined up with each patch of a 9×9 X, multiplied, added
up and divided by the number of pixels (a perfect match scores 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _x_image() -> np.ndarray:
    image = -np.ones((9, 9))
    for i in range(1, 8):
        image[i, i] = image[i, 8 - i] = 1
    return image


_CS231N_VOLUME = [
    [[2, 1, 2, 2, 1], [2, 2, 0, 0, 0], [0, 2, 2, 0, 1], [2, 0, 2, 0, 1], [2, 0, 1, 0, 2]],
    [[0, 2, 1, 1, 1], [1, 1, 1, 2, 2], [2, 2, 1, 1, 2], [1, 0, 2, 0, 2], [1, 0, 0, 1, 0]],
    [[0, 1, 2, 1, 2], [2, 2, 1, 1, 1], [0, 1, 1, 0, 2], [0, 0, 0, 2, 2], [2, 0, 2, 1, 1]],
]
_CS231N_FILTERS = [
    [[[-1, 0, 1], [0, -1, 0], [-1, 1, 1]], [[-1, 0, 1], [1, 1, 0], [-1, 1, 0]], [[-1, -1, 0], [1, 0, 0], [1, 1, 0]]],
    [[[0, 0, -1], [-1, 0, 0], [0, -1, -1]], [[-1, 0, 1], [0, 0, 0], [1, 0, 0]], [[0, 0, 0], [0, 0, 1], [1, -1, 0]]],
]
_DIAGONAL = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
_CROSS = [[1, -1, 1], [-1, 1, -1], [1, -1, 1]]


@dataclass(frozen=True)
class GridPreset:
    name: str
    image: np.ndarray  # (C, H, W)
    kernels: np.ndarray  # (O, C, k, k)
    bias: np.ndarray  # (O,)
    stride: int = 1
    padding: int = 0
    mean: bool = False
    note: str = ""
    labels: list[str] = field(default_factory=list)  # of the kernels


PRESETS = (
    GridPreset(
        "CS231n demo: 7×7×3 input, two 3×3×3 filters, stride 2",
        np.pad(np.array(_CS231N_VOLUME, dtype=float), ((0, 0), (1, 1), (1, 1))),
        np.array(_CS231N_FILTERS, dtype=float),
        np.array([1.0, 0.0]),
        stride=2,
        note="A 5×5×3 volume with its zero padding drawn in (7×7×3), filters W0 (bias 1) and W1 "
        "(bias 0), stride 2: the output is 3×3×2.",
        labels=["W0", "W1"],
    ),
    GridPreset(
        "X's and O's: a 9×9 X and three 3×3 features (multiply, add up, divide)",
        _x_image()[None],
        np.array([[_DIAGONAL], [_CROSS], [np.fliplr(_DIAGONAL)]], dtype=float),
        np.zeros(3),
        mean=True,
        note="Line up the feature and the patch, multiply each pair, add them up and divide by the "
        "number of pixels: a perfect match scores 1.",
        labels=["diagonal \\", "centre X", "diagonal /"],
    ),
    GridPreset("Blank: a 5×5 input and one 3×3 kernel", np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1)),
)
