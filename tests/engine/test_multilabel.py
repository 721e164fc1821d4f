"""Multi-label classification: the loss, the label weights, the per-label report, and a run trained and
evaluated end to end on the generated multi-shapes set."""

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

from cnnstudio.data import ImageDataset
from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.design_fit import fit_classes
from cnnstudio.engine.evaluate import evaluate, evaluate_run
from cnnstudio.engine.launch import load_training_data
from cnnstudio.engine.multilabel import (
    LabelLoss,
    MultiLabelReport,
    RunningLabelScores,
    label_report,
    positive_weights,
    thresholds_for,
)
from cnnstudio.graph import NetworkGraph
from tests.engine.conftest import chain_graph


def test_the_loss_is_binary_cross_entropy_on_uint8_targets_and_a_sum_is_per_image():
    logits = torch.tensor([[2.0, -1.0, 0.0], [0.5, 0.5, -3.0]])
    targets = torch.tensor([[1, 0, 1], [0, 1, 0]], dtype=torch.uint8)
    expected = nn.functional.binary_cross_entropy_with_logits(logits, targets.float())
    assert LabelLoss()(logits, targets).item() == pytest.approx(expected.item())
    assert LabelLoss(reduction="sum")(logits, targets).item() == pytest.approx(expected.item() * 2)


def test_positive_weights_are_negatives_over_positives_and_one_without_positives():
    labels = torch.tensor([[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1]], dtype=torch.uint8)
    assert positive_weights(labels).tolist() == pytest.approx([3.0, 1.0, 1 / 3])


def test_the_report_scores_each_label_at_its_threshold_and_leaves_undefined_labels_out_of_the_macro_mean():
    probabilities = np.array([[0.9, 0.2, 0.6], [0.8, 0.7, 0.4], [0.1, 0.3, 0.7], [0.3, 0.6, 0.2]])
    targets = np.array([[1, 0, 1], [1, 1, 1], [0, 0, 1], [0, 1, 1]])  # the third label is always present
    report = label_report(probabilities, targets, ["a", "b", "c"], thresholds=[0.5, 0.65, 0.5])
    a, b, c = report.per_label
    assert a.auroc == 1.0 and a.average_precision == 1.0 and (a.precision, a.recall, a.support) == (1.0, 1.0, 2)
    assert b.auroc == 1.0 and (b.precision, b.recall, b.threshold) == (1.0, 0.5, 0.65)  # 0.6 stays below 0.65
    assert math.isnan(c.auroc) and math.isnan(c.average_precision) and c.recall == 0.5
    assert report.macro_auroc == 1.0  # the mean over a and b
    assert report.exact_match == pytest.approx(2 / 4)  # the first and third images have every label right
    worst, second = report.mistakes  # most confident wrong decision first: "c" absent at 0.2, then at 0.4
    assert (worst.index, worst.true, worst.predicted, worst.confidence) == (3, [1, 2], [], pytest.approx(0.8))
    assert (second.index, second.true, second.predicted, second.confidence) == (
        1,
        [0, 1, 2],
        [0, 1],
        pytest.approx(0.6),
    )
    document = report.to_dict()
    json.dumps(document, allow_nan=False)  # undefined scores are written as null, not NaN
    assert document["per_label"][2]["auroc"] is None and document["macro_auroc"] == 1.0


def test_thresholds_are_one_for_all_or_one_per_label_between_0_and_1():
    assert thresholds_for(None, 2).tolist() == [0.5, 0.5] and thresholds_for(0.3, 2).tolist() == [0.3, 0.3]
    with pytest.raises(ValueError, match="one per label"):
        thresholds_for([0.5, 0.5, 0.5], 2)
    with pytest.raises(ValueError, match="between 0 and 1"):
        thresholds_for(1.0, 2)


