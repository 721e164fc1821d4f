import threading

import numpy as np
import pytest
import torch
from torch import nn

from cnnstudio.data import DataError, ImageDataset
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.checkpoint import CheckpointError
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.evaluate import SplitCache, evaluate, evaluate_run, load_trained, predicted_labels
from cnnstudio.engine.launch import load_training_data
from cnnstudio.graph.templates import load_template
from cnnstudio.progress import Cancelled

from .conftest import small_net, stripe_split, train_run


class Fixed(nn.Module):
    """Predicts from the image's mean brightness: one logit per class chosen by hand."""

    def __init__(self, logits_for_value: dict[int, list[float]]) -> None:
        super().__init__()
        self.table = logits_for_value

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values = x.mean(dim=(1, 2, 3)).round().long().tolist()  # mean 0 and std 1/255 give raw pixel values
        return torch.tensor([self.table[value] for value in values])


def images(values: list[int], labels: list[int], classes=("a", "b", "c")) -> ImageDataset:
    pixels = torch.tensor(values, dtype=torch.uint8).view(-1, 1, 1, 1).expand(-1, 1, 2, 2).contiguous()
    return ImageDataset(pixels, torch.tensor(labels), list(classes))


def test_accuracy_per_class_metrics_confusion_and_mistakes():
    table = {0: [5.0, 0.0, 0.0], 1: [0.0, 5.0, 0.0], 2: [0.0, 0.0, 5.0], 3: [0.0, 9.0, 0.0], 4: [1.0, 0.0, 0.0]}
    data = images([0, 4, 1, 1, 2, 3], [0, 1, 1, 1, 2, 2])
    report = evaluate(Fixed(table), data, (0.0,), (1 / 255,), device="cpu", batch_size=4)
    assert report.count == 6 and report.accuracy == pytest.approx(4 / 6)
    assert report.confusion == [[1, 0, 0], [1, 2, 0], [0, 1, 1]]
    a, b, c = report.per_class
    assert (a.precision, a.recall, a.support) == (pytest.approx(0.5), 1.0, 1)
    assert (b.precision, b.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert (c.precision, c.recall, c.f1) == (1.0, 0.5, pytest.approx(2 / 3))
    assert [(m.index, m.predicted, m.true) for m in report.misclassified] == [(5, 1, 2), (1, 0, 1)]
    assert report.misclassified[0].confidence > report.misclassified[1].confidence  # most confident first
    assert report.to_dict()["confusion"] == report.confusion


class LeftHalf(nn.Module):
    """Class 1 when the left half is brighter: a network that is not mirror-invariant."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        width = x.shape[-1]
        difference = x[..., : width // 2].mean(dim=(1, 2, 3)) - x[..., width // 2 :].mean(dim=(1, 2, 3))
        return torch.stack([-difference, difference], dim=1) * 10


def test_flip_tta_averages_the_image_and_its_mirror():
    pixels = torch.zeros(2, 1, 4, 4, dtype=torch.uint8)
    pixels[0, ..., :2] = 255
    pixels[1, ..., 2:] = 255
    data = ImageDataset(pixels, torch.tensor([1, 0]), ["right", "left"])
    plain = evaluate(LeftHalf(), data, (0.5,), (0.5,), device="cpu")
    flipped = evaluate(LeftHalf(), data, (0.5,), (0.5,), device="cpu", tta="flip")
    assert plain.accuracy == 1.0 and flipped.tta == "flip"
    # a view and its mirror cancel out: both classes get 0.5, and the tie goes to class 0
    assert flipped.accuracy == 0.5
    assert [(m.index, m.predicted, m.confidence) for m in flipped.misclassified] == [(0, 0, pytest.approx(0.5))]


def test_crop_tta_evaluates_shifted_views():
    report = evaluate(LeftHalf(), images([10, 200], [0, 1], ("x", "y")), (0.5,), (0.5,), device="cpu", tta="flip+crops")
    assert report.count == 2 and report.tta == "flip+crops"
    with pytest.raises(ConfigError, match="test-time augmentation"):
        evaluate(LeftHalf(), images([1], [0]), (0.5,), (0.5,), tta="zoom")


def test_a_trained_run_evaluates_with_its_own_normalization(tmp_path):
    split = stripe_split()
    list(train(small_net(), split, TrainConfig(epochs=3, batch_size=32, lr=0.01), tmp_path))
    result = evaluate_run(tmp_path, split, device="cpu")
    report = result.report
    assert report.accuracy == 1.0 and report.count == 60 and report.classes == ["horizontal", "vertical"]
    assert result.checkpoint == "best" and result.epoch >= 1 and result.network == "small" and result.data == ""
    assert result.dataset is split.val
    module, saved = load_trained(tmp_path, "last")
    assert saved.progress.epoch == 3 and set(module.state_dict()) == set(saved.weights)
    assert evaluate_run(tmp_path, split.val, checkpoint="last", device="cpu").epoch == 3
    with pytest.raises(ConfigError, match="the images are 1×12×12 but the network takes 1×8×8"):
        evaluate_run(tmp_path, stripe_split(size=12))
    with pytest.raises(ConfigError, match="trained on classes horizontal, vertical, but the data has"):
        evaluate_run(tmp_path, stripe_split(classes=3).val.subset(torch.tensor([0, 1])))
    with pytest.raises(ConfigError, match="does not record its dataset"):
        evaluate_run(tmp_path)
    with pytest.raises(ConfigError, match="no images to evaluate on"):
        evaluate_run(tmp_path, split.val.subset(torch.tensor([], dtype=torch.int64)))


@pytest.fixture(scope="module")
def xo_run(tmp_path_factory):
    return train_run(tmp_path_factory.mktemp("runs"), "run", epochs=2)


def test_a_run_is_evaluated_on_exactly_the_validation_images_it_held_out(xo_run):
    result = evaluate_run(xo_run, device="cpu")
    graph = load_template("xo")
    held_out = load_training_data("xo:count=200", graph, TrainConfig(data="xo:count=200")).val
    assert result.data == "xo:count=200" and result.checkpoint == "best" and result.network == "X's and O's"
    assert torch.equal(result.dataset.images, held_out.images) and result.report.count == len(held_out) == 40
    labels = held_out.labels.numpy()
    for true in range(2):  # every image of a class is in exactly one cell of its row
        shown = [index for predicted in range(2) for index, _ in result.examples(true, predicted)]
        assert sorted(shown) == np.flatnonzero(labels == true).tolist()
        assert len(result.examples(true, true)) == result.report.confusion[true][true]
        assert all(confidence is None for _, confidence in result.examples(true, true))
    image = result.image(0)
    assert image.shape == (9, 9, 3) and image.dtype == np.uint8


def test_evaluating_runs_on_the_same_data_loads_it_once(xo_run, monkeypatch):
    from cnnstudio.engine import evaluate as evaluate_module

    loads = []
    real = evaluate_module.load_data
    monkeypatch.setattr(
        evaluate_module, "load_data", lambda *args, **kwargs: loads.append(args) or real(*args, **kwargs)
    )
    cache = SplitCache()
    first = evaluate_run(xo_run, device="cpu", cache=cache)
    again = evaluate_run(xo_run, checkpoint="last", device="cpu", cache=cache)
    assert len(loads) == 1 and again.dataset is first.dataset
    evaluate_run(xo_run, "xo:count=100", device="cpu", cache=cache)
    assert len(loads) == 2


def test_other_data_is_checked_against_what_the_network_was_trained_on(xo_run, tmp_path):
    with pytest.raises(ConfigError, match="trained on classes X, O, but shapes:count=60 has circle"):
        evaluate_run(xo_run, "shapes:count=60", device="cpu")
    with pytest.raises(DataError, match="no-such-data"):
        evaluate_run(xo_run, "no-such-data")
    with pytest.raises(CheckpointError, match="no 'best' checkpoint"):
        evaluate_run(tmp_path, checkpoint="best")
    with pytest.raises(CheckpointError, match="no 'last' checkpoint"):
        evaluate_run(tmp_path)  # a folder without checkpoints has nothing to hand on


def test_predicted_labels_are_evaluate_s_predictions_and_keep_the_module_s_mode():
    torch.manual_seed(0)
    module = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 5), nn.Dropout(0.5)).train()
    images = torch.randint(0, 256, (10, 3, 4, 4), dtype=torch.uint8)
    dataset = ImageDataset(images, torch.zeros(10, dtype=torch.long), list("abcde"))
    spec = Preprocessing((3, 4, 4), (0.5,), (0.25,))  # one value for every channel
    fractions = []
    predicted = predicted_labels(module, dataset, spec, batch_size=4, progress=fractions.append)
    assert module.training and fractions == pytest.approx([1 / 3, 2 / 3, 1.0])
    with torch.no_grad():
        expected = module.eval()((images.float() / 255 - 0.5) / 0.25).argmax(dim=1)
    np.testing.assert_array_equal(predicted, expected.numpy())
    assert predicted.dtype == np.int64
    assert predicted_labels(module, dataset.subset(torch.arange(0)), spec).shape == (0,)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        predicted_labels(module, dataset, spec, cancel=cancel)
