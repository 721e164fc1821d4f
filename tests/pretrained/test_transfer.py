"""transfer_learning: a new head for the user's classes, pretrained weights kept, the right layers frozen."""

import pytest
import torch

from cnnstudio.engine.model import prepare_model
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained import ModelLoadError, transfer_learning
from cnnstudio.pretrained.transfer import upstream_of
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import load_into
from tests.pytorch.helpers import chain


@pytest.fixture(scope="module")
def pretrained(lite0):
    return lite0.graph, lite0.module.state_dict()


def test_the_head_is_replaced_and_everything_else_keeps_its_pretrained_weights(pretrained):
    graph, state = pretrained
    result = transfer_learning(graph, state, 3)
    assert result.head == "fc" and result.graph.nodes["fc"].params["out_features"] == 3
    assert set(result.state_dict) == set(state)
    for key, value in result.state_dict.items():
        if key.startswith("fc."):
            assert value.shape[0] == 3
        else:
            assert torch.equal(value, state[key]), key
    module = build_module(result.graph, logits=True)
    load_into(module, result.state_dict)  # complete and consistent with the new design
    assert module(torch.zeros(1, 3, 224, 224)).shape == (1, 3)


def test_by_default_only_the_new_head_trains(pretrained):
    graph, state = pretrained
    result = transfer_learning(graph, state, 2)
    frozen = {node_id for node_id, node in result.graph.nodes.items() if not node.trainable}
    assert frozen == upstream_of(result.graph, "fc")
    assert result.frozen[0] == "stem_conv" and result.frozen[-1] == "head_bn" and "fc" not in result.frozen
    prepared = prepare_model(result.graph, initial_weights=result.state_dict)  # what the training engine does
    learnable = {name.split(".")[0] for name, p in prepared.module.named_parameters() if p.requires_grad}
    assert learnable == {"fc"}


def test_freezing_up_to_a_chosen_layer(pretrained):
    graph, state = pretrained
    result = transfer_learning(graph, state, 2, freeze_before="blocks_14_expand_conv")
    nodes = result.graph.nodes
    assert not nodes["blocks_13_project_bn"].trainable and not nodes["stem_conv"].trainable
    assert nodes["blocks_14_expand_conv"].trainable and nodes["head_conv"].trainable and nodes["fc"].trainable
    assert result.frozen[-1] == "blocks_13_project_bn"


def test_the_original_design_and_weights_are_untouched(pretrained):
    graph, state = pretrained
    before = {key: value.clone() for key, value in state.items() if key.startswith("fc.")}
    transfer_learning(graph, state, 2)
    assert graph.nodes["fc"].params["out_features"] == 1000
    assert all(node.trainable for node in graph.nodes.values())
    assert all(torch.equal(state[key], value) for key, value in before.items())


def test_the_new_head_is_reproducible_and_leaves_the_global_random_state_alone():
    graph = load_template("lenet5")
    state = build_module(graph).state_dict()
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    first = transfer_learning(graph, state, 4, seed=7).state_dict["fc3.weight"]
    assert torch.equal(torch.rand(1), expected_next)
    assert torch.equal(transfer_learning(graph, state, 4, seed=7).state_dict["fc3.weight"], first)
    assert not torch.equal(transfer_learning(graph, state, 4, seed=8).state_dict["fc3.weight"], first)


def test_choices_that_cannot_work_are_explained():
    graph = chain(
        (3, 8, 8), ("Conv2d", {"out_channels": 4}), ("Flatten", {}), ("Linear", {"out_features": 5}), ("Softmax", {})
    )
    state = build_module(graph).state_dict()
    with pytest.raises(ModelLoadError, match="would freeze the classifier"):
        transfer_learning(graph, state, 2, freeze_before="softmax1")
    with pytest.raises(ModelLoadError, match="no layer 'nope'"):
        transfer_learning(graph, state, 2, freeze_before="nope")
    no_head = chain((3, 8, 8), ("ReLU", {}))
    with pytest.raises(ModelLoadError, match="no Linear or Conv2d"):
        transfer_learning(no_head, {}, 2)
