"""What the Inspect tab's views get from the core: the layers of a model (listed once), one layer's maps,
a convolution's kernels, the weights' summary, a layer's values for the arithmetic, an attribution with
its probability, and a dataset's images."""

import numpy as np
import pytest
import torch
from torch import nn

from cnnstudio.data import ImageDataset
from cnnstudio.viz import activations
from cnnstudio.viz.activations import channel_layers, first_convolution, model_layers, spatial_layers
from cnnstudio.viz.arithmetic import ConvExplanation, PoolExplanation
from cnnstudio.viz.attribution import explain_class, raw_picture
from cnnstudio.viz.featuremaps import layer_maps, network_strip
from cnnstudio.viz.filters import layer_kernels
from cnnstudio.viz.images import dataset_image
from cnnstudio.viz.layer_values import layer_values
from cnnstudio.viz.runtime import InspectError, forward, hooks_removed
from cnnstudio.viz.tiles import enlarged, single_map
from cnnstudio.viz.weightstats import weight_summary

X = torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(3))


def test_a_model_s_layers_are_listed_once_per_input_shape(lenet, monkeypatch):
    calls = []
    listed = activations.list_layers
    monkeypatch.setattr(activations, "list_layers", lambda model, x: calls.append(x.shape) or listed(model, x))
    layers = model_layers(lenet, (1, 28, 28))
    assert model_layers(lenet, [1, 28, 28]) is layers and len(calls) == 1
    convolutional = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    assert model_layers(convolutional, (1, 8, 8))[0].shape == (2, 6, 6)
    assert model_layers(convolutional, (1, 12, 12))[0].shape == (2, 10, 10) and len(calls) == 3
    assert [layer.name for layer in spatial_layers(layers)] == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]
    assert channel_layers(layers) == layers  # maps (C, H, W) and vectors (C,): every layer of LeNet
    flat = model_layers(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(0)), (1, 4, 4))
    assert flat[1].shape == () and channel_layers(flat) == [flat[0]]  # no channels to choose from: left out
    assert first_convolution(layers).name == "conv1"
    assert first_convolution([layer for layer in layers if not layer.is_spatial]) is None


def test_layer_maps_of_a_chosen_layer_and_the_default(lenet):
    maps = layer_maps(lenet, X, "conv2", tile_side=64)
    assert maps.layer == "conv2" and maps.activation.shape == (16, 10, 10) and maps.activation.dtype == np.float32
    assert maps.info.kind == "Conv2d" and maps.view.tiles.scale == 6
    expected = lenet.eval()(X).shape  # the model ran in eval mode and is left in it
    assert expected == (1, 10)
    assert layer_maps(lenet, X, "no such layer").layer == "conv1"
    assert layer_maps(lenet, X, "fc1").activation.shape == (120, 1, 1)


def test_layer_maps_locate_tiles_and_enlarge_one_channel(lenet):
    maps = layer_maps(lenet, X, "conv1", sort="mean", scaling="channel")
    tiles = maps.view.tiles
    top, left = tiles.origin(2)
    channel, row, col = maps.locate(top + 3 * tiles.scale, left + 5 * tiles.scale)
    assert channel == int(maps.view.channels[2]) and (row, col) == (3, 5)
    assert maps.locate(0, 0) is None  # the padding between tiles
    low, high = maps.tile_range(channel)
    plane = maps.activation[channel]
    assert (low, high) == pytest.approx((plane.min(), plane.max()), abs=1e-6)
    detail = maps.detail(channel, "viridis")
    assert detail.picture.shape == (28, 28, 3) and detail.value_range == pytest.approx((low, high))
    assert detail.mean == pytest.approx(float(plane.mean()), abs=1e-6)
    stats = maps.view.stats
    assert stats.most_active == int(np.argmax(stats.mean)) and stats.dead_count == int(stats.dead.sum())
    assert stats.value_range == (float(stats.minimum.min()), float(stats.maximum.max()))


def test_a_hidden_dead_channel_is_detailed_on_its_own_range(lenet):
    maps = layer_maps(lenet, X, "relu1", hide_dead=True)
    dead = np.flatnonzero(maps.view.stats.dead)
    if not dead.size:  # make one channel dead for this input
        with torch.no_grad():
            lenet.conv1.bias[0] = -1e3
        maps = layer_maps(lenet, X, "relu1", hide_dead=True)
        dead = np.flatnonzero(maps.view.stats.dead)
    channel = int(dead[0])
    assert channel not in maps.view.channels and maps.tile_range(channel) is None
    assert maps.detail(channel, "gray").value_range == (0.0, 0.0)


def test_network_strip_has_one_tile_per_layer(lenet):
    strip = network_strip(lenet, X, size=20)
    assert strip.layers == [layer.name for layer in model_layers(lenet, (1, 28, 28))]
    assert strip.tiles.count == len(strip.layers) and strip.channels[-1] == -1


def test_layer_kernels_choose_a_convolution_and_locate_a_weight(lenet):
    kernels = layer_kernels(lenet, "conv2", kernel_side=36)
    assert kernels.layers == ["conv1", "conv2"] and kernels.layer == "conv2" and kernels.total == (16, 6)
    assert kernels.weight.shape == (16, 6, 5, 5) and kernels.view.tiles.scale == 7
    top, left = kernels.view.tiles.origin(7 * 6 + 2)
    assert kernels.locate(top + 1 * 7, left + 4 * 7) == (7, 2, 1, 4)
    first = layer_kernels(lenet, "no such layer")
    assert first.layer == "conv1" and first.view.tiles.columns > 1  # one input channel: a square grid
    with pytest.raises(InspectError, match="no convolution"):
        layer_kernels(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)))


