"""Finding mislabelled images: out-of-fold predictions and cleanlab flag the labels that were flipped."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from cnnstudio.data.bundled import load_digits
from cnnstudio.data.dataset import ImageDataset
from cnnstudio.data.load import load_data, overrides_file
from cnnstudio.data.overrides import Override, write_override
from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.label_issues import find_run_label_issues, out_of_fold_probabilities, rank_label_issues
from cnnstudio.engine.loop import train
from cnnstudio.graph import NetworkGraph
from tests.engine.conftest import chain_graph

pytest.importorskip("cleanlab", reason="needs cleanlab (pip install 'cnnstudio[labels]')")


def mlp(size: int = 8, classes: int = 10) -> NetworkGraph:
    """input → flatten → linear(64) → relu → linear(classes): a second of training on the digits."""
    graph = NetworkGraph("mlp")
    chain = [
        ("input", "Input", {"channels": 1, "height": size, "width": size}),
        ("flatten", "Flatten", {}),
        ("fc1", "Linear", {"out_features": 64}),
        ("relu", "ReLU", {}),
        ("fc2", "Linear", {"out_features": classes}),
    ]
    return chain_graph(graph, chain)


def flipped_digits(share: float = 0.05, seed: int = 0) -> tuple[ImageDataset, np.ndarray]:
    """The digits with `share` of their labels changed to another class at random (seeded), and which."""
    digits = load_digits()
    rng = np.random.default_rng(seed)
    flipped = rng.choice(len(digits), round(share * len(digits)), replace=False)
    labels = digits.labels.clone()
    labels[flipped] = (labels[flipped] + torch.from_numpy(rng.integers(1, 10, len(flipped)))) % 10
    return ImageDataset(digits.images, labels, digits.classes, digits.name), flipped


def test_most_flipped_labels_are_among_the_top_suggestions():
    noisy, flipped = flipped_digits()
    started = time.perf_counter()
    config = TrainConfig(epochs=15, batch_size=64, lr=0.01, device="cpu")
    probabilities = out_of_fold_probabilities(mlp(), noisy, config, folds=3)
    issues = rank_label_issues(noisy, probabilities)
    seconds = time.perf_counter() - started
    top = {issue.index for issue in issues[: 2 * len(flipped)]}
    found = len(top & set(flipped.tolist())) / len(flipped)
    print(f"flipped {len(flipped)} of {len(noisy)}: {found:.1%} among the top {2 * len(flipped)} in {seconds:.1f} s")
    assert found >= 0.8
    scores = [issue.score for issue in issues]
    assert scores == sorted(scores)  # ranked by self-confidence, lowest first
    first = issues[0]
    assert first.given == int(noisy.labels[first.index]) and first.suggested != first.given
    assert first.score == pytest.approx(probabilities[first.index, first.given])
    assert first.source == f"#{first.index}" and first.given_label == str(first.given)
    kept = rank_label_issues(noisy, probabilities, skip=frozenset({first.source}))
    assert first.source not in {issue.source for issue in kept}


def test_folds_need_images_of_every_class_in_each():
    noisy, _ = flipped_digits()
    with pytest.raises(ConfigError, match="at least 2 folds"):
        out_of_fold_probabilities(mlp(), noisy, TrainConfig(), folds=1)


def test_a_run_is_examined_by_k_fold_or_by_its_validation_predictions(tmp_path):
    data = load_data("digits", (1, 8, 8))
    config = TrainConfig(epochs=3, batch_size=64, lr=0.01, device="cpu", data="digits")
    events = list(train(mlp(), data, config, tmp_path / "run"))
    assert type(events[-1]).__name__ == "Finished"
    fast = find_run_label_issues(tmp_path / "run", fast=True, root=tmp_path)
    assert fast.method == "validation predictions" and len(fast.dataset) == len(data.val)
    assert fast.overrides == overrides_file("digits", tmp_path)
    folds = find_run_label_issues(tmp_path / "run", folds=2, epochs=2, root=tmp_path)
    assert folds.method == "2-fold" and len(folds.dataset) == 1797 and folds.issues
    suspect = folds.issues[0].source
    write_override(folds.overrides, "digits", suspect, Override("keep"))
    again = find_run_label_issues(tmp_path / "run", folds=2, epochs=2, root=tmp_path)
    assert suspect not in {issue.source for issue in again.issues}  # a kept label is not suggested again
