"""What the live view computes beside the top classes, for the newest frame at a lower rate: the feature
maps of a chosen layer (deepvis style) and a Grad-CAM heat map to lay over the video."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from cnnstudio.camera.frames import Frame
from cnnstudio.viz.activations import capture
from cnnstudio.viz.attribution import grad_cam
from cnnstudio.viz.colormaps import colormap_table
from cnnstudio.viz.featuremaps import render_feature_maps
from cnnstudio.viz.runtime import InspectError

MAX_CHANNELS = 48  # the most active channels shown live; a picture of all 1,280 is noise at this size
COLUMNS = 6  # the feature-map pane is taller than wide
HEAT_OPACITY = 0.6


@dataclass(frozen=True)
class Extras:
    """Computed for frame `frame_index`.

    features: RGB uint8 grid of feature maps (None when not asked for). caption: what the grid shows.
    heat: RGBA uint8 Grad-CAM colours at the network's input size, transparent where unimportant.
    box: the region (left, top, right, bottom) of the frame that the network sees, where `heat` belongs.
    problem: why something asked for could not be computed ("" when all went well).
    """

    frame_index: int
    features: np.ndarray | None = None
    caption: str = ""
    heat: np.ndarray | None = None
    heat_label: str = ""
    box: tuple[int, int, int, int] | None = None
    problem: str = ""


def feature_grid(activation: torch.Tensor, layer: str) -> tuple[np.ndarray, str]:
    """The most active channels of one (C, H, W) activation as a grid, each map scaled to its own range."""
    maps = activation.detach().float()
    channels = maps.shape[0]
    count = min(MAX_CHANNELS, channels)
    order = maps.mean(dim=(1, 2)).argsort(descending=True)[:count]
    view = render_feature_maps(maps[order], scaling="channel", columns=min(COLUMNS, math.ceil(math.sqrt(count))))
    shown = f"the {count} most active of {channels} channels" if count < channels else f"all {channels} channels"
    return view.tiles.image, f"{layer}: {shown}, {maps.shape[1]}×{maps.shape[2]} each, brightest = most active"


def heat_rgba(heat: np.ndarray) -> np.ndarray:
    """A [0, 1] heat map → jet colours whose opacity grows with the heat (cold parts stay see-through)."""
    levels = np.clip(np.rint(heat * 255), 0, 255).astype(np.uint8)
    rgba = np.empty((*heat.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colormap_table("jet")[levels]
    rgba[..., 3] = np.clip(np.rint(heat * 255 * HEAT_OPACITY), 0, 255).astype(np.uint8)
    return rgba


def compute_extras(classifier, frame: Frame, target: int, feature_layer: str | None, cam_layer: str | None) -> Extras:
    """Feature maps of `feature_layer` and Grad-CAM at `cam_layer` for class `target` (either may be None)."""
    x = classifier.preprocessing.frame_tensor(frame.image, classifier.device)
    features, caption, heat, heat_label, box, problems = None, "", None, "", None, []
    if feature_layer:
        try:
            activation = capture(classifier.module, x, [feature_layer])[feature_layer][0]
            if activation.dim() != 3:
                raise InspectError(f"{feature_layer} outputs a vector, not feature maps")
            features, caption = feature_grid(activation, feature_layer)
        except (InspectError, RuntimeError) as error:
            problems.append(f"feature maps: {error}")
    if cam_layer:
        try:
            heat = heat_rgba(grad_cam(classifier.module, x, cam_layer, target).heat)
            heat_label = f"Grad-CAM at {cam_layer} for {classifier.label(target)}"
            box = classifier.preprocessing.source_box(*frame.image.shape[:2])
        except (InspectError, RuntimeError) as error:
            problems.append(f"Grad-CAM: {error}")
    return Extras(frame.index, features, caption, heat, heat_label, box, "; ".join(problems))
