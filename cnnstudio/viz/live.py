"""What a live view shows beside the top classes: a classifier made ready for it (its layers with feature
maps), and, for the newest frame at a lower rate, the feature maps of a chosen layer (deepvis style) and a
Grad-CAM heat map to lay over the video.

`live_extras(feature_layer, cam_layer)` is the hook the frame loop (cnnstudio.camera.pipeline) runs.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.viz.activations import capture, list_layers
from cnnstudio.viz.attribution import grad_cam
from cnnstudio.viz.colormaps import colormap_table
from cnnstudio.viz.featuremaps import render_feature_maps
from cnnstudio.viz.runtime import InspectError

MAX_CHANNELS = 48  # the most active channels shown live; a picture of all 1,280 is noise at this size
COLUMNS = 6  # the feature-map pane is taller than wide
HEAT_OPACITY = 0.6

# Module kinds whose output is a feature map worth watching (after the nonlinearity, as deepvis shows).
ACTIVATIONS = {
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Hardswish",
    "Hardsigmoid",
    "Sigmoid",
    "Tanh",
    "Mish",
}


@dataclass(frozen=True)
class LiveModel:
    """A classifier for a live view.

    layers: layers with 2-D feature maps that a hook can watch (the feature-map choices), in network
    order. feature_layer: the one shown first (mid-level features). cam_layer: Grad-CAM's layer (the last
    of them). notes: how it was loaded ("untrained", weights skipped …).
    The first feature layer is an activation a quarter of the way in: features past edges and colours, with
    maps still large enough to see them.
    """

    classifier: Classifier
    title: str
    layers: list[str] = field(default_factory=list)
    feature_layer: str | None = None
    cam_layer: str | None = None
    notes: list[str] = field(default_factory=list)


def live_model(classifier: Classifier, title: str, *, own_copy: bool = False) -> LiveModel:
    """Prepare `classifier` (slow: one forward pass). own_copy: work on a copy of its module, for a
    classifier another view may run at the same time (hooks and eval mode must not cross threads)."""
    if own_copy:
        classifier = dataclasses.replace(
            classifier, module=copy.deepcopy(classifier.module), notes=list(classifier.notes)
        )
    try:
        infos = list_layers(classifier.module, torch.zeros(1, *classifier.input_shape))
    except (InspectError, RuntimeError) as error:
        return LiveModel(classifier, title, notes=[*classifier.notes, f"no live feature maps: {error}"])
    spatial = [info for info in infos if info.is_spatial and info.hookable]
    layers = [info.name for info in spatial]
    candidates = [info.name for info in spatial if info.kind in ACTIVATIONS] or layers
    first = candidates[len(candidates) // 4] if candidates else None
    return LiveModel(classifier, title, layers, first, layers[-1] if layers else None, list(classifier.notes))


@dataclass(frozen=True)
class Extras:
    """What `compute_extras` found for one frame.

    features: RGB uint8 grid of feature maps (None when not asked for). caption: what the grid shows.
    heat: RGBA uint8 Grad-CAM colours at the network's input size, transparent where unimportant.
    box: the region (left, top, right, bottom) of the frame that the network sees, where `heat` belongs.
    problem: why something asked for could not be computed ("" when all went well).
    """

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


def compute_extras(
    classifier: Classifier, frame: np.ndarray, target: int, *, feature_layer: str | None, cam_layer: str | None
) -> Extras:
    """Feature maps of `feature_layer` and Grad-CAM at `cam_layer` for class `target` (either may be None)
    of a BGR camera frame."""
    x = classifier.preprocessing.frame_tensor(frame, classifier.device)
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
            box = classifier.preprocessing.source_box(*frame.shape[:2])
        except (InspectError, RuntimeError) as error:
            problems.append(f"Grad-CAM: {error}")
    return Extras(features, caption, heat, heat_label, box, "; ".join(problems))


def live_extras(
    model: LiveModel, feature_layer: str | None, grad_cam_on: bool
) -> Callable[[Classifier, np.ndarray, int], Extras] | None:
    """The frame loop's extras hook for `model`: the feature maps of `feature_layer` (when it is one of the
    model's live layers) and Grad-CAM at its cam layer when asked; None when there is nothing to compute."""
    layer = feature_layer if feature_layer in model.layers else None
    cam_layer = model.cam_layer if grad_cam_on else None
    if layer is None and cam_layer is None:
        return None
    return functools.partial(compute_extras, feature_layer=layer, cam_layer=cam_layer)