def test_the_running_score_of_an_epoch_is_the_macro_auroc_of_its_predictions():
    scores = RunningLabelScores(torch.device("cpu"))
    labels = torch.tensor([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=torch.uint8)
    logits = torch.tensor([[3.0, -2.0], [-1.0, 2.0], [1.0, 1.0], [-2.0, -3.0]])  # every label ranked right
    scores.update(torch.tensor(0.25), logits[:2], labels[:2])
    scores.update(torch.tensor(0.75), logits[2:], labels[2:])
    assert scores.totals() == (pytest.approx(2.0), 0, 4)
    assert scores.epoch_accuracy(0, 4) == 1.0


class Brightness(nn.Module):
    """Two labels: "bright" scores the mean pixel, "dark" its opposite."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(1, 2, 3))
        return torch.stack([mean - 0.5, 0.5 - mean], dim=1) * 8


def test_evaluating_a_multilabel_dataset_gives_the_per_label_report():
    pixels = torch.tensor([250, 200, 30, 10, 240], dtype=torch.uint8).view(-1, 1, 1, 1).expand(-1, 1, 2, 2)
    labels = torch.tensor([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]], dtype=torch.uint8)  # the last one is wrong
    data = ImageDataset(pixels.contiguous(), labels, ["bright", "dark"])
    report = evaluate(Brightness(), data, (0.0,), (1.0,), device="cpu", tta="flip")
    assert isinstance(report, MultiLabelReport) and report.count == 5 and report.tta == "flip"
    bright, dark = report.per_label
    assert bright.support == 2 and bright.precision == pytest.approx(2 / 3) and bright.recall == 1.0
    assert dark.recall == pytest.approx(2 / 3) and report.exact_match == pytest.approx(4 / 5)
    with pytest.raises(ConfigError, match="one per label"):
        evaluate(Brightness(), data, (0.0,), (1.0,), device="cpu", thresholds=[0.5, 0.5, 0.5])


def shapes_net() -> NetworkGraph:
    """Two conv/batch-norm/ReLU stages and a global max pooling: a shape counts wherever it lies."""
    graph = NetworkGraph("shapes-net")
    chain = [
        ("input", "Input", {"channels": 1, "height": 28, "width": 28}),
        ("conv1", "Conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1}),
        ("bn1", "BatchNorm2d", {}),
        ("relu1", "ReLU", {}),
        ("pool1", "MaxPool2d", {"kernel_size": 2}),
        ("conv2", "Conv2d", {"out_channels": 32, "kernel_size": 3, "padding": 1}),
        ("bn2", "BatchNorm2d", {}),
        ("relu2", "ReLU", {}),
        ("gpool", "AdaptiveMaxPool2d", {"output_size": 1}),
        ("flatten", "Flatten", {}),
        ("fc", "Linear", {"out_features": 2}),
    ]
    return chain_graph(graph, chain)


@pytest.fixture(scope="module")
def multilabel_run(tmp_path_factory):
    """A small CNN trained 8 epochs on 1,500 multi-shapes images (4 labels) into a run folder."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        graph = shapes_net()
        config = TrainConfig(epochs=8, batch_size=32, lr=0.01, data="multishapes:count=1500")
        data = load_training_data(config.data, graph, config)
        fit_classes(graph, len(data.classes), multilabel=data.multilabel)
        run_dir = tmp_path_factory.mktemp("runs") / "multi"
        events = list(train(graph, data, config, run_dir))
    finally:
        torch.set_num_threads(threads)
    assert not [event for event in events if event.kind == "error"], events
    return run_dir, events


def test_a_multilabel_run_trains_with_bce_and_scores_its_epochs_by_macro_auroc(multilabel_run):
    _, events = multilabel_run
    started = next(event for event in events if event.kind == "started")
    epochs = [event for event in events if event.kind == "epoch"]
    assert started.task == "multi-label" and started.classes == ["circle", "square", "triangle", "cross"]
    assert len(epochs) == 8 and all(0.0 <= event.val_acc <= 1.0 for event in epochs)
    assert max(event.val_acc for event in epochs) > 0.95  # the labels are learnable: macro AUROC above 0.95
    assert epochs[-1].train_loss < epochs[0].train_loss


def test_evaluating_a_multilabel_run_reports_each_label_on_its_held_out_images(multilabel_run):
    run_dir, events = multilabel_run
    best = max(event.val_acc for event in events if event.kind == "epoch")
    result = evaluate_run(run_dir, device="cpu", thresholds=0.4)
    report = result.report
    assert isinstance(report, MultiLabelReport) and report.count == 300
    assert [row.name for row in report.per_label] == ["circle", "square", "triangle", "cross"]
    assert all(row.threshold == 0.4 for row in report.per_label)
    assert report.macro_auroc == pytest.approx(best, abs=1e-6)  # the run's own best validation score
    assert result.examples(0, 1) == []  # there is no confusion matrix to pick a cell of
