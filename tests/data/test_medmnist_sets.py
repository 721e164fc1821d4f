"""MedMNIST `.npz` files and `medmnist:NAME[@SIZE]` specs (generated files; nothing is downloaded)."""

import numpy as np
import pytest
import torch

from cnnstudio.data import DataError, load_data
from cnnstudio.data.medmnist_sets import medmnist_set

from .medmnist_files import write_multiclass_npz, write_multilabel_npz


def test_a_multilabel_npz_loads_its_official_splits_as_labels(tmp_path):
    path = write_multilabel_npz(tmp_path / "chest.npz")
    split = load_data(str(path))
    assert split.multilabel and split.train.labels.shape == (240, 14) and split.train.labels.dtype == torch.uint8
    assert len(split.val) == 60 and split.classes[0] == "label 0"
    assert split.image_shape == (1, 28, 28)
    assert "the official train and val splits (multi-label, 14 labels)" in split.adaptations[0]
    assert split.train.class_counts().tolist() == split.train.labels.sum(0).tolist()


def test_a_multiclass_npz_is_single_label_and_fits_the_network(tmp_path):
    path = write_multiclass_npz(tmp_path / "path.npz")
    split = load_data(str(path), (1, 32, 32))
    assert not split.multilabel and split.train.labels.dtype == torch.int64
    assert split.classes == ["0", "1", "2", "3"] and split.image_shape == (1, 32, 32)


def test_a_named_set_is_read_where_medmnist_looks_with_the_packages_label_names(tmp_path):
    (tmp_path / "medmnist").mkdir()
    write_multilabel_npz(tmp_path / "medmnist" / "chestmnist_64.npz", size=64)
    split = load_data("medmnist:chestmnist@64", root=tmp_path, download=False)
    assert split.multilabel and split.classes[:3] == ["atelectasis", "cardiomegaly", "effusion"]
    assert split.train.name == "ChestMNIST (64 px)" and split.image_shape == (1, 64, 64)
    # the file given by path is recognised by its name too
    assert load_data(str(tmp_path / "medmnist" / "chestmnist_64.npz")).classes[13] == "hernia"


def test_a_missing_named_set_says_where_to_put_the_file(tmp_path):
    with pytest.raises(DataError, match=r"downloading is turned off; download https://zenodo.org/.*pneumoniamnist"):
        load_data("medmnist:pneumoniamnist@128", root=tmp_path, download=False)
    assert medmnist_set("pneumoniamnist", 128).filename == "pneumoniamnist_128.npz"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("medmnist:organmnist3d", "no 2D MedMNIST set called 'organmnist3d'"),
        ("medmnist:chestmnist@100", "come at 28, 64, 128, 224 pixels, not 100"),
        ("medmnist:chestmnist@big", "the size after @ must be one of"),
        ("medmnist:", "name a MedMNIST set"),
    ],
)
def test_bad_named_specs_say_what_to_write(tmp_path, spec, message):
    with pytest.raises(DataError, match=message):
        load_data(spec, root=tmp_path, download=False)


def test_files_that_are_not_medmnist_are_refused_with_the_reason(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(DataError, match="no train_images, train_labels, val_images, val_labels"):
        load_data(str(tmp_path / "other.npz"))
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="cannot be read as a MedMNIST .npz file"):
        load_data(str(tmp_path / "broken.npz"))
    with pytest.raises(DataError, match="There is no MedMNIST file at"):
        load_data(str(tmp_path / "absent.npz"))
    np.savez(
        tmp_path / "float.npz",
        train_images=np.zeros((2, 8, 8), np.float32),
        train_labels=np.zeros((2, 1), np.int64),
        val_images=np.zeros((2, 8, 8), np.float32),
        val_labels=np.zeros((2, 1), np.int64),
    )
    with pytest.raises(DataError, match="train_images must be uint8"):
        load_data(str(tmp_path / "float.npz"))
