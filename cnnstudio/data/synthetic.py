"""Generated datasets that need no download: X's and O's, coloured shapes, and several shapes per image
(multi-label).

Both are deterministic for a given seed and drawn with OpenCV, fast enough to regenerate on every
load (thousands of images in a fraction of a second) instead of shipping files.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from cnnstudio.data.dataset import ImageDataset

XO_CLASSES = ["X", "O"]
SHAPE_CLASSES = ["circle", "square", "triangle", "star", "cross"]

# X's and O's are drawn larger (antialiased), area-averaged down and thresholded, so that stroke
# coverage decides each pixel: a canonical 9×9 X comes out exactly as the classic one.
_SUPERSAMPLED_SIDE = 72
_MIN_SIDE = 5
_SUBPIXEL_BITS = 4  # fixed-point fraction bits for OpenCV drawing at sub-pixel positions
_ONE = 1 << _SUBPIXEL_BITS


def _check_size(height: int, width: int) -> None:
    if min(height, width) < _MIN_SIDE:
        raise ValueError(f"size must be at least {_MIN_SIDE} pixels, not {height}×{width}")


def _balanced_labels(count: int, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    labels = np.arange(count) % num_classes
    rng.shuffle(labels)
    return labels


def _fixed(points: np.ndarray) -> np.ndarray:
    """Continuous image coordinates (pixel k spans [k, k+1]) → OpenCV's fixed-point coordinates
    (pixel centres at integers, shift=_SUBPIXEL_BITS)."""
    return np.round((np.asarray(points) - 0.5) * _ONE).astype(np.int32)


def _fixed_length(length: float) -> int:
    return round(length * _ONE)


def make_xo(count: int, height: int = 9, width: int = 9, *, noise: float = 0.02, seed: int = 0) -> ImageDataset:
    """Binary images of X's and O's: white (255) strokes on black (0), like the ±1 pixels of the
    classic toy example.

    Besides canonical, centred shapes, each image varies in position, size, rotation (X's up to
    ±20°, so an X never looks like a +), O aspect ratio and stroke weight; then `noise` of the pixels
    are flipped.
    """
    import cv2

    if count < 2:
        raise ValueError("count must be at least 2 (one X and one O)")
    _check_size(height, width)
    if not 0 <= noise <= 0.5:
        raise ValueError("noise must be between 0 and 0.5")
    rng = np.random.default_rng(seed)
    labels = _balanced_labels(count, 2, rng)
    supersample = min(8, max(2, math.ceil(_SUPERSAMPLED_SIDE / min(height, width))))
    big_h, big_w = height * supersample, width * supersample
    unit = min(big_h, big_w) / 9  # one pixel of the classic 9×9 grid, at the drawing scale
    images = np.empty((count, height, width), dtype=np.uint8)
    canvas = np.empty((big_h, big_w), dtype=np.uint8)
    for i, label in enumerate(labels):
        canvas.fill(0)
        canonical = rng.random() < 0.2
        scale = 1.0 if canonical else rng.uniform(0.6, 1.0)
        radius = 3 * unit * scale  # the classic X runs between the centres of pixels 1 and 7 of 9
        extent = radius * (math.sqrt(2) if label == 0 else 1.0)  # furthest a rotated X reaches
        spare_x = max(0.0, big_w / 2 - extent - unit / 2)
        spare_y = max(0.0, big_h / 2 - extent - unit / 2)
        cx = big_w / 2 + (0 if canonical else rng.uniform(-spare_x, spare_x))
        cy = big_h / 2 + (0 if canonical else rng.uniform(-spare_y, spare_y))
        thickness = max(1, round(unit * (0.75 if canonical else rng.uniform(0.6, 1.5))))
        if label == 0:
            angle = 0.0 if canonical else rng.uniform(-math.pi / 9, math.pi / 9)
            for diagonal in (math.pi / 4, 3 * math.pi / 4):
                reach = radius * math.sqrt(2)
                dx, dy = reach * math.cos(diagonal + angle), reach * math.sin(diagonal + angle)
                ends = _fixed(np.array([[cx - dx, cy - dy], [cx + dx, cy + dy]]))
                cv2.line(canvas, tuple(ends[0]), tuple(ends[1]), 255, thickness, cv2.LINE_AA, _SUBPIXEL_BITS)
        else:
            aspect = 1.0 if canonical else rng.uniform(0.7, 1.0)
            angle_deg = 0.0 if canonical else rng.uniform(0, 180)
            centre = tuple(_fixed(np.array([cx, cy])))
            axes = (_fixed_length(radius), _fixed_length(radius * aspect))
            cv2.ellipse(canvas, centre, axes, angle_deg, 0, 360, 255, thickness, cv2.LINE_AA, _SUBPIXEL_BITS)
        small = cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA)
        images[i] = np.where(small >= 128, 255, 0)
    if noise > 0:
        flips = rng.random(images.shape) < noise
        images[flips] = 255 - images[flips]
    return ImageDataset(
        images=torch.from_numpy(images).unsqueeze(1),
        labels=torch.from_numpy(labels.astype(np.int64)),
        classes=list(XO_CLASSES),
        name="X's and O's",
    )


def _unit_outlines() -> dict[str, np.ndarray]:
    """Vertices of each polygon shape around the unit circle, before rotation and placement."""

    def regular(n: int) -> np.ndarray:
        t = np.arange(n) * 2 * math.pi / n
        return np.stack([np.cos(t), np.sin(t)], axis=1)

    t = np.arange(10) * math.pi / 5
    r = np.where(np.arange(10) % 2 == 0, 1.0, 0.42)
    a = 0.3  # half-width of the cross's bars
    return {
        "square": regular(4),
        "triangle": regular(3),
        "star": np.stack([r * np.cos(t), r * np.sin(t)], axis=1),
        "cross": np.array(
            [[a, 1], [-a, 1], [-a, a], [-1, a], [-1, -a], [-a, -a], [-a, -1], [a, -1], [a, -a], [1, -a], [1, a], [a, a]]
        ),
    }


def _contrasting_colours(backgrounds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random colours, each clearly different from its background (so every shape is visible)."""
    colours = rng.integers(0, 256, backgrounds.shape)
    while True:
        bad = np.abs(colours - backgrounds).sum(axis=1) < 180
        if not bad.any():
            return colours
        colours[bad] = rng.integers(0, 256, (int(bad.sum()), 3))


