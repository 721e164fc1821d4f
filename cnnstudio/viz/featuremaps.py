"""The feature-map views: all channels of one layer as a grid (sorted, dead channels hidden), and one
representative map per layer as a strip through the whole network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from cnnstudio.viz.activations import ChannelStats, LayerInfo, capture, channel_stats, model_layers
from cnnstudio.viz.colormaps import colorize, quantize
from cnnstudio.viz.runtime import InspectError
from cnnstudio.viz.tiles import Tiles, single_map, tile_images, tile_maps, value_ranges

SORTS = ("channel", "mean")


def _maps_of(activation: torch.Tensor) -> torch.Tensor:
    """One sample's activation as (C, h, w): a vector (C,) becomes C 1×1 maps."""
    if activation.dim() in (2, 4) and activation.shape[0] == 1:
        activation = activation[0]
    if activation.dim() == 1:
        return activation.reshape(-1, 1, 1)
    if activation.dim() != 3:
        raise InspectError(f"expected a (C, H, W) or (C,) activation, got shape {tuple(activation.shape)}")
    return activation


@dataclass(frozen=True)
class FeatureMapView:
    tiles: Tiles
    channels: np.ndarray  # the channel shown in each tile, in tile order
    stats: ChannelStats  # of all channels, by channel index


def render_feature_maps(
    activation: torch.Tensor, *, sort: str = "channel", hide_dead: bool = False, **tiling: Any
) -> FeatureMapView:
    """All channels of one layer's output as one RGB picture.

    sort="mean" puts the most active channels first; hide_dead drops channels that are zero everywhere
    for this input (dead ReLUs). `tiling` is how `tile_maps` lays them out (scaling, colormap, columns,
    padding, scale): "shared" scaling (the default) makes tiles comparable (a weak channel looks dark);
    "channel" stretches each tile to its own range (shows the pattern of weak channels too).
    """
    if sort not in SORTS:
        raise InspectError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    maps = _maps_of(activation.detach())
    stats = channel_stats(maps)
    order = np.argsort(-stats.mean, kind="stable") if sort == "mean" else np.arange(maps.shape[0])
    if hide_dead:
        order = order[~stats.dead[order]]
    if order.size == 0:
        raise InspectError("every channel is dead (zero everywhere) for this input; nothing to show")
    selected = maps[torch.from_numpy(order).to(maps.device)]
    return FeatureMapView(tile_maps(selected, **tiling), order, stats)


def default_layer(layers: list[LayerInfo]) -> str:
    """The first layer with 2-D maps (the first convolution, usually), else the first layer."""
    return next((layer.name for layer in layers if layer.is_spatial), layers[0].name)


@dataclass(frozen=True)
class ChannelDetail:
    """One channel's map as a picture of its own, and its numbers."""

    picture: np.ndarray  # (h, w, 3) uint8
    value_range: tuple[float, float]  # the values at the two ends of its colour scale
    mean: float
    maximum: float


@dataclass(frozen=True)
class LayerMaps:
    """The maps of one layer for one input, as the feature-map view shows them.

    layers: every layer of the model (the choices); layer: the one shown; activation: its output as
    (C, h, w) float32 (a vector as (C, 1, 1)); view: the tiled picture.
    """

    layers: list[LayerInfo]
    layer: str
    activation: np.ndarray
    view: FeatureMapView

    @property
    def info(self) -> LayerInfo:
        return next(layer for layer in self.layers if layer.name == self.layer)

    def locate(self, y: int, x: int) -> tuple[int, int, int] | None:
        """(channel, map row, map column) under pixel (y, x) of the tiled picture, None between tiles."""
        located = self.view.tiles.locate(y, x)
        if located is None:
            return None
        index, row, col = located
        return int(self.view.channels[index]), row, col

    def tile_range(self, channel: int) -> tuple[float, float] | None:
        """The values at the two ends of `channel`'s tile colours (None: the channel has no tile)."""
        shown = np.flatnonzero(self.view.channels == channel)
        if not shown.size or self.view.tiles.ranges is None:
            return None
        low, high = self.view.tiles.ranges[int(shown[0])]
        return float(low), float(high)

    def detail(self, channel: int, colormap: str) -> ChannelDetail:
        """`channel` alone, coloured as its tile is (on its own range when it has no tile: a hidden dead one)."""
        tiles = single_map(self.activation[channel], scaling=self.tile_range(channel) or "channel", colormap=colormap)
        low, high = tiles.ranges[0] if tiles.ranges is not None else (0.0, 0.0)
        stats = self.view.stats
        mean, maximum = float(stats.mean[channel]), float(stats.maximum[channel])
        return ChannelDetail(tiles.image, (float(low), float(high)), mean, maximum)


