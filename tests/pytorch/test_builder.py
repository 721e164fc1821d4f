import importlib.util

import pytest
import torch
import torchvision

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import BuildError, build_module, module_source, trailing_softmax
from cnnstudio.pytorch.importer import torchvision_state_dict_for
from tests.pytorch.helpers import chain


def load_source(tmp_path, source, class_name):
    path = tmp_path / "generated_net.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("generated_net", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, class_name)()


@pytest.mark.parametrize(
    "name, shape",
    [("lenet5", (2, 1, 28, 28)), ("googlenet", (1, 3, 64, 64)), ("cifar_resnet", (2, 3, 32, 32)), ("xo", (3, 1, 9, 9))],
)
def test_generated_source_runs_as_is_and_matches_the_built_module(tmp_path, name, shape):
    graph = load_template(name)
    if shape[-1] != graph.nodes["input"].param("width"):
        graph.set_param("input", "height", shape[2])
        graph.set_param("input", "width", shape[3])
    built = build_module(graph).eval()
    source = module_source(graph)
    written = load_source(tmp_path, source, built.__class__.__name__).eval()
    written.load_state_dict(built.state_dict())
    x = torch.randn(*shape)
    with torch.no_grad():
        assert torch.equal(written(x), built(x))


def test_code_names_are_node_ids():
    graph = load_template("lenet5")
    assert "conv1 = self.conv1(input_1)" in build_module(graph).code  # fx avoids the builtin name
    source = module_source(graph)
    assert "self.conv1 = nn.Conv2d(1, 6, kernel_size=5, padding=2)" in source
    assert "self.pool1 = nn.MaxPool2d(2)" in source
    assert "self.fc3 = nn.Linear(84, 10)" in source
    assert "return fc3" in source


def test_state_dict_is_keyed_by_node_id():
    keys = set(build_module(load_template("lenet5")).state_dict())
    assert {"conv1.weight", "conv1.bias", "fc3.weight"} <= keys


@pytest.mark.parametrize("name", ["alexnet", "resnet18", "googlenet", "vgg11"])
def test_torchvision_state_dicts_load_into_the_templates(name):
    kwargs = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
    reference = torchvision.models.get_model(name, weights=None, **kwargs).eval()
    built = build_module(load_template(name)).eval()
    built.load_state_dict(torchvision_state_dict_for(reference.state_dict()))
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(built(x), reference(x), atol=1e-5)


def test_trailing_softmax_is_dropped_for_training():
    graph = load_template("xo")
    assert trailing_softmax(graph) == "softmax"
    x = torch.randn(4, 1, 9, 9)
    probabilities = build_module(graph)
    logits = build_module(graph, logits=True)
    logits.load_state_dict(probabilities.state_dict())
    assert torch.allclose(probabilities(x).sum(1), torch.ones(4))
    assert torch.allclose(torch.softmax(logits(x), 1), probabilities(x))
    assert trailing_softmax(load_template("lenet5")) is None


def test_frozen_nodes_do_not_require_grad():
    graph = load_template("lenet5")
    graph.set_trainable("conv1", False)
    module = build_module(graph)
    assert not module.conv1.weight.requires_grad and module.conv2.weight.requires_grad


def test_invalid_design_raises_with_problems():
    graph = chain((1, 4, 4), ("Conv2d", {"kernel_size": 5}))
    with pytest.raises(BuildError) as error:
        build_module(graph)
    assert "conv1: its kernel 5×5 is larger" in str(error.value)
    with pytest.raises(BuildError):
        module_source(graph)


def test_merges_with_three_inputs():
    graph = chain((4, 8, 8), ("ReLU", {}))
    for name in ("a", "b"):
        graph.add_node("Conv2d", {"out_channels": 4, "padding": 1}, node_id=name)
        graph.connect("input", name)
    graph.add_node("Add", node_id="total")
    for src in ("relu1", "a", "b"):
        graph.connect(src, "total")
    module = build_module(graph)
    x = torch.randn(1, 4, 8, 8)
    assert torch.allclose(module(x), torch.relu(x) + module.a(x) + module.b(x))
    assert "total = relu1 + a + b" in module_source(graph)


def test_a_design_with_non_ascii_ids_and_an_emoji_name_builds_and_runs():
    graph = NetworkGraph("🐱 detector")
    graph.add_node("Input", {"channels": 1, "height": 8, "width": 8}, node_id="input")
    graph.add_node("Conv2d", {"out_channels": 2, "kernel_size": 3}, node_id="ñ")
    graph.add_node("ReLU", node_id="猫")
    graph.connect("input", "ñ")
    graph.connect("ñ", "猫")
    module = build_module(graph)
    assert module(torch.zeros(1, 1, 8, 8)).shape == (1, 2, 6, 6)
