"""A layer of an inspected model as the Arithmetic view explains it: what the layer received and produced
for one input, and the arithmetic of any of its outputs, checked against what the layer really output."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnstudio.viz.activations import LayerInfo, capture, layer_input, model_layers, module_for
from cnnstudio.viz.arithmetic import (
    ConvExplanation,
    PoolExplanation,
    explain_conv,
    explain_pool,
    following_activation,
)
from cnnstudio.viz.runtime import InspectError

CONV_KINDS = ("Conv2d",)
POOL_KINDS = ("MaxPool2d", "AvgPool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool2d")
# How close the arithmetic must come to the layer's own output (float32 sums against float64 ones).
RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE = 1e-4, 1e-5


def explainable(layer: LayerInfo) -> bool:
    """A convolution or pooling layer with 2-D output, whose arithmetic can be shown."""
    return layer.hookable and len(layer.shape) == 3 and layer.kind in CONV_KINDS + POOL_KINDS


@dataclass(frozen=True)
class LayerValues:
    """One layer's input and output for one image, and what explains any of its outputs.

    layers: the model's explainable layers (the choices); layer: the one these values are of.
    input: (C, H, W) what the layer received; output: (C', H', W') what it produced (float32).
    """

    layers: list[LayerInfo]
    layer: str
    is_conv: bool
    input: np.ndarray
    output: np.ndarray
    module: nn.Module
    received: torch.Tensor  # `input` as the layer got it (its dtype and device), for the arithmetic
    activation: nn.Module | None  # the elementwise activation right after a convolution

    def peak(self, channel: int) -> tuple[int, int]:
        """(row, column) of the largest value of output `channel`."""
        plane = self.output[channel]
        row, col = np.unravel_index(int(np.argmax(plane)), plane.shape)
        return int(row), int(col)

    def explain(self, channel: int, row: int, col: int) -> ConvExplanation | PoolExplanation:
        """The arithmetic of output (channel, row, col), with the layer's own weights and input."""
        if self.is_conv:
            return explain_conv(self.module, self.received, channel, row, col, activation=self.activation)
        return explain_pool(self.module, self.received, channel, row, col)

    def check(self, explanation: ConvExplanation | PoolExplanation) -> tuple[float, bool]:
        """What the layer really output at the explained position, and whether the arithmetic agrees
        (a convolution's output is its value before the activation that follows it)."""
        if isinstance(explanation, ConvExplanation):
            channel, computed = explanation.out_channel, explanation.pre_activation
        else:
            channel, computed = explanation.channel, explanation.value
        actual = float(self.output[channel, explanation.row, explanation.col])
        same = math.isclose(actual, computed, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
        return actual, same


def layer_values(model: nn.Module, x: torch.Tensor, wanted: str = "") -> LayerValues:
    """The values of layer `wanted` for input `x` (1, C, H, W), or of the first explainable layer when the
    model has no explainable layer of that name."""
    explained = [layer for layer in model_layers(model, tuple(x.shape[-3:])) if explainable(layer)]
    if not explained:
        raise InspectError("This model has no convolution or pooling layer with 2-D maps to explain.")
    info = next((layer for layer in explained if layer.name == wanted), explained[0])
    received = layer_input(model, x, info.name)[0].detach()
    produced = capture(model, x, [info.name])[info.name][0].detach().float().cpu().numpy()
    is_conv = info.kind in CONV_KINDS
    return LayerValues(
        explained,
        info.name,
        is_conv,
        received.float().cpu().numpy(),
        produced,
        module_for(model, info.name),
        received,
        following_activation(model, x, info.name) if is_conv else None,
    )
