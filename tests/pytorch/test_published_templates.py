"""The lectures' networks as templates, as published: the parameter counts of the VGG configurations in the
paper's Table 1, torchvision's counts where torchvision has the network, Inception-v3's stage shapes, and the
output each template gives."""

from __future__ import annotations

import pytest
import torch
import torchvision

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import analyze

# template → the torchvision model it equals (Inception-v3 without the training-only auxiliary classifier)
TORCHVISION = {
    "alexnet": {},
    "vgg11": {},
    "vgg13": {},
    "vgg16": {},
    "vgg19": {},
    "googlenet": {"aux_logits": False, "init_weights": False},
    "inception_v3": {"aux_logits": False, "init_weights": False},
    "resnet18": {},
    "resnet34": {},
    "resnet50": {},
    "densenet121": {},
    "squeezenet1_1": {},
}
# Simonyan & Zisserman, Table 2: millions of parameters of configurations A, A-LRN, B, C, D, E
VGG_MILLIONS = {"vgg11": 133, "vgg11_lrn": 133, "vgg13": 133, "vgg16_1x1": 134, "vgg16": 138, "vgg19": 144}
OUTPUTS = {
    "alphago_policy": ((48, 19, 19), (361,)),
    "tiny_vgg": ((3, 64, 64), (10,)),
    "inception_v3": ((3, 299, 299), (1000,)),
    "vgg11_lrn": ((3, 224, 224), (1000,)),
}


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_a_template_torchvision_has_counts_torchvisions_parameters(name):
    with torch.device("meta"):  # the architecture only: no memory for VGG's weights, no initialisation
        model = getattr(torchvision.models, name)(weights=None, **TORCHVISION[name])
    assert analyze(load_template(name)).total_params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(VGG_MILLIONS))
def test_vgg_configurations_have_the_papers_parameter_counts(name):
    assert round(analyze(load_template(name)).total_params / 1e6) == VGG_MILLIONS[name]


def test_vgg_a_lrn_and_c_differ_from_a_where_the_paper_says():
    a, lrn, c = (load_template(name) for name in ("vgg11", "vgg11_lrn", "vgg16_1x1"))
    types = [node.type for node in lrn.nodes.values()]
    assert types.index("LocalResponseNorm") == types.index("ReLU") + 1  # right after the first convolution
    one_by_one = [node for node in c.nodes.values() if node.type == "Conv2d" and node.params.get("kernel_size") == 1]
    assert [node.params["out_channels"] for node in one_by_one] == [256, 512, 512]
    assert sum(node.type == "Conv2d" for node in a.nodes.values()) == 8


def test_inception_v3_has_the_published_stage_shapes():
    graph = load_template("inception_v3")
    analysis = analyze(graph)

    def block_output(prefix: str) -> tuple[int, ...]:
        """The shape of an Inception module's output: its last concatenation."""
        concats = [node_id for node_id in analysis.order if node_id.startswith(prefix)]
        return analysis.nodes[[n for n in concats if graph.nodes[n].type == "Concat"][-1]].output_shape

    assert analysis.input_shape == (3, 299, 299)
    assert block_output("Mixed_5d") == (288, 35, 35)
    assert block_output("Mixed_6e") == (768, 17, 17)
    assert block_output("Mixed_7c") == (2048, 8, 8)


def test_the_alphago_policy_network_keeps_the_board_size_and_never_pools():
    graph = load_template("alphago_policy")
    analysis = analyze(graph)
    convolutions = [node for node in graph.nodes.values() if node.type == "Conv2d"]
    assert [node.params.get("kernel_size", 3) for node in convolutions] == [5] + [3] * 11 + [1]
    assert all(analysis.nodes[node.id].output_shape[1:] == (19, 19) for node in convolutions)
    assert not any("Pool" in node.type for node in graph.nodes.values())
    assert analysis.total_params == 48 * 25 * 192 + 192 + 11 * (192 * 9 * 192 + 192) + 192 + 1


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_a_template_gives_its_output_for_its_input(name):
    analysis = analyze(load_template(name))
    assert (analysis.input_shape, analysis.output_shape) == OUTPUTS[name]
    assert analysis.valid
