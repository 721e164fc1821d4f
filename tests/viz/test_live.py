"""What the Webcam tab's live view computes beside the classes: the layers worth watching, the most active
feature maps of one, and a Grad-CAM overlay placed on the region of the frame the network sees."""

import numpy as np
import pytest
import torch

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.viz.live import (
    MAX_CHANNELS,
    compute_extras,
    feature_grid,
    heat_rgba,
    live_extras,
    live_model,
)


@pytest.fixture(scope="module")
def lenet_classifier():
    torch.manual_seed(0)
    return classifier_from_design(load_template("lenet5"), classes=[f"digit {d}" for d in range(10)])


@pytest.fixture
def frame():
    """A 120×160 BGR camera frame: a bright square on a dark background."""
    image = np.full((120, 160, 3), 20, np.uint8)
    image[30:90, 50:110] = 230
    return image


def test_a_live_model_lists_the_layers_with_feature_maps_and_starts_a_quarter_in(lenet_classifier):
    model = live_model(lenet_classifier, "LeNet-5")
    assert model.layers == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]
    assert model.feature_layer == "relu1"  # activations relu1, relu2: the one a quarter of the way in
    assert model.cam_layer == "pool2" and model.classifier is lenet_classifier
    copied = live_model(lenet_classifier, "LeNet-5", own_copy=True)
    assert copied.classifier.module is not lenet_classifier.module and copied.layers == model.layers


def test_a_network_without_feature_maps_still_classifies_live():
    graph = NetworkGraph("flat")
    graph.add_node("Input", {"channels": 1, "height": 4, "width": 4}, node_id="input")
    graph.add_node("Flatten", {}, node_id="flat")
    graph.add_node("Linear", {"out_features": 2}, node_id="fc")
    graph.connect("input", "flat")
    graph.connect("flat", "fc")
    model = live_model(classifier_from_design(graph), "flat")
    assert model.layers == [] and model.feature_layer is None and model.cam_layer is None
    assert live_extras(model, None, True) is None


def test_feature_grid_shows_the_most_active_channels_first():
    activation = torch.zeros(64, 5, 5)
    activation[7] = 3.0  # the most active channel
    grid, caption = feature_grid(activation, "conv")
    assert grid.dtype == np.uint8 and grid.ndim == 3 and grid.shape[2] == 3
    assert caption == f"conv: the {MAX_CHANNELS} most active of 64 channels, 5×5 each, brightest = most active"
    assert feature_grid(activation[:4], "conv")[1].startswith("conv: all 4 channels")


def test_heat_is_coloured_and_see_through_where_it_is_cold():
    rgba = heat_rgba(np.array([[0.0, 1.0]]))
    assert rgba.shape == (1, 2, 4) and rgba.dtype == np.uint8
    assert rgba[0, 0, 3] == 0 and rgba[0, 1, 3] == round(255 * 0.6)


def test_extras_of_a_frame_feature_maps_and_grad_cam_on_the_region_the_network_sees(lenet_classifier, frame):
    model = live_model(lenet_classifier, "LeNet-5")
    extras = compute_extras(lenet_classifier, frame, 3, feature_layer="relu1", cam_layer="pool2")
    assert extras.problem == "" and extras.features is not None and extras.caption.startswith("relu1: all 6 channels")
    assert extras.heat.shape == (28, 28, 4) and extras.heat_label == "Grad-CAM at pool2 for digit 3"
    assert extras.box == lenet_classifier.preprocessing.source_box(120, 160)

    hook = live_extras(model, "relu2", grad_cam_on=False)
    assert hook(lenet_classifier, frame, 3).heat is None
    assert live_extras(model, "not a layer of LeNet", grad_cam_on=False) is None
    failed = compute_extras(lenet_classifier, frame, 3, feature_layer="fc3", cam_layer=None)
    assert failed.features is None and failed.problem.startswith("feature maps: fc3 outputs a vector")
