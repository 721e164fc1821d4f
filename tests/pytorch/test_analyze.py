import time

import pytest
from torch import nn

from cnnstudio.graph.network import RESERVED_IDS
from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import analyze
from cnnstudio.pytorch.analyze import NetworkAnalysis, NodeAnalysis
from tests.pytorch.helpers import chain


def errors(graph):
    return {p.node: p.message for p in analyze(graph).problems}


@pytest.mark.parametrize(
    "name, params",
    [
        ("vgg16", 138_357_544),
        ("alexnet", 61_100_840),
        ("resnet18", 11_689_512),
        ("googlenet", 6_624_904),
        ("lenet5", 61_706),
    ],
)
def test_parameter_counts_match_the_literature(name, params):
    assert analyze(load_template(name)).total_params == params


def test_lenet_shapes_flops_and_arithmetic():
    analysis = analyze(load_template("lenet5"))
    conv1 = analysis.nodes["conv1"]
    assert conv1.output_shape == (6, 28, 28)
    assert conv1.params == 6 * 25 + 6
    assert conv1.macs == 6 * 28 * 28 * 25 and conv1.flops == 2 * conv1.macs
    assert conv1.arithmetic == ["height = width: O = ⌊(W − K + 2P) / S⌋ + 1 = ⌊(28 − 5 + 2·2) / 1⌋ + 1 = 28"]
    assert analysis.nodes["pool2"].output_shape == (16, 5, 5)
    assert analysis.nodes["flatten"].output_shape == (400,)
    assert analysis.output_shape == (10,)
    assert analysis.activation_bytes == sum(n.activation_bytes for n in analysis.nodes.values())


def test_alexnet_first_layer_arithmetic_with_its_numbers():
    conv = analyze(load_template("alexnet")).nodes["features_0"]
    assert conv.arithmetic == ["height = width: O = ⌊(W − K + 2P) / S⌋ + 1 = ⌊(224 − 11 + 2·2) / 4⌋ + 1 = 55"]


def test_non_square_and_ceil_mode_arithmetic():
    graph = chain((3, 9, 12), ("MaxPool2d", {"kernel_size": 2, "ceil_mode": True}))
    lines = analyze(graph).nodes["pool1"].arithmetic
    assert lines == [
        "height: O = ⌈(W − K + 2P) / S⌉ + 1 = ⌈(9 − 2 + 2·0) / 2⌉ + 1 = 5",
        "width: O = ⌈(W − K + 2P) / S⌉ + 1 = ⌈(12 − 2 + 2·0) / 2⌉ + 1 = 6",
    ]


def test_add_of_mismatched_shapes_names_both():
    graph = chain((3, 32, 32), ("Conv2d", {"out_channels": 8, "padding": 1}))
    graph.add_node("Conv2d", {"out_channels": 16, "stride": 2, "padding": 1}, node_id="down")
    graph.connect("input", "down")
    graph.add_node("Add", node_id="join")
    graph.connect("conv1", "join")
    graph.connect("down", "join")
    message = errors(graph)["join"]
    assert "Add received 8×32×32 from conv1 and 16×16×16 from down" in message
    assert "1×1 Conv2d" in message


def test_kernel_larger_than_input():
    message = errors(chain((1, 4, 4), ("Conv2d", {"kernel_size": 5})))["conv1"]
    assert message.startswith("its kernel 5×5 is larger than its input 4×4")


def test_linear_after_feature_maps_asks_for_flatten():
    message = errors(chain((16, 5, 5), ("Linear", {"out_features": 10})))["fc1"]
    assert "add a Flatten before it (that gives 400 features)" in message


def test_conv_after_flatten():
    message = errors(chain((1, 8, 8), ("Flatten", {}), ("Conv2d", {})))["conv1"]
    assert "needs feature maps" in message and "vector of 64 features" in message


def test_errors_do_not_cascade_and_downstream_shapes_are_unknown():
    analysis = analyze(chain((1, 4, 4), ("Conv2d", {"kernel_size": 5}), ("ReLU", {})))
    assert [p.node for p in analysis.problems] == ["conv1"]
    assert analysis.nodes["relu1"].output_shape is None and not analysis.valid


@pytest.mark.parametrize(
    "layers, fragment",
    [
        ([("Conv2d", {"out_channels": 6, "groups": 4})], "groups = 4 must divide"),
        ([("Conv2d", {"padding": "same", "stride": 2})], "'same' only works with stride 1"),
        ([("MaxPool2d", {"kernel_size": 2, "padding": 2})], "more than half the window"),
        ([("GroupNorm", {"num_groups": 5})], "must divide the 8 input channels"),
        ([("PReLU", {"num_parameters": 3})], "1 or the number of channels (8)"),
        ([("ConvTranspose2d", {"output_padding": 3})], "output_padding must be smaller"),
    ],
)
def test_specific_layer_errors(layers, fragment):
    assert fragment in errors(chain((8, 8, 8), *layers)).popitem()[1]


def test_concat_joins_channels_and_checks_sizes():
    graph = chain((3, 8, 8), ("Conv2d", {"out_channels": 4, "padding": 1}))
    graph.add_node("Conv2d", {"out_channels": 5, "kernel_size": 1}, node_id="side")
    graph.connect("input", "side")
    graph.add_node("Concat", node_id="cat")
    graph.connect("conv1", "cat")
    graph.connect("side", "cat")
    assert analyze(graph).nodes["cat"].output_shape == (9, 8, 8)
    graph.set_param("side", "stride", 2)
    assert "all sizes except the joined axis must match" in errors(graph)["cat"]


def test_depthwise_and_frozen_learnables():
    graph = chain((32, 8, 8), ("Conv2d", {"out_channels": 32, "groups": 32, "bias": False}))
    graph.set_trainable("conv1", False)
    node = analyze(graph).nodes["conv1"]
    assert node.params == 32 * 9 and node.trainable_params == 0


def test_json_document_lists_layers_and_totals():
    document = analyze(load_template("lenet5")).to_json()
    assert document["total_params"] == 61_706 and document["errors"] == []
    assert document["layers"][1] == {
        "id": "conv1",
        "type": "Conv2d",
        "output_shape": [6, 28, 28],
        "params": 156,
        "flops": 235_200,
        "macs": 117_600,
    }


def test_reserved_ids_cover_torch_module_attributes():
    public = {name for name in dir(nn.Module) if not name.startswith("_")}
    assert public <= RESERVED_IDS


def test_layers_in_order_of_a_large_analysis_take_linear_time():
    ids = [f"relu{index}" for index in range(20_000)]
    analysis = NetworkAnalysis({node_id: NodeAnalysis(node_id, "ReLU") for node_id in ids}, ids[:-1], [], None)
    started = time.perf_counter()
    assert [node.node_id for node in analysis.in_order()] == ids
    assert time.perf_counter() - started < 1
