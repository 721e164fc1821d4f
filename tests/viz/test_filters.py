"""Kernels as pictures, weight histograms, and how weights changed during training."""

import numpy as np
import pytest
import torch
from torch import nn

from cnnstudio.viz.filters import conv_layers, kernels_of, render_kernels
from cnnstudio.viz.runtime import InspectError
from cnnstudio.viz.weightstats import compare_weights, snapshot, weight_histograms


def test_a_first_layer_on_rgb_shows_colour_patches(efficientnet):
    assert conv_layers(efficientnet)[0] == "_conv_stem"
    weight = kernels_of(efficientnet, "_conv_stem")
    view = render_kernels(weight, scale=4)
    assert view.rgb and view.outputs == 32 and view.inputs == 1
    assert view.tiles.count == 32 and view.tiles.map_height == 3
    extent = float(weight.abs().max())
    assert view.value_range == pytest.approx((-extent, extent))
    strongest = np.unravel_index(int(weight.abs().argmax()), weight.shape)  # (out, colour, row, col)
    y, x = view.tiles.origin(int(strongest[0]))
    pixel = view.tiles.image[y + 4 * int(strongest[2]), x + 4 * int(strongest[3]), int(strongest[1])]
    assert pixel in (0, 255)  # the largest weight takes the end of the scale


def test_deeper_layers_show_one_map_per_input_channel(lenet):
    view = render_kernels(kernels_of(lenet, "conv2"), max_outputs=4, max_inputs=3, scale=2)
    assert not view.rgb and (view.outputs, view.inputs) == (4, 3)
    assert (view.tiles.rows, view.tiles.columns) == (4, 3)
    assert view.value_range[0] == -view.value_range[1]  # symmetric: grey is zero
    single = render_kernels(kernels_of(lenet, "conv1"))
    assert not single.rgb and single.inputs == 1 and single.outputs == 6


def test_transposed_convolutions_and_layers_without_kernels():
    model = nn.Sequential(nn.ConvTranspose2d(2, 5, 3), nn.ReLU())
    assert kernels_of(model, "0").shape == (5, 2, 3, 3)
    with pytest.raises(InspectError, match="not a convolution"):
        kernels_of(model, "1")


def test_weight_histograms_per_tensor(lenet):
    histograms = weight_histograms(lenet, bins=20)
    assert set(histograms) == {name for name, _ in lenet.named_parameters()}
    conv1 = histograms["conv1.weight"]
    assert conv1.counts.sum() == lenet.conv1.weight.numel() and conv1.edges.size == 21


def test_weight_changes_between_snapshots(lenet):
    lenet.conv1.requires_grad_(False)
    before = snapshot(lenet)
    optimizer = torch.optim.SGD([p for p in lenet.parameters() if p.requires_grad], lr=0.1)
    torch.manual_seed(0)
    for _ in range(3):
        optimizer.zero_grad()
        nn.functional.cross_entropy(lenet(torch.randn(8, 1, 28, 28)), torch.randint(0, 10, (8,))).backward()
        optimizer.step()
    changes = {change.name: change for change in compare_weights(before, lenet, bins=10)}
    assert changes["conv1.weight"].relative_change == 0 and changes["conv1.weight"].max_abs_change == 0
    assert changes["fc3.weight"].relative_change > 0
    fc3 = changes["fc3.weight"]
    np.testing.assert_array_equal(fc3.before.edges, fc3.after.edges)
    assert fc3.before.counts.sum() == fc3.after.counts.sum() == lenet.fc3.weight.numel()
    grown = dict(before, **{"fc3.weight": torch.zeros(3, 3)})
    with pytest.raises(InspectError, match="fc3.weight"):
        compare_weights(grown, lenet)
