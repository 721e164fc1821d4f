"""The feature-map and filter pages: tiles per channel, hover values, the strip, kernels and weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_inspect_support import draw_stroke, inspect_tab, settle

from cnnstudio.ui.inspection.maps.featuremaps_view import FeatureMapsView
from cnnstudio.ui.inspection.maps.filters_view import FiltersView
from cnnstudio.ui.inspection.model_source import EFFICIENTNET


@pytest.fixture
def tab(qtbot, prompts):
    yield from inspect_tab(qtbot, prompts)


def show_page(qtbot, tab, view_class):
    view = tab.view(view_class)
    tab.show_view(view)
    settle(qtbot, tab)
    return view


def choose(qtbot, tab, combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    settle(qtbot, tab)


def lenet_outputs(tab) -> dict[str, torch.Tensor]:
    """LeNet-5's layer outputs for the tab's input, computed here, layer by layer."""
    model, x = tab.subject.classifier.module, tab.subject.x
    values, current = {}, x
    with torch.no_grad():
        for name in ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2"):
            current = getattr(model, name)(current)
            values[name] = current[0]
    return values


def hover_tile(canvas, tiles, index: int, row: int, col: int) -> None:
    top, left = tiles.origin(index)
    QTest.mouseMove(canvas, canvas.widget_point(top + (row + 0.5) * tiles.scale, left + (col + 0.5) * tiles.scale))


def test_a_chosen_layer_shows_one_tile_per_channel_with_its_values_on_hover(tab, qtbot):
    draw_stroke(tab.inputs.pad, [(0.3, 0.2), (0.7, 0.8)])
    maps = show_page(qtbot, tab, FeatureMapsView)
    assert maps.current_layer() == "conv1" and maps.maps.view.tiles.count == 6

    choose(qtbot, tab, maps.layer_combo, "conv2")
    tiles = maps.maps.view.tiles
    assert tiles.count == 16
    assert "16 channels of 10×10" in maps.summary.text()
    assert tab.network_map.currentItem().text().startswith("conv2")  # the map follows the view
    expected = lenet_outputs(tab)["conv2"]
    hover_tile(maps.canvas, tiles, 5, 3, 7)
    value = float(expected[5, 3, 7])
    assert maps.hover_label.text().startswith("channel 5 · row 3, column 7 · value ")
    shown = maps.hover_label.text().split("value ")[1].split()[0].replace("−", "-")
    assert float(shown) == pytest.approx(value, rel=1e-3, abs=1e-4)


def test_clicking_a_tile_enlarges_it_beside_the_input(tab, qtbot):
    maps = show_page(qtbot, tab, FeatureMapsView)
    tiles = maps.maps.view.tiles
    top, left = tiles.origin(4)
    qtbot.mouseClick(maps.canvas, Qt.LeftButton, pos=maps.canvas.widget_point(top + 2, left + 2))
    assert maps.detail_title.text() == "conv1 · channel 4"
    assert maps.detail_canvas.image_shape() == (28, 28)
    assert maps.input_canvas.image_shape() == (28, 28)


def test_sorting_hiding_dead_channels_and_scaling(tab, qtbot):
    maps = show_page(qtbot, tab, FeatureMapsView)
    choose(qtbot, tab, maps.layer_combo, "relu2")  # of a blank drawing: ReLU zeroes channels with negative bias
    view = maps.maps.view
    dead = int(view.stats.dead.sum())
    assert 0 < dead < 16
    assert f"{dead} dead" in maps.summary.text()

    maps.dead_box.setChecked(True)
    settle(qtbot, tab)
    assert maps.maps.view.tiles.count == 16 - dead
    assert not maps.maps.view.stats.dead[maps.maps.view.channels].any()

    choose(qtbot, tab, maps.sort_combo, "mean")
    means = maps.maps.view.stats.mean[maps.maps.view.channels]
    assert list(means) == sorted(means, reverse=True)

    ranges = maps.maps.view.tiles.ranges
    assert np.all(ranges == ranges[0]) and maps.colorbar.text()  # one shared scale, shown on the bar
    choose(qtbot, tab, maps.scaling_combo, "channel")
    ranges = maps.maps.view.tiles.ranges
    assert len({tuple(pair) for pair in ranges}) > 1 and not maps.colorbar.text()


def test_the_strip_shows_every_layer_and_clicking_one_shows_it(tab, qtbot):
    maps = show_page(qtbot, tab, FeatureMapsView)
    assert maps.strip.layers() == tab.network_map.layer_names()
    index = maps.strip.layers().index("pool1")
    qtbot.mouseClick(maps.strip, Qt.LeftButton, pos=maps.strip.tile_rect(index).center().toPoint())
    settle(qtbot, tab)
    assert maps.current_layer() == "pool1" and maps.maps.view.tiles.count == 6


def test_filters_show_the_kernels_of_each_convolution_with_their_weights(tab, qtbot):
    filters = show_page(qtbot, tab, FiltersView)
    module = tab.subject.classifier.module
    assert filters.kernels.layer == "conv1" and filters.kernels.view.tiles.count == 6
    assert filters.weights_panel.table.selectedItems()[0].text() == "conv1.weight"

    choose(qtbot, tab, filters.layer_combo, "conv2")
    view = filters.kernels.view
    assert (view.outputs, view.inputs, view.tiles.count) == (16, 6, 96)
    low, high = view.value_range
    assert low == pytest.approx(-high) and high == pytest.approx(float(module.conv2.weight.detach().abs().max()))
    index = 7 * 6 + 2  # kernel 7, input channel 2
    hover_tile(filters.canvas, view.tiles, index, 1, 4)
    weight = float(module.conv2.weight.detach()[7, 2, 1, 4])
    assert filters.hover_label.text().startswith("kernel 7, input channel 2 · row 1, column 4 · weight ")
    shown = filters.hover_label.text().split("weight ")[1].replace("−", "-")
    assert float(shown) == pytest.approx(weight, rel=1e-3, abs=1e-4)
    assert filters.weights_panel.table.selectedItems()[0].text() == "conv2.weight"
    counts = filters.weights_panel.after_curve.getData()[1]
    assert counts.sum() == module.conv2.weight.numel()  # the histogram counts every weight of the tensor


def test_efficientnet_first_layer_kernels_are_colour_patches(tab, qtbot):
    tab.model_source.combo.setCurrentIndex(EFFICIENTNET)
    settle(qtbot, tab)
    filters = show_page(qtbot, tab, FiltersView)
    assert filters.kernels.layer == "stem_conv"
    assert filters.kernels.view.rgb and filters.kernels.view.tiles.count == 32
    assert "colour patches" in filters.summary.text()
    maps = show_page(qtbot, tab, FeatureMapsView)
    assert maps.maps.layer == "stem_conv" and maps.maps.view.tiles.count == 32
    assert len(maps.strip.layers()) == len(tab.network_map.layer_names()) > 100
