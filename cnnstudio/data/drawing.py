"""A digit drawn on a pad → the network's input, prepared the way its training digits were.

A drawing as it stands is nothing like a training digit: a line somewhere on a large canvas. The digit
sets were normalized, and a network only recognizes digits normalized the same way:
- MNIST (28×28, white on black): each digit scaled, aspect kept, to fit a 20×20 box (anti-aliased), then
  placed in the 28×28 field with its centre of mass at the field's centre (at (14, 14) in pixel indices,
  as measured on the set).
- scikit-learn's digits (8×8, bright on black): 32×32 bitmaps with the digit filling the box, counted in
  4×4 blocks; `cnnstudio.data.bundled.load_digits` scales the 0–16 counts to 0–255.
Their strokes are about an eighth (MNIST) and a fifth (digits) of the box wide.
- Quick Draw's doodles (28×28 `numpy_bitmap`, white on black): each drawing scaled, aspect kept, so that its
  larger side spans 255 of 256 units, centred by its bounding box, drawn with a 16-unit round pen and rendered
  into 28 pixels for 304 units (a 24-unit margin each side), so the doodle's ink fills a 25-pixel box with
  strokes a seventeenth of it wide (the renderer published with the data set).

`drawing_pixels` repeats that on the canvas: the digit is scaled to 80 pixels, its strokes are made as
wide as the set's (whatever pen the user chose), and it is box-filtered down into the box, which is what
counting in blocks is. `drawing_input` fits the result to the network's input as the data layer fits
these sets (`fit_images`: the 8×8 digits enlarged for a 28×28 network, say) and normalizes it with the
run's mean/std.

Either polarity is accepted: the paper's colour is the median of the canvas border, so dark strokes on
light paper and light strokes on dark paper give the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageFilter, ImageOps

from cnnstudio.data.errors import DataError
from cnnstudio.data.fit import fit_images
from cnnstudio.data.path_spec import parse_path_spec
from cnnstudio.data.pipeline import ImageSource, Preprocessing, decode
from cnnstudio.data.quickdraw import is_quickdraw_folder

_INK_LEVEL = 25  # ink fainter than this (10 %) does not count for the digit's bounding box


_WORK_SIDE = 80  # strokes are measured and widened with the digit this large, then box-filtered down
# ... or larger, so that the strokes are this many pixels wide there (filters change them 2 pixels at a time)
_WORK_STROKE = 10


@dataclass(frozen=True)
class DigitStyle:
    """How a digit set drew its digits: in a side×side field, the digit's larger side scaled to `box`
    pixels, strokes `stroke` × box wide, centred by its centre of mass (True) or its bounding box (False)."""

    side: int
    box: int
    stroke: float
    centre_of_mass: bool


MNIST_STYLE = DigitStyle(side=28, box=20, stroke=0.13, centre_of_mass=True)
DIGITS_STYLE = DigitStyle(side=8, box=8, stroke=0.2, centre_of_mass=False)
# The box: (255 + 16) / 304 of 28 pixels. The stroke: the pen is 16 of those 271 units (0.059), but rendering
# it antialiased into 1.5 pixels spreads it; 0.045 gives the doodle the bitmaps' ink (mean and share above 0.5).
QUICKDRAW_STYLE = DigitStyle(side=28, box=25, stroke=0.045, centre_of_mass=False)


def digit_style_for(input_shape: Sequence[int], data: str = "") -> DigitStyle:
    """How the drawings a network was trained on were drawn: Quick Draw's when `data` (the spec it was
    trained on) is a Quick Draw folder; else the digit set of its input shape: scikit-learn's digits for
    8×8, MNIST's convention otherwise (28×28, and any other size it is then fitted to)."""
    if data and _names_quickdraw(data):
        return QUICKDRAW_STYLE
    return DIGITS_STYLE if tuple(input_shape[-2:]) == (8, 8) else MNIST_STYLE


def _names_quickdraw(data: str) -> bool:
    try:
        return is_quickdraw_folder(parse_path_spec(data).path)
    except DataError:  # a spec that names no folder
        return False


