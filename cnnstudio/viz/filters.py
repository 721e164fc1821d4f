"""Convolution kernels as pictures: a first layer on RGB input as colour patches, deeper layers as one
small map per (output, input) channel pair on a signed colour scale centred on zero."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnstudio.viz.activations import module_for
from cnnstudio.viz.runtime import InspectError
from cnnstudio.viz.tiles import Tiles, tile_images, tile_maps


def conv_layers(model: nn.Module) -> list[str]:
    """Module paths of the layers with 2-D kernels (Conv2d, ConvTranspose2d and subclasses), in model order."""
    return [
        name for name, module in model.named_modules() if name and isinstance(module, nn.Conv2d | nn.ConvTranspose2d)
    ]


def kernels_of(model: nn.Module, layer: str) -> torch.Tensor:
    """The kernels of a convolution as (out_channels, in_channels per group, kh, kw), detached."""
    module = module_for(model, layer)
    if isinstance(module, nn.ConvTranspose2d):
        if module.groups != 1:
            raise InspectError(f"{layer}: showing the kernels of a grouped transposed convolution is not supported")
        return module.weight.detach().transpose(0, 1)
    if not isinstance(module, nn.Conv2d):
        raise InspectError(f"{layer} is a {type(module).__name__}, not a convolution with kernels to show")
    return module.weight.detach()


@dataclass(frozen=True)
class KernelView:
    tiles: Tiles
    rgb: bool  # True: one colour patch per output channel; False: rows = outputs, columns = inputs
    outputs: int  # output channels shown
    inputs: int  # input channels shown per output (1 for RGB patches)
    value_range: tuple[float, float]  # the weight values at the two ends of the colour scale


def render_kernels(
    weight: torch.Tensor,
    *,
    rgb: bool | None = None,
    scaling: str = "symmetric",
    max_outputs: int = 64,
    max_inputs: int = 16,
    scale: int = 8,
    colormap: str = "diverging",
) -> KernelView:
    """Kernels (O, I, kh, kw) as a picture; rgb=None shows them as colour patches when I == 3.

    RGB patches map a weight w to 0.5 + w / (2·m), m the largest |w| (of all kernels for "symmetric"
    scaling, of each kernel for "channel"), so grey is zero and colours keep their relative strength.
    """
    if weight.dim() != 4:
        raise InspectError(f"kernels must be (out, in, kh, kw), got shape {tuple(weight.shape)}")
    weight = weight.detach().float().cpu()
    out_channels, in_channels = weight.shape[:2]
    rgb = in_channels == 3 if rgb is None else rgb
    if rgb and in_channels != 3:
        raise InspectError(f"RGB patches need 3 input channels; this layer has {in_channels}")
    shown = weight[:max_outputs] if rgb else weight[:max_outputs, :max_inputs]
    if rgb:
        if scaling not in ("symmetric", "channel"):
            raise InspectError(f"RGB kernels are scaled 'symmetric' or 'channel', not {scaling!r}")
        extent = shown.abs().amax(dim=(1, 2, 3), keepdim=True) if scaling == "channel" else shown.abs().amax()
        extent = torch.as_tensor(extent).clamp_min(torch.finfo(torch.float32).tiny)
        patches = (0.5 + shown / (2 * extent)).clamp(0, 1).permute(0, 2, 3, 1)
        tiles = tile_images((patches * 255).round().to(torch.uint8).numpy(), scale=scale)
        value_range = (-float(extent.max()), float(extent.max()))
        return KernelView(tiles, True, shown.shape[0], 1, value_range)
    outputs, inputs = shown.shape[:2]
    tiles = tile_maps(
        shown.reshape(outputs * inputs, *shown.shape[2:]),
        scaling=scaling,
        colormap=colormap,
        columns=inputs,
        scale=scale,
    )
    low, high = np.nanmin(tiles.ranges[:, 0]), np.nanmax(tiles.ranges[:, 1])
    return KernelView(tiles, False, outputs, inputs, (float(low), float(high)))


@dataclass(frozen=True)
class Kernels:
    """The kernels of one convolution as the Filters view shows them.

    layers: the model's convolutions (the choices); weight: (out, in, kh, kw) float32 of the kernels shown;
    total: the layer's (output, input per group) channels, shown or not.
    """

    layers: list[str]
    layer: str
    weight: np.ndarray
    view: KernelView
    total: tuple[int, int]

    def locate(self, y: int, x: int) -> tuple[int, int | None, int, int] | None:
        """(output channel, input channel or None for an RGB patch, row, column) under picture pixel (y, x)."""
        located = self.view.tiles.locate(y, x)
        if located is None:
            return None
        index, row, col = located
        if self.view.rgb:
            return index, None, row, col
        return index // self.view.inputs, index % self.view.inputs, row, col


def layer_kernels(model: nn.Module, wanted: str = "", *, scaling: str = "symmetric", kernel_side: int = 36) -> Kernels:
    """The kernels of convolution `wanted` (the first convolution when the model has none of that name),
    each enlarged by a whole factor (at least 2) to about `kernel_side` pixels. Kernels with one input
    channel are laid out in a square grid rather than in one column."""
    layers = conv_layers(model)
    if not layers:
        raise InspectError("This model has no convolution layers, so it has no kernels to show.")
    layer = wanted if wanted in layers else layers[0]
    weight = kernels_of(model, layer)
    scale = max(2, kernel_side // max(weight.shape[2:]))
    view = render_kernels(weight, scaling=scaling, scale=scale)
    if not view.rgb and view.inputs == 1:
        tiles = tile_maps(weight[: view.outputs, 0], scaling=scaling, colormap="diverging", scale=scale)
        view = KernelView(tiles, False, view.outputs, 1, view.value_range)
    shown = weight[: view.outputs, : 3 if view.rgb else view.inputs].float().cpu().numpy()
    return Kernels(layers, layer, shown, view, (int(weight.shape[0]), int(weight.shape[1])))
