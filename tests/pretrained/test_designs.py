"""A design and weights that may no longer fit it become a classifier (the GUI's "current design")."""

from __future__ import annotations

import pytest
import torch

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.designs import classifier_from_design, weights_metadata
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import read_metadata, save_state_dict


def test_fitting_weights_are_loaded_and_edited_layers_stay_random() -> None:
    graph = load_template("lenet5")
    trained = build_module(graph, logits=True).state_dict()
    edited = graph.copy()
    edited.set_param("conv2", "out_channels", 20)  # conv2 and fc1 change shape; conv1 still fits
    classifier = classifier_from_design(edited, trained, classes=[str(d) for d in range(10)])
    state = classifier.module.state_dict()
    assert torch.equal(state["conv1.weight"], trained["conv1.weight"])
    assert state["conv2.weight"].shape[0] == 20
    assert any("conv2" in note and "random" in note for note in classifier.notes)
    assert classifier.classes == [str(d) for d in range(10)]


def test_metadata_names_the_classes_and_preprocessing(tmp_path) -> None:
    graph = load_template("xo")
    module = build_module(graph, logits=True)
    prep = Preprocessing((1, 9, 9), (0.5,), (0.25,), 1.0)
    path = tmp_path / "xo.safetensors"
    save_state_dict(module.state_dict(), path, weights_metadata(["X", "O"], prep))
    classifier = classifier_from_design(graph, module.state_dict(), read_metadata(path), classes=["a", "b"])
    assert classifier.classes == ["X", "O"]
    assert classifier.mean == (0.5,) and classifier.std == (0.25,)
    assert not classifier.notes


def test_untrained_design_says_so_and_a_broken_one_is_refused() -> None:
    graph = load_template("lenet5")
    assert "untrained" in classifier_from_design(graph).notes[0]
    graph.set_param("conv1", "kernel_size", 99)
    with pytest.raises(ModelLoadError, match="LeNet-5.*has errors.*conv1"):
        classifier_from_design(graph)


def test_the_whole_pipeline_travels_in_the_metadata_and_old_files_keep_their_meaning(tmp_path) -> None:
    graph = load_template("xo")
    module = build_module(graph, logits=True)
    prep = Preprocessing((1, 9, 9), (0.5,), (0.25,), 0.75, fit="stretch", interpolation="bicubic", antialias=False)
    path = tmp_path / "xo.safetensors"
    save_state_dict(module.state_dict(), path, weights_metadata(["X", "O"], prep))
    assert classifier_from_design(graph, module.state_dict(), read_metadata(path)).preprocessing == prep
    # Written before fit, interpolation and antialias were stored: the defaults, as those files were used.
    old = {key: value for key, value in read_metadata(path).items() if key.endswith(("classes", "mean", "std"))}
    assert classifier_from_design(graph, module.state_dict(), old).preprocessing == Preprocessing(
        (1, 9, 9), (0.5,), (0.25,)
    )
    broken = dict(read_metadata(path), **{"cnnstudio.antialias": "maybe"})
    with pytest.raises(ModelLoadError, match="unusable preprocessing.*antialias"):
        classifier_from_design(graph, module.state_dict(), broken)
