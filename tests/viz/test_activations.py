"""Layer lists, capture (by interpreter and by hooks, stopping early) and per-channel statistics."""

import pytest
import torch
import torchvision
from torch import fx, nn

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.viz.activations import (
    capture,
    channel_stats,
    default_target_layer,
    list_layers,
    middle_spatial_layer,
    module_for,
)
from cnnstudio.viz.runtime import InspectError


def test_a_design_lists_its_node_ids_with_shapes(lenet):
    layers = list_layers(lenet, torch.zeros(1, 1, 28, 28))
    assert [layer.name for layer in layers] == [
        "conv1",
        "relu1",
        "pool1",
        "conv2",
        "relu2",
        "pool2",
        "flatten",
        "fc1",
        "relu3",
        "fc2",
        "relu4",
        "fc3",
    ]
    assert layers[0].shape == (6, 28, 28) and layers[0].kind == "Conv2d" and layers[0].is_spatial
    assert layers[-1].shape == (10,) and not layers[-1].is_spatial
    assert default_target_layer(layers) == "pool2"
    assert middle_spatial_layer(layers) == "conv2"


def test_residual_adds_are_layers_of_a_design_but_not_grad_cam_targets():
    model = build_module(load_template("cifar_resnet"))
    layers = list_layers(model, torch.zeros(1, 3, 32, 32))
    adds = [layer for layer in layers if layer.kind == "add"]
    assert adds and not any(layer.hookable for layer in adds)
    values = capture(model, torch.randn(1, 3, 32, 32), [adds[0].name])
    assert values[adds[0].name].shape[1:] == adds[0].shape
    assert default_target_layer(layers) not in {layer.name for layer in adds}
    with pytest.raises(InspectError, match="operation"):
        module_for(model, adds[0].name)


def test_capture_equals_the_forward_pass_and_stops_after_the_last_layer(lenet):
    x = torch.randn(2, 1, 28, 28)
    calls = []
    lenet.fc3.register_forward_hook(lambda *args: calls.append("fc3"))
    values = capture(lenet, x, ["pool1", "conv2"])
    with torch.no_grad():
        pool1 = lenet.pool1(lenet.relu1(lenet.conv1(x)))
        conv2 = lenet.conv2(pool1)
    torch.testing.assert_close(values["pool1"], pool1)
    torch.testing.assert_close(values["conv2"], conv2)
    assert not calls  # the forward stopped at conv2
    assert not values["conv2"].requires_grad


def test_capture_by_hooks_on_any_module_and_shared_modules_are_not_listed():
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=7).eval()
    x = torch.randn(1, 3, 64, 64)
    layers = {layer.name: layer for layer in list_layers(model, x)}
    assert layers["layer4"].shape == (512, 2, 2) and layers["fc"].shape == (7,)
    assert "layer1.0.relu" not in layers  # called twice per block: "its output" is ambiguous
    assert list(layers).index("layer1.0.conv1") < list(layers).index("layer1.0") < list(layers).index("layer1")
    assert default_target_layer(list(layers.values())) == "layer4"
    values = capture(model, x, ["layer2", "layer1.1.bn2"])
    with torch.no_grad():
        stem = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        expected = model.layer2(model.layer1(stem))
    torch.testing.assert_close(values["layer2"], expected)


def test_a_traced_model_accepts_module_paths():
    model = fx.symbolic_trace(torchvision.models.resnet18(num_classes=3).eval())
    x = torch.randn(1, 3, 64, 64)
    layers = {layer.name: layer for layer in list_layers(model, x)}
    assert not layers["layer4_1_relu_1"].hookable  # the block's ReLU module runs twice
    assert default_target_layer(list(layers.values())) == "layer4_1_bn2"
    by_path = capture(model, x, ["layer1.0.conv1"])["layer1.0.conv1"]
    by_node = capture(model, x, ["layer1_0_conv1"])["layer1_0_conv1"]
    torch.testing.assert_close(by_path, by_node)
    assert isinstance(module_for(model, "layer1_0_conv1"), nn.Conv2d)


def test_grad_capture_keeps_the_graph(lenet):
    x = torch.randn(1, 1, 28, 28, requires_grad=True)
    value = capture(lenet, x, ["conv2"], grad=True)["conv2"]
    (gradient,) = torch.autograd.grad(value[0, 3].mean(), x)
    assert gradient.abs().sum() > 0


def test_inspecting_a_model_in_training_leaves_it_in_training(training_lenet):
    training_lenet.train()
    dropout = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Dropout(0.9)).train()
    x = torch.ones(1, 1, 5, 5)
    first = capture(dropout, x, ["1"])["1"]
    torch.testing.assert_close(first, capture(dropout, x, ["1"])["1"])  # dropout off while inspecting
    assert dropout.training and dropout[1].training
    list_layers(training_lenet, torch.zeros(1, 1, 28, 28))
    assert all(module.training for module in training_lenet.modules())


def test_unknown_layers_are_named_in_the_error(lenet):
    with pytest.raises(InspectError, match="no layer 'conv9'.*conv1"):
        capture(lenet, torch.zeros(1, 1, 28, 28), ["conv9"])


def test_channel_statistics_and_dead_channels():
    activation = torch.zeros(1, 3, 2, 2)
    activation[0, 0] = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    activation[0, 2] = -1.0
    stats = channel_stats(activation)
    assert stats.minimum.tolist() == [1.0, 0.0, -1.0] and stats.maximum.tolist() == [6.0, 0.0, -1.0]
    assert stats.mean.tolist() == [3.0, 0.0, -1.0]
    assert stats.dead.tolist() == [False, True, False]
    assert channel_stats(torch.tensor([0.0, 2.0])).dead.tolist() == [True, False]
