"""Quick Draw `numpy_bitmap` files for the tests (no tests here), rendered as the data set's were: a
drawing's strokes in the simplified format (its larger side spanning 0-255), centred by their bounding box
in 256 units, drawn with a 16-unit round pen and rendered 28 pixels for 256 + 48 units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

_OVERSAMPLE = 4  # drawn at 4 × 304 pixels, then box-filtered down to 28 (the renderer's antialiasing)


def render_bitmap(strokes: list[np.ndarray]) -> np.ndarray:
    """Strokes (each (n, 2) x, y points, the drawing's larger side spanning 0-255) → 784 uint8 pixels."""
    points = np.concatenate(strokes)
    offset = (256 - points.max(axis=0)) / 2 + 24  # centre by the bounding box, inside the 24-unit margin
    canvas = Image.new("L", (304 * _OVERSAMPLE, 304 * _OVERSAMPLE), 0)
    draw = ImageDraw.Draw(canvas)
    width = 16 * _OVERSAMPLE
    for stroke in strokes:
        xy = [tuple(float(v) for v in (point + offset) * _OVERSAMPLE) for point in stroke]
        draw.line(xy, fill=255, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    return np.asarray(canvas.resize((28, 28), Image.Resampling.BOX)).reshape(784)


def _simplified(points: np.ndarray) -> np.ndarray:
    """Points moved to start at 0 and scaled, aspect kept, so that the larger side spans 255."""
    points = points - points.min(axis=0)
    return points * (255 / max(float(points.max()), 1e-6))


def circle(rng: np.random.Generator) -> list[np.ndarray]:
    angles = np.linspace(0, 2 * np.pi, 40) + rng.uniform(0, 2 * np.pi)
    aspect = rng.uniform(0.6, 1.0)
    wobble = 1 + rng.normal(0, 0.03, angles.shape)
    return [_simplified(np.stack([np.cos(angles) * wobble, aspect * np.sin(angles) * wobble], axis=1))]


def line(rng: np.random.Generator) -> list[np.ndarray]:
    angle = rng.uniform(0, np.pi)
    ends = np.array([[0.0, 0.0], [np.cos(angle), np.sin(angle)]]) + rng.normal(0, 0.01, (2, 2))
    return [_simplified(ends)]


def write_quickdraw_folder(folder: Path, per_class: int = 150, seed: int = 0) -> Path:
    """circle.npy and line.npy, `per_class` drawings each, in `folder` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name, shape in (("circle", circle), ("line", line)):
        bitmaps = np.stack([render_bitmap(shape(rng)) for _ in range(per_class)])
        np.save(folder / f"{name}.npy", bitmaps)
    return folder
