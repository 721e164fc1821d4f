"""Weights that belong to the design: opened from beside the file, saved back, imported with a model."""

from __future__ import annotations

import pickle

import torch
import torchvision

from cnnstudio.graph.io import save_network
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.designs import CLASSES_KEY
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import load_state_dict_file, read_metadata, save_state_dict


def _design_with_weights(tmp_path):
    graph = load_template("lenet5")
    state = build_module(graph, logits=True).state_dict()
    save_network(graph, tmp_path / "net.cnn.json")
    save_state_dict(state, tmp_path / "net.safetensors", {CLASSES_KEY: '["0","1","2","3","4","5","6","7","8","9"]'})
    return state


def test_weights_beside_an_opened_design_come_with_it_and_are_saved_back(window, prompts, tmp_path):
    state = _design_with_weights(tmp_path)
    assert window.open_file(tmp_path / "net.cnn.json")
    assert torch.equal(window.document.weights["conv1.weight"], state["conv1.weight"])
    assert CLASSES_KEY in window.document.weights_metadata
    prompts.script("save_path", str(tmp_path / "copy.cnn.json"))
    window.save_as()
    assert torch.equal(load_state_dict_file(tmp_path / "copy.safetensors")["fc3.weight"], state["fc3.weight"])
    assert CLASSES_KEY in read_metadata(tmp_path / "copy.safetensors")


class _RunsCode:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('ran')",))


def test_unsafe_weights_beside_a_design_are_refused_and_the_design_still_opens(window, prompts, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_network(load_template("lenet5"), tmp_path / "net.cnn.json")
    (tmp_path / "net.safetensors").write_bytes(pickle.dumps(_RunsCode()))
    assert window.open_file(tmp_path / "net.cnn.json")
    assert window.document.graph.name == "LeNet-5" and window.document.weights is None
    assert "not a readable safetensors file" in prompts.errors[-1][1]
    assert not (tmp_path / "PWNED").exists()


def test_new_design_drops_the_previous_weights(window, tmp_path):
    _design_with_weights(tmp_path)
    window.open_file(tmp_path / "net.cnn.json")
    window.new_design()
    assert window.document.weights is None and window.document.weights_metadata == {}


def test_import_keeps_cached_pretrained_weights_with_imagenet_labels(
    make_window, prompts, qtbot, tmp_path, monkeypatch
):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    reference = torchvision.models.resnet18()
    checkpoint = tmp_path / "hub" / "checkpoints"
    checkpoint.mkdir(parents=True)
    url = torchvision.models.ResNet18_Weights.DEFAULT.url
    torch.save(reference.state_dict(), checkpoint / url.rsplit("/", 1)[1])
    window = make_window()
    prompts.script("choose_torchvision_model", "resnet18")
    with qtbot.waitSignal(window.document.path_changed, timeout=30000):
        window.import_model()
    weights = window.document.weights
    assert torch.equal(weights["layer1_0_conv1.weight"], reference.layer1[0].conv1.weight)
    assert "tabby" in window.document.weights_metadata[CLASSES_KEY]