def drawing_pixels(canvas: ImageSource, style: DigitStyle = MNIST_STYLE) -> np.ndarray:
    """What the user drew (any picture, usually a uint8 square canvas) → a style.side² uint8 digit,
    white on black, normalized as the digit set's were (an empty drawing gives an empty field)."""
    ink = _ink(np.asarray(decode(canvas, 1)))
    field = np.zeros((style.side, style.side), dtype=np.uint8)
    rows = np.flatnonzero((ink > _INK_LEVEL).any(axis=1))
    cols = np.flatnonzero((ink > _INK_LEVEL).any(axis=0))
    if not rows.size:
        return field
    digit = Image.fromarray(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    work = max(_WORK_SIDE, style.box, round(_WORK_STROKE / style.stroke))
    large = _scaled(digit, work)
    # Widen (narrow) the strokes by `grow` pixels so that, once the grown digit is scaled back into the
    # box, they are style.stroke × box wide: (w + grow) / (box + grow) = stroke.
    drawn = _stroke_width(digit) * large.width / digit.width
    grow = round((style.stroke * work - drawn) / (1.0 - style.stroke))
    if abs(grow) >= 2:  # a filter of size k widens (narrows) strokes by k - 1 pixels
        size = abs(grow) // 2 * 2 + 1
        rank = ImageFilter.MaxFilter(size) if grow > 0 else ImageFilter.MinFilter(size)
        changed = ImageOps.expand(large, border=size, fill=0).filter(rank)
        box = changed.getbbox()
        if box is not None:  # narrowing may not erase the whole digit
            large = changed.crop(box)
    small = np.asarray(_scaled(large, style.box))
    height, width = small.shape
    if style.centre_of_mass and small.any():
        ys, xs = np.indices(small.shape)
        total = float(small.sum())
        top = round(style.side / 2 - float((ys * small).sum()) / total)
        left = round(style.side / 2 - float((xs * small).sum()) / total)
    else:
        top, left = round((style.side - height) / 2), round((style.side - width) / 2)
    top, left = min(max(top, 0), style.side - height), min(max(left, 0), style.side - width)
    field[top : top + height, left : left + width] = small
    return field


def drawing_input(canvas: ImageSource, preprocessing: Preprocessing, style: DigitStyle | None = None) -> torch.Tensor:
    """What the user drew → the network's input [1, C, H, W] (style: `digit_style_for` the input by default;
    `digit_style_for(input_shape, data)` for a network trained on Quick Draw)."""
    style = style or digit_style_for(preprocessing.input_shape)
    field = torch.from_numpy(drawing_pixels(canvas, style)).view(1, 1, style.side, style.side)
    fitted, _ = fit_images(field, preprocessing.input_shape)
    return preprocessing.normalize(fitted)


def _ink(gray: np.ndarray) -> np.ndarray:
    """A gray canvas → its ink as bright levels on 0, whichever colour the paper is."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = int(np.median(border))
    ink = 255 - gray.astype(np.int32) if paper > 127 else gray.astype(np.int32)
    level = min(paper, 255 - paper)  # the paper's own level in ink units
    return np.clip((ink - level) * 255 // max(1, 255 - level), 0, 255).astype(np.uint8)


def _scaled(image: Image.Image, side: int) -> Image.Image:
    """The image box-filtered so that its larger side is `side` pixels (aspect kept)."""
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX)


def _stroke_width(digit: Image.Image) -> float:
    """The width of the strokes in pixels: eroding a stroke of width w by r pixels on each side leaves
    (w - 2r) / w of it, so half the ink is gone after w / 4 erosions (interpolated between erosions)."""
    ink = ImageOps.expand(digit.point(lambda level: 255 if level > 127 else 0), border=1, fill=0)
    total = previous = left = int(np.count_nonzero(np.asarray(ink)))
    erosions = 0
    while left * 2 > total and erosions < max(digit.size):
        ink = ink.filter(ImageFilter.MinFilter(3))
        previous, left = left, int(np.count_nonzero(np.asarray(ink)))
        erosions += 1
    if not erosions:
        return 0.0
    crossing = erosions - 1 + (previous - total / 2) / max(1, previous - left)
    return 4.0 * crossing