def make_shapes(count: int, height: int = 32, width: int = 32, *, seed: int = 0) -> ImageDataset:
    """RGB images of five shapes (see SHAPE_CLASSES) with random colour, position, size and
    rotation, on a random background with a few thin clutter lines and pixel noise.

    The clutter is drawn in colours near the background's, so the shape is always the strongest
    edge in the image (a hexagon is not among the shapes: at 32×32 it is hardly a circle's
    distinct neighbour).
    """
    import cv2

    if count < len(SHAPE_CLASSES):
        raise ValueError(f"count must be at least {len(SHAPE_CLASSES)} (one image per shape)")
    _check_size(height, width)
    rng = np.random.default_rng(seed)
    labels = _balanced_labels(count, len(SHAPE_CLASSES), rng)
    side = min(height, width)
    line_width = max(1, round(side / 32))
    # All random draws up front, vectorized; the loop below only draws.
    backgrounds = rng.integers(0, 256, (count, 3))
    clutter_count = rng.integers(1, 4, count)
    clutter_ends = _fixed(rng.uniform(0, [width, height], size=(count, 3, 2, 2)))
    clutter_shift = rng.integers(-60, 61, (count, 3, 3))
    clutter_colours = np.clip(backgrounds[:, None, :] + clutter_shift, 0, 255).tolist()
    radii = rng.uniform(0.25, 0.45, count) * side
    centres = rng.uniform(radii[:, None], np.array([width, height]) - radii[:, None])
    angles = rng.uniform(0, 2 * math.pi, count)
    colours = _contrasting_colours(backgrounds, rng).tolist()
    outlines = _unit_outlines()

    images = np.empty((count, height, width, 3), dtype=np.uint8)
    images[:] = backgrounds[:, None, None, :]
    for i, label in enumerate(labels):
        canvas = images[i]
        for k in range(clutter_count[i]):
            start, end = clutter_ends[i, k]
            cv2.line(canvas, tuple(start), tuple(end), clutter_colours[i][k], line_width, cv2.LINE_AA, _SUBPIXEL_BITS)
        name = SHAPE_CLASSES[label]
        if name == "circle":
            centre = tuple(_fixed(centres[i]))
            cv2.circle(canvas, centre, _fixed_length(radii[i]), colours[i], -1, cv2.LINE_AA, _SUBPIXEL_BITS)
        else:
            c, s = math.cos(angles[i]), math.sin(angles[i])
            points = centres[i] + radii[i] * outlines[name] @ np.array([[c, s], [-s, c]])
            cv2.fillPoly(canvas, [_fixed(points)], colours[i], cv2.LINE_AA, _SUBPIXEL_BITS)
    # Pixel noise in [-10, 10]; saturating uint8 arithmetic is several times faster than int16.
    flat = images.reshape(count, -1)
    brighter = rng.integers(0, 11, size=flat.shape, dtype=np.uint8)
    darker = rng.integers(0, 11, size=flat.shape, dtype=np.uint8)
    cv2.add(flat, brighter, dst=flat)
    cv2.subtract(flat, darker, dst=flat)
    return ImageDataset(
        images=torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(),
        labels=torch.from_numpy(labels.astype(np.int64)),
        classes=list(SHAPE_CLASSES),
        name="Shapes",
    )