def test_weight_summary_compares_with_the_previous_model(lenet):
    before = weight_summary(lenet)
    assert before.compared_with == "" and not before.changes
    conv1 = next(stats for stats in before.stats if stats.name == "conv1.weight")
    assert conv1.shape == (6, 1, 5, 5) and conv1.mean == pytest.approx(float(lenet.conv1.weight.detach().mean()))
    assert conv1.histogram.counts.sum() == 150
    with torch.no_grad():
        lenet.conv1.weight.mul_(2)
    after = weight_summary(lenet, before, "epoch 1")
    assert after.compared_with == "epoch 1"
    assert after.changes["conv1.weight"].relative_change == pytest.approx(1.0, rel=1e-5)
    assert after.changes["fc3.bias"].relative_change == 0.0
    other = weight_summary(nn.Sequential(nn.Linear(3, 2)), after, "epoch 2")
    assert other.compared_with == "" and not other.changes  # a different network: nothing to compare


def test_layer_values_explain_and_check_a_convolution_and_a_pool(lenet):
    values = layer_values(lenet, X, "conv2")
    assert values.layer == "conv2" and values.is_conv and values.input.shape == (6, 14, 14)
    assert [layer.name for layer in values.layers] == ["conv1", "pool1", "conv2", "pool2"]
    assert type(values.activation).__name__ == "ReLU"
    row, col = values.peak(3)
    assert values.output[3, row, col] == values.output[3].max()
    explanation = values.explain(3, row, col)
    assert isinstance(explanation, ConvExplanation)
    actual, same = values.check(explanation)
    assert same and actual == pytest.approx(explanation.pre_activation, rel=1e-4, abs=1e-5)
    pool = layer_values(lenet, X, "pool1")
    assert not pool.is_conv and pool.activation is None
    window = pool.explain(0, 1, 2)
    assert isinstance(window, PoolExplanation) and pool.check(window)[1]
    assert layer_values(lenet, X, "fc1").layer == "conv1"  # not explainable: the first that is
    with pytest.raises(InspectError, match="no convolution or pooling"):
        layer_values(nn.Sequential(nn.Flatten(), nn.Linear(784, 2)), X)


@pytest.mark.parametrize("method", ["gradcam", "occlusion", "gradient"])
def test_explain_class_gives_the_map_and_the_probability(lenet, method):
    reports = []
    explained = explain_class(
        lenet, X, method, 4, layer="conv2", patch=7, stride=7, progress=lambda *report: reports.append(report)
    )
    assert explained.attribution.target == 4 and explained.attribution.method == method
    assert explained.attribution.heat.shape == (28, 28)
    expected = torch.softmax(lenet.eval()(X), dim=1)[0, 4].detach()
    assert explained.probability == pytest.approx(float(expected), abs=1e-6)
    assert explained.layers == model_layers(lenet, (1, 28, 28))
    assert explained.attribution.layer == ("conv2" if method == "gradcam" else None)
    if method == "occlusion":
        assert reports and reports[-1] == ("Occlusion: 16 of 16 positions", 1.0)


def test_explain_class_falls_back_to_the_last_map_layer_and_rejects_unknown_methods(lenet):
    assert explain_class(lenet, X, "gradcam++", 0, layer="fc1").attribution.layer == "pool2"
    with pytest.raises(InspectError, match="unknown attribution method"):
        explain_class(lenet, X, "lime", 0)


def test_raw_picture_scales_signed_maps_around_zero():
    raw = np.array([[-2.0, 0.0], [1.0, 2.0]], dtype=np.float32)
    picture, low, high, colormap = raw_picture(raw, signed=True)
    assert (low, high, colormap) == (-2.0, 2.0, "diverging") and picture.shape == (2, 2, 3)
    _, low, high, colormap = raw_picture(np.abs(raw), signed=False)
    assert (low, high, colormap) == (0.0, 2.0, "viridis")


def test_dataset_image_is_grey_or_rgb_pixels():
    images = torch.arange(2 * 4 * 5, dtype=torch.uint8).reshape(2, 1, 4, 5)
    grey = ImageDataset(images, torch.tensor([0, 1]), ["a", "b"])
    pixels = dataset_image(grey, 1)
    assert pixels.shape == (4, 5) and pixels[0, 0] == 20
    pixels[0, 0] = 0
    assert grey.images[1, 0, 0, 0] == 20  # a copy
    rgb = ImageDataset(torch.zeros(1, 3, 4, 5, dtype=torch.uint8), torch.tensor([0]), ["a"])
    assert dataset_image(rgb, 0).shape == (4, 5, 3)


def test_single_map_and_enlarged():
    picture = single_map(np.array([[0.0, 1.0], [2.0, 3.0]]), colormap="gray").image
    assert picture.shape == (2, 2, 3) and picture[0, 0, 0] == 0 and picture[1, 1, 0] == 255
    assert enlarged(picture, 7).shape == (6, 6, 3)
    assert enlarged(picture, 2) is picture


def test_forward_keeps_the_model_s_mode_and_hooks_are_removed(training_lenet):
    seen = []
    handle = training_lenet.conv1.register_forward_hook(lambda module, inputs, output: seen.append(module.training))
    with hooks_removed([handle]):
        output = forward(training_lenet, X[0])
    assert output.shape == (1, 10) and not output.requires_grad
    assert seen == [False] and training_lenet.training
    training_lenet(X)
    assert seen == [False]  # the hook is gone
