"""load_data: specs, fitting notes, splits, statistics, and the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from cnnstudio.data import DATASETS, DataError, load_data
from cnnstudio.data.load import parse_spec
from cnnstudio.data.split import channel_stats


def test_catalog_lists_every_spec_with_what_the_gui_shows() -> None:
    names = [info.name for info in DATASETS]
    assert names == ["xo", "shapes", "digits", "mnist", "fashion-mnist", "cifar10", "imagenette", "multishapes"]
    for info in DATASETS:
        assert info.title and info.description and info.source
        assert len(info.classes) >= 2 and len(info.native_shape) == 3
        assert info.offline == (info.download_mb == 0)


@pytest.mark.parametrize("info", [i for i in DATASETS if i.offline], ids=lambda i: i.name)
def test_offline_sets_load_as_the_catalog_describes(info) -> None:
    split = load_data(info.name)
    assert tuple(split.classes) == info.classes
    assert split.image_shape == info.native_shape
    assert split.adaptations == [] and split.skipped == []


def test_xo_default_split_and_statistics() -> None:
    split = load_data("xo")
    assert (len(split.train), len(split.val)) == (800, 200)
    assert torch.bincount(split.val.labels).tolist() == [100, 100]
    assert (split.mean, split.std) == channel_stats(split.train.images)
    assert split.train.images.dtype == torch.uint8 and split.train.labels.dtype == torch.int64


def test_digits_are_the_real_scikit_learn_digits() -> None:
    split = load_data("digits", val_fraction=0.1)
    assert len(split.train) + len(split.val) == 1797
    assert split.train.images.max() == 255


def test_generated_sets_are_drawn_at_the_network_size() -> None:
    split = load_data("xo", (1, 28, 28))
    assert split.image_shape == (1, 28, 28)
    assert split.adaptations == ["drew the images at 28×28, the network's input size"]

    split = load_data("shapes", (1, 20, 20))
    assert split.adaptations == ["drew the images at 20×20, the network's input size", "converted RGB → grayscale"]

    assert load_data("xo", (1, 9, 9)).adaptations == []  # the classic size: nothing changed


def test_a_size_in_the_spec_is_resized_to_the_network_and_noted() -> None:
    split = load_data("xo:size=9,count=100,noise=0", (3, 28, 28))
    assert len(split.train) + len(split.val) == 100
    assert split.image_shape == (3, 28, 28)
    assert split.adaptations == ["resized 9×9 → 28×28", "converted grayscale → 3 channels (RGB)"]


def test_digits_fitted_to_lenet() -> None:
    split = load_data("digits", (1, 28, 28))
    assert split.adaptations == ["resized 8×8 → 28×28"]


def test_same_seed_same_data_other_seed_other_split() -> None:
    a, b = load_data("shapes:count=60", seed=3), load_data("shapes:count=60", seed=3)
    assert torch.equal(a.train.images, b.train.images) and torch.equal(a.val.labels, b.val.labels)
    assert not torch.equal(a.train.images, load_data("shapes:count=60", seed=4).train.images)


def test_validation_fraction_zero_keeps_everything_for_training() -> None:
    split = load_data("xo:count=50", val_fraction=0)
    assert (len(split.train), len(split.val)) == (50, 0)
    assert split.val.image_shape == (1, 9, 9)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5])
def test_impossible_validation_fractions(fraction: float) -> None:
    with pytest.raises(DataError, match="validation fraction"):
        load_data("xo", val_fraction=fraction)


def test_class_count_must_match_the_network() -> None:
    assert load_data("xo", num_classes=2).classes == ["X", "O"]
    with pytest.raises(DataError, match=r"10 outputs but X's and O's has 2 classes \(X, O\).*output size to 2"):
        load_data("xo", num_classes=10)


def test_class_count_is_checked_before_any_download(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="outputs but CIFAR-10 has 10 classes"):
        load_data("cifar10", root=tmp_path, download=False, num_classes=2)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no-such-set", "no dataset called 'no-such-set' and no folder"),
        ("xo:colour=red", "'colour=red' is not an option of xo"),
        ("xo:count", "'count' is not an option of xo"),
        ("xo:count=many", "count must be a whole number"),
        ("xo:noise=lots", "noise must be a number"),
        ("xo:count=1", "count must be at least 2"),
        ("xo:noise=0.9", "noise must be between 0 and 0.5"),
        ("shapes:size=2", "size must be at least 5 pixels"),
        ("digits:size=28", "Options: none"),
    ],
)
def test_bad_specs_raise_clear_errors(spec: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_data(spec)


def test_spec_parsing() -> None:
    info, options = parse_spec(" XO : size=28 , count=10 ")
    assert info.name == "xo" and options == {"size": 28, "count": 10}
    assert parse_spec("C:\\photos\\pets") is None
    assert parse_spec("./xo") is None


def test_a_folder_named_like_a_builtin_set_is_reachable_as_a_path(tmp_path: Path, monkeypatch) -> None:
    for name in ("a", "b"):
        (tmp_path / "xo" / name).mkdir(parents=True)
        Image.new("L", (9, 9), 255).save(tmp_path / "xo" / name / "1.png")
    monkeypatch.chdir(tmp_path)
    assert load_data("./xo", val_fraction=0).classes == ["a", "b"]
    assert load_data("xo").classes == ["X", "O"]


def test_wrong_input_shape_is_a_data_error() -> None:
    with pytest.raises(DataError, match="4 channels"):
        load_data("xo", (4, 9, 9))