def layer_maps(
    model: nn.Module,
    x: torch.Tensor,
    wanted: str = "",
    *,
    tile_side: int = 64,
    sort: str = "channel",
    hide_dead: bool = False,
    scaling: str | tuple[float, float] = "shared",
    colormap: str = "viridis",
) -> LayerMaps:
    """The maps of layer `wanted` (the default layer when the model has none of that name) for input x
    (1, C, H, W); small maps are enlarged by a whole factor to about `tile_side` pixels per tile."""
    layers = model_layers(model, tuple(x.shape[-3:]))
    layer = wanted if any(info.name == wanted for info in layers) else default_layer(layers)
    activation = capture(model, x, [layer])[layer][0].detach()
    maps = _maps_of(activation).float().cpu().numpy()
    scale = max(1, tile_side // max(maps.shape[1:]))
    view = render_feature_maps(
        activation, sort=sort, hide_dead=hide_dead, scaling=scaling, colormap=colormap, scale=scale
    )
    return LayerMaps(layers, layer, maps, view)


def network_strip(model: nn.Module, x: torch.Tensor, *, size: int = 48) -> LayerStrip:
    """`layer_strip` of every layer of the model for input x (1, C, H, W)."""
    names = [layer.name for layer in model_layers(model, tuple(x.shape[-3:]))]
    return layer_strip(capture(model, x, names), size=size)


@dataclass(frozen=True)
class LayerStrip:
    tiles: Tiles  # one tile per layer, in the given order
    layers: list[str]
    channels: list[int]  # the channel shown for each layer; -1 where a whole vector is shown


def layer_strip(
    activations: Mapping[str, torch.Tensor], *, size: int = 48, colormap: str = "viridis", padding: int = 2
) -> LayerStrip:
    """One representative map per layer (its most active channel, by mean), each resized to size×size
    and scaled to its own range, side by side in one row. A vector output (or 1×1 maps) is shown whole,
    laid out in a square."""
    pictures, channels = [], []
    for activation in activations.values():
        maps = _maps_of(activation.detach()).float()
        if maps.shape[1:] == (1, 1):  # a vector: show all of it
            chosen, channel = _vector_as_map(maps.reshape(-1)), -1
        else:
            channel = int(maps.mean(dim=(1, 2)).argmax())
            chosen = maps[channel]
        resized = F.interpolate(chosen[None, None], size=(size, size), mode="nearest")[0]
        low_high = value_ranges(resized, "channel")
        pictures.append(colorize(quantize(resized[0], low_high[0, 0], low_high[0, 1]), colormap))
        channels.append(channel)
    tiles = tile_images(np.stack(pictures), columns=len(pictures), padding=padding)
    return LayerStrip(tiles, list(activations), channels)


def _vector_as_map(vector: torch.Tensor) -> torch.Tensor:
    """A feature vector laid out row by row in the smallest square that holds it (the rest zero)."""
    side = int(np.ceil(np.sqrt(vector.numel())))
    square = torch.zeros(side * side, dtype=torch.float32, device=vector.device)
    square[: vector.numel()] = vector.float()
    return square.reshape(side, side)
