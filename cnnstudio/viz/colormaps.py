"""Colour maps as 256-entry lookup tables, value → uint8 index → RGB, and heat-map overlays.

The perceptual maps are OpenCV's (already a dependency), read once into a table so colouring a whole
grid is one numpy gather. "diverging" (blue–white–red, the end colours of Moreland's cool-warm) is for
signed values such as weights, with zero in the middle.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

from cnnstudio.viz.runtime import InspectError

# OpenCV's colour maps, by the name of their cv2.COLORMAP_* constant
_OPENCV = ("viridis", "inferno", "magma", "plasma", "turbo", "jet")
COLORMAPS = (*_OPENCV, "gray", "diverging")
_DIVERGING_ANCHORS = np.array([[59, 76, 192], [221, 221, 221], [180, 4, 38]], dtype=np.float64)


@cache
def colormap_table(name: str) -> np.ndarray:
    """(256, 3) uint8 RGB colours of a named colour map (read-only)."""
    if name == "gray":
        table = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    elif name == "diverging":
        position = np.linspace(0.0, 2.0, 256)[:, None]
        lower = np.minimum(position.astype(int), 1)
        fraction = position - lower
        table = np.rint(
            _DIVERGING_ANCHORS[lower[:, 0]] * (1 - fraction) + _DIVERGING_ANCHORS[lower[:, 0] + 1] * fraction
        ).astype(np.uint8)
    elif name in _OPENCV:
        import cv2

        code = getattr(cv2, f"COLORMAP_{name.upper()}")
        bgr = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(256, 1), code)
        table = np.ascontiguousarray(bgr[:, 0, ::-1])
    else:
        raise InspectError(f"unknown colour map {name!r}; choose one of {', '.join(COLORMAPS)}")
    table.setflags(write=False)
    return table


def quantize(values: torch.Tensor, low: torch.Tensor | float, high: torch.Tensor | float) -> torch.Tensor:
    """Values → uint8 indices 0…255 spanning [low, high] (broadcast); a flat range maps to 0."""
    values = values.float()
    low = torch.as_tensor(low, dtype=values.dtype, device=values.device)
    span = torch.as_tensor(high, dtype=values.dtype, device=values.device) - low
    scale = torch.where(span > 0, 255.0 / span.clamp_min(torch.finfo(values.dtype).tiny), torch.zeros_like(span))
    return ((values - low) * scale).round_().clamp_(0, 255).to(torch.uint8)


def colorize(indices: np.ndarray | torch.Tensor, colormap: str) -> np.ndarray:
    """uint8 indices (any shape) → uint8 RGB (shape + (3,))."""
    if isinstance(indices, torch.Tensor):
        indices = indices.cpu().numpy()
    return colormap_table(colormap)[indices]


def overlay(image: np.ndarray, heat: np.ndarray, *, opacity: float = 0.5, colormap: str = "jet") -> np.ndarray:
    """Blend a heat map with values in [0, 1] (any size; resized bilinearly) over a uint8 (H, W, 3) image."""
    import cv2

    if not 0.0 <= opacity <= 1.0:
        raise InspectError(f"opacity must be between 0 and 1, not {opacity}")
    height, width = image.shape[:2]
    heat = np.asarray(heat, dtype=np.float32)
    if heat.shape != (height, width):
        heat = cv2.resize(heat, (width, height), interpolation=cv2.INTER_LINEAR)
    colours = colorize(np.clip(np.rint(heat * 255), 0, 255).astype(np.uint8), colormap)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    blended = image.astype(np.float32) * (1 - opacity) + colours.astype(np.float32) * opacity
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)
