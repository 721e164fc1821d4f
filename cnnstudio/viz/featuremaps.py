"""The feature-map views: all channels of one layer as a grid (sorted, dead channels hidden), and one
representative map per layer as a strip through the whole network."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from cnnstudio.viz.activations import ChannelStats, channel_stats
from cnnstudio.viz.colormaps import colorize, quantize
from cnnstudio.viz.runtime import InspectError
from cnnstudio.viz.tiles import Tiles, tile_images, tile_maps, value_ranges

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
    activation: torch.Tensor,
    *,
    sort: str = "channel",
    hide_dead: bool = False,
    scaling: str | tuple[float, float] = "shared",
    colormap: str = "viridis",
    columns: int | None = None,
    padding: int = 1,
    scale: int = 1,
) -> FeatureMapView:
    """All channels of one layer's output as one RGB picture.

    sort="mean" puts the most active channels first; hide_dead drops channels that are zero everywhere
    for this input (dead ReLUs). "shared" scaling makes tiles comparable (a weak channel looks dark);
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
    tiles = tile_maps(selected, scaling=scaling, colormap=colormap, columns=columns, padding=padding, scale=scale)
    return FeatureMapView(tiles, order, stats)


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
