"""Many small maps → one picture: a grid of tiles with a colour map, shared or per-tile scaling, and the
value range every tile's colours span (to print beside the picture). Everything is vectorized: scaling
and quantization in torch, colouring one table gather, the grid a reshape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from cnnstudio.viz.colormaps import colorize, quantize
from cnnstudio.viz.runtime import InspectError

SCALINGS = ("shared", "channel", "symmetric")
BACKGROUND = (40, 40, 40)


@dataclass(frozen=True)
class Tiles:
    """A grid picture of `count` tiles, row by row; `ranges[i]` = (low, high) of tile i's colours."""

    image: np.ndarray  # (H, W, 3) uint8
    count: int
    rows: int
    columns: int
    map_height: int  # one tile's map, in map pixels
    map_width: int
    scale: int  # image pixels per map pixel
    padding: int  # image pixels between tiles and around the grid
    ranges: np.ndarray | None  # (count, 2); None for tiles that were already RGB

    def origin(self, index: int) -> tuple[int, int]:
        """Image (y, x) of tile `index`'s top-left pixel."""
        row, column = divmod(index, self.columns)
        return (
            row * (self.map_height * self.scale + self.padding) + self.padding,
            column * (self.map_width * self.scale + self.padding) + self.padding,
        )

    def locate(self, y: int, x: int) -> tuple[int, int, int] | None:
        """The tile and map position under image pixel (y, x): (index, map row, map column), or None."""
        step_y, step_x = self.map_height * self.scale + self.padding, self.map_width * self.scale + self.padding
        row, offset_y = divmod(y - self.padding, step_y)
        column, offset_x = divmod(x - self.padding, step_x)
        index = row * self.columns + column
        if (
            y < self.padding
            or x < self.padding
            or column >= self.columns
            or index >= self.count
            or offset_y >= self.map_height * self.scale
            or offset_x >= self.map_width * self.scale
        ):
            return None
        return index, offset_y // self.scale, offset_x // self.scale


def grid_columns(count: int, columns: int | None) -> int:
    if columns is not None and columns < 1:
        raise InspectError(f"columns must be at least 1, not {columns}")
    return max(1, min(count, columns or math.ceil(math.sqrt(count))))


def tile_images(
    images: np.ndarray,
    *,
    columns: int | None = None,
    padding: int = 1,
    scale: int = 1,
    background: tuple[int, int, int] = BACKGROUND,
) -> Tiles:
    """uint8 (N, h, w, 3) images → one grid picture (nearest-neighbour enlargement by `scale`)."""
    count, height, width = images.shape[:3]
    if count == 0:
        raise InspectError("nothing to tile: no maps")
    columns = grid_columns(count, columns)
    rows = math.ceil(count / columns)
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    tile_h, tile_w = height * scale, width * scale
    cells = np.empty((rows * columns, tile_h + padding, tile_w + padding, 3), dtype=np.uint8)
    cells[...] = background
    cells[:count, padding:, padding:] = images
    grid = cells.reshape(rows, columns, tile_h + padding, tile_w + padding, 3).transpose(0, 2, 1, 3, 4)
    grid = grid.reshape(rows * (tile_h + padding), columns * (tile_w + padding), 3)
    if padding:
        grid = np.pad(grid, ((0, padding), (0, padding), (0, 0)), mode="constant")
        grid[-padding:], grid[:, -padding:] = background, background
    return Tiles(grid, count, rows, columns, height, width, scale, padding, None)


def value_ranges(maps: torch.Tensor, scaling: str | tuple[float, float]) -> torch.Tensor:
    """(N, 2) low/high per map for a scaling: "shared" (one range for all), "channel" (each its own),
    "symmetric" (shared, centred on zero, for signed values), or a fixed (low, high)."""
    flat = maps.reshape(maps.shape[0], -1).float()
    if isinstance(scaling, tuple):
        low, high = (torch.full((maps.shape[0],), float(v), device=maps.device) for v in scaling)
    elif scaling == "channel":
        low, high = flat.aminmax(dim=1)
    elif scaling == "shared":
        low, high = (v.expand(maps.shape[0]) for v in flat.aminmax())
    elif scaling == "symmetric":
        high = flat.abs().amax().expand(maps.shape[0])
        low = -high
    else:
        raise InspectError(f"scaling must be one of {', '.join(SCALINGS)} or a (low, high) pair, not {scaling!r}")
    return torch.stack([low, high], dim=1)


def tile_maps(
    maps: torch.Tensor | np.ndarray,
    *,
    scaling: str | tuple[float, float] = "shared",
    colormap: str = "viridis",
    columns: int | None = None,
    padding: int = 1,
    scale: int = 1,
) -> Tiles:
    """(N, h, w) values → a grid picture with a colour map; the ranges used are in `Tiles.ranges`."""
    maps = torch.as_tensor(maps).detach()
    if maps.dim() == 2:
        maps = maps.unsqueeze(0)
    if maps.dim() != 3:
        raise InspectError(f"maps must be (N, h, w), got shape {tuple(maps.shape)}")
    ranges = value_ranges(maps, scaling)
    indices = quantize(maps, ranges[:, 0, None, None], ranges[:, 1, None, None])
    tiles = tile_images(colorize(indices, colormap), columns=columns, padding=padding, scale=scale)
    return Tiles(
        tiles.image,
        tiles.count,
        tiles.rows,
        tiles.columns,
        tiles.map_height,
        tiles.map_width,
        tiles.scale,
        tiles.padding,
        ranges.cpu().numpy(),
    )


def single_map(
    plane: torch.Tensor | np.ndarray, *, scaling: str | tuple[float, float] = "channel", colormap: str = "viridis"
) -> Tiles:
    """One (h, w) map as a picture without padding, on its own range or a given one (`ranges[0]`)."""
    return tile_maps(plane[None], scaling=scaling, colormap=colormap, padding=0)


def enlarged(pixels: np.ndarray, side: int) -> np.ndarray:
    """Pixels (H, W) or (H, W, C) with each pixel repeated so that the longer side is at least `side`
    (crisp, for tiny model inputs shown large); pictures already that large are returned as they are."""
    factor = max(1, side // max(pixels.shape[:2]))
    return pixels.repeat(factor, axis=0).repeat(factor, axis=1) if factor > 1 else pixels
