"""One Prediction, one probabilities, one top-k for every view and command."""

import pytest
import torch

from cnnstudio.pretrained.predictions import Prediction, class_label, probabilities, top_predictions


def test_scores_are_softmaxed_and_probabilities_kept():
    scores = torch.tensor([[2.0, -1.0, 0.5]])
    torch.testing.assert_close(probabilities(scores), scores.softmax(1))
    already = torch.tensor([[0.2, 0.8]])
    torch.testing.assert_close(probabilities(already), already)
    # Scores that happen to look like probabilities are still scores when the caller knows they are.
    torch.testing.assert_close(probabilities(already, logits=True), already.softmax(1))


def test_top_predictions_are_the_most_probable_first_with_names():
    probs = torch.tensor([0.1, 0.6, 0.3])
    assert top_predictions(probs, ["a", "b", "c"], 2) == [
        Prediction("b", pytest.approx(0.6), 1),
        Prediction("c", pytest.approx(0.3), 2),
    ]
    assert [p.label for p in top_predictions(probs, None, 5)] == ["1", "2", "0"]  # k larger than the classes
    assert class_label(7, ["a"]) == "7" and class_label(-1, ["a"]) == "-1" and class_label(0, ["a"]) == "a"


def test_a_multilabel_networks_scores_become_independent_sigmoids_even_when_they_sum_to_one():
    scores = torch.tensor([[0.25, 0.75], [2.0, -1.0]])  # the first row would pass for softmax probabilities
    result = probabilities(scores, multilabel=True)
    assert torch.allclose(result, torch.sigmoid(scores))
    assert torch.allclose(probabilities(scores[:1]), scores[:1])  # a single-label reading keeps them
