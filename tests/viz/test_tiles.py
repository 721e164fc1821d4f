"""Many maps → one picture: geometry, scaling, colours, and finding the map under a click."""

import numpy as np
import pytest
import torch

from cnnstudio.viz.colormaps import COLORMAPS, colormap_table, overlay, quantize
from cnnstudio.viz.featuremaps import layer_strip, render_feature_maps
from cnnstudio.viz.tiles import tile_maps


def test_grid_geometry_and_locating_a_map_position():
    maps = torch.arange(5 * 3 * 4, dtype=torch.float32).reshape(5, 3, 4)
    tiles = tile_maps(maps, columns=2, padding=1, scale=2)
    assert (tiles.rows, tiles.columns, tiles.count) == (3, 2, 5)
    assert tiles.image.shape == (3 * (3 * 2 + 1) + 1, 2 * (4 * 2 + 1) + 1, 3) and tiles.image.dtype == np.uint8
    for index in range(5):
        y, x = tiles.origin(index)
        assert tiles.locate(y, x) == (index, 0, 0)
        assert tiles.locate(y + 2 * 2 + 1, x + 3 * 2 + 1) == (index, 2, 3)
    assert tiles.locate(0, 0) is None  # the border
    assert tiles.locate(*tiles.origin(5)) is None  # the empty sixth cell


def test_shared_scaling_compares_maps_and_channel_scaling_stretches_each():
    maps = torch.stack([torch.full((2, 2), 1.0), torch.full((2, 2), 3.0)])
    maps[1, 0, 0] = 5.0
    shared = tile_maps(maps, scaling="shared", colormap="gray", padding=0)
    assert shared.ranges.tolist() == [[1.0, 5.0], [1.0, 5.0]]
    assert shared.image[0, 0, 0] == 0 and shared.image[0, 2, 0] == 255  # first map all at the minimum
    per_channel = tile_maps(maps, scaling="channel", colormap="gray", padding=0)
    assert per_channel.ranges.tolist() == [[1.0, 1.0], [3.0, 5.0]]
    assert per_channel.image[1, 3, 0] == 0 and per_channel.image[0, 2, 0] == 255
    fixed = tile_maps(maps, scaling=(0.0, 10.0), colormap="gray", padding=0)
    assert fixed.image[0, 2, 0] == round(5.0 / 10 * 255)
    with pytest.raises(ValueError):
        tile_maps(maps, scaling="loud")


def test_colour_tables_and_quantization():
    for name in COLORMAPS:
        table = colormap_table(name)
        assert table.shape == (256, 3) and table.dtype == np.uint8
    assert colormap_table("gray")[200].tolist() == [200, 200, 200]
    assert colormap_table("diverging")[0].tolist() == [59, 76, 192]  # blue for the most negative
    assert colormap_table("viridis")[255].tolist()[0] > 200  # viridis ends yellow (RGB, not OpenCV's BGR)
    assert quantize(torch.tensor([2.0, 2.0]), 2.0, 2.0).tolist() == [0, 0]
    assert quantize(torch.tensor([-1.0, 0.0, 1.0]), -1.0, 1.0).tolist() == [0, 128, 255]
    with pytest.raises(ValueError):
        colormap_table("rainbow-unicorn")


def test_overlay_blends_a_heat_map_of_any_size():
    image = np.full((8, 8, 3), 100, dtype=np.uint8)
    heat = np.zeros((2, 2))
    heat[0, 0] = 1.0
    blended = overlay(image, heat, opacity=0.0)
    np.testing.assert_array_equal(blended, image)
    full = overlay(image, heat, opacity=1.0, colormap="gray")
    assert full[0, 0].tolist() == [255, 255, 255] and full[7, 7].tolist() == [0, 0, 0]


def test_feature_maps_sorted_by_activity_without_dead_channels():
    activation = torch.zeros(1, 4, 3, 3)
    activation[0, 1] = 1.0
    activation[0, 3] = 5.0
    activation[0, 3, 0, 0] = 0.0
    view = render_feature_maps(activation, sort="mean", hide_dead=True)
    assert view.channels.tolist() == [3, 1] and view.tiles.count == 2
    assert view.stats.dead.tolist() == [True, False, True, False]
    everything = render_feature_maps(activation)
    assert everything.channels.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="dead"):
        render_feature_maps(torch.zeros(2, 3, 3), hide_dead=True)


def test_layer_strip_shows_one_map_per_layer():
    maps = torch.zeros(3, 4, 4)
    maps[2] = 1.0
    strip = layer_strip({"conv": maps, "fc": torch.arange(10.0), "pool": torch.ones(5, 1, 1)}, size=16, padding=2)
    assert strip.layers == ["conv", "fc", "pool"] and strip.channels == [2, -1, -1]
    assert strip.tiles.image.shape == (16 + 4, 3 * (16 + 2) + 2, 3)