MULTI_SHAPE_LABELS = ["circle", "square", "triangle", "cross"]


def make_multi_shapes(count: int, height: int = 32, width: int = 32, *, seed: int = 0) -> ImageDataset:
    """A multi-label set: grey images holding any of four shapes (see MULTI_SHAPE_LABELS), each present
    with probability one half, each in its own randomly chosen quadrant, at a random size and rotation;
    the labels say which shapes an image holds (none is possible)."""
    import cv2

    if count < 1:
        raise ValueError("count must be at least 1")
    _check_size(height, width)
    rng = np.random.default_rng(seed)
    labels = (rng.random((count, len(MULTI_SHAPE_LABELS))) < 0.5).astype(np.uint8)
    quadrants = np.argsort(rng.random((count, 4)), axis=1)
    half = np.array([width, height]) / 2
    radii = rng.uniform(0.3, 0.45, (count, len(MULTI_SHAPE_LABELS))) * half.min()
    offsets = rng.uniform(-0.1, 0.1, (count, len(MULTI_SHAPE_LABELS), 2)) * half
    angles = rng.uniform(0, 2 * math.pi, (count, len(MULTI_SHAPE_LABELS)))
    brightness = rng.integers(150, 256, (count, len(MULTI_SHAPE_LABELS))).tolist()
    outlines = _unit_outlines()
    images = np.zeros((count, height, width), dtype=np.uint8)
    for i in range(count):
        for k, name in enumerate(MULTI_SHAPE_LABELS):
            if not labels[i, k]:
                continue
            quadrant = quadrants[i, k]
            centre = half * (np.array([quadrant % 2, quadrant // 2]) + 0.5) + offsets[i, k]
            if name == "circle":
                cv2.circle(
                    images[i],
                    tuple(_fixed(centre)),
                    _fixed_length(radii[i, k]),
                    brightness[i][k],
                    -1,
                    cv2.LINE_AA,
                    _SUBPIXEL_BITS,
                )
            else:
                c, s = math.cos(angles[i, k]), math.sin(angles[i, k])
                points = centre + radii[i, k] * outlines[name] @ np.array([[c, s], [-s, c]])
                cv2.fillPoly(images[i], [_fixed(points)], brightness[i][k], cv2.LINE_AA, _SUBPIXEL_BITS)
    return ImageDataset(
        images=torch.from_numpy(images).unsqueeze(1),
        labels=torch.from_numpy(labels),
        classes=list(MULTI_SHAPE_LABELS),
        name="Shapes (multi-label)",
    )
