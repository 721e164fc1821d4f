"""A classifier made ready for the live view: its own copy of the module, and the layers whose feature
maps can be shown live (found with one forward pass, off the GUI thread)."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

import torch

from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.viz.activations import list_layers
from cnnstudio.viz.runtime import InspectError

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
    """A classifier for the live view.

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
    classifier another tab may run at the same time (hooks and eval mode must not cross threads)."""
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
