"""Multi-label datasets: labels [N, L] of 0/1 with label names, the generated multi-shapes set, the split."""

import pytest
import torch

from cnnstudio.data import ImageDataset, load_data
from cnnstudio.data.synthetic import make_multi_shapes


def test_a_multilabel_dataset_counts_lists_and_names_its_labels():
    labels = torch.tensor([[1, 0, 1], [0, 0, 0], [0, 1, 1]], dtype=torch.uint8)
    dataset = ImageDataset(torch.zeros(3, 1, 4, 4, dtype=torch.uint8), labels, ["a", "b", "c"])
    assert dataset.multilabel and dataset.class_counts().tolist() == [1, 1, 2]
    assert dataset.indices(2).tolist() == [0, 2] and dataset.label(1) == -1
    assert dataset.label_text(0) == "a, c" and dataset.label_text(1) == "no label"
    assert dataset.subset(torch.tensor([2])).labels.tolist() == [[0, 1, 1]]
    with pytest.raises(ValueError, match="one column per label name"):
        ImageDataset(torch.zeros(3, 1, 4, 4, dtype=torch.uint8), labels, ["a", "b"])


def test_multi_shapes_draws_the_shapes_its_labels_name_and_splits_at_random():
    dataset = make_multi_shapes(200, 32, 32, seed=1)
    empty = dataset.labels.sum(1) == 0
    assert (dataset.images[empty] == 0).all() and (dataset.images[~empty].flatten(1).amax(1) > 100).all()
    split = load_data("multishapes:count=200", (1, 32, 32), val_fraction=0.25)
    assert split.multilabel and len(split.train) == 150 and len(split.val) == 50
    assert split.classes == ["circle", "square", "triangle", "cross"]
