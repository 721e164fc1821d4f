"""The inspector's predictions for an input, and the class a user names."""

import pytest
import torch

from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.predictions import probabilities
from cnnstudio.pytorch import build_module
from cnnstudio.viz.images import class_index, predict
from cnnstudio.viz.runtime import InspectError


def test_predictions_of_a_design_that_ends_with_softmax():
    torch.manual_seed(0)
    model = build_module(load_template("xo"))  # ends with a Softmax: its output already is probabilities
    x = torch.randn(1, 1, 9, 9)
    predictions = predict(model, x, ["X", "O"])
    with torch.no_grad():
        expected = model(x)[0]
    assert [p.label for p in predictions] == (["X", "O"] if expected[0] > expected[1] else ["O", "X"])
    assert sum(p.prob for p in predictions) == pytest.approx(1.0)
    assert predictions[0].prob == pytest.approx(float(expected.max()))


def test_predictions_of_scores_are_softmaxed_and_the_model_keeps_its_mode():
    torch.manual_seed(0)
    model = build_module(load_template("xo"), logits=True).train()
    x = torch.randn(1, 1, 9, 9)
    predictions = predict(model, x, ["X", "O"], top=1)
    assert model.training and len(predictions) == 1
    with torch.no_grad():
        expected = model.eval()(x).softmax(1)[0]
    assert predictions[0].prob == pytest.approx(float(expected.max()))


def test_class_names_and_indices():
    classes = ["cat", "dog"]
    assert class_index("Dog", classes, 2) == 1 and class_index("0", classes, 2) == 0
    with pytest.raises(InspectError, match="no class named"):
        class_index("bird", classes, 2)
    with pytest.raises(InspectError, match="out of range"):
        class_index(5, None, 3)
    assert probabilities(torch.tensor([[0.25, 0.75]]), logits=True).argmax() == 1
