"""The curve of an elementwise activation layer, f(x), evaluated by torch with the layer's own parameters
(the inspector's plot: students see LeakyReLU's slope or ELU's α change the curve)."""

from __future__ import annotations

import numpy as np
import torch

from cnnstudio.graph.catalog import ACTIVATION, layer_spec
from cnnstudio.graph.network import Node

X_RANGE = (-5.0, 5.0)
_ELEMENTWISE_EXCLUDED = {"Softmax"}  # normalizes across a whole axis: no 1-D curve


def activation_curve(node: Node, points: int = 201) -> tuple[np.ndarray, np.ndarray] | None:
    """(x, f(x)) on X_RANGE for an elementwise activation layer; None for other layers or bad parameters."""
    spec = layer_spec(node.type)
    if spec is None or spec.category != ACTIVATION or node.type in _ELEMENTWISE_EXCLUDED:
        return None
    kwargs = {name: value for name, value in node.all_params().items() if spec.param(name) is not None}
    kwargs.pop("num_parameters", None)  # one shared slope is enough to draw the curve
    x = torch.linspace(*X_RANGE, points)
    try:
        module = getattr(torch.nn, node.type)(**kwargs)
        with torch.no_grad():
            y = module(x.unsqueeze(1)).squeeze(1)
    except (TypeError, ValueError, RuntimeError):
        return None  # invalid parameters (some only fail when applied): the inspector shows the problem instead
    return x.numpy(), y.numpy()
