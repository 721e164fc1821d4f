"""The training/validation split and the normalization statistics."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnstudio.data.dataset import ImageDataset
from cnnstudio.data.split import Loaded, channel_stats, make_split, stratified_split


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.integers(0, 4), min_size=1, max_size=200),
    fraction=st.sampled_from([0.0, 0.1, 0.2, 0.5, 0.9]),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_is_a_stratified_partition(labels: list[int], fraction: float, seed: int) -> None:
    y = torch.tensor(labels)
    train, val = stratified_split(y, fraction, seed)
    assert sorted(torch.cat([train, val]).tolist()) == list(range(len(labels)))
    assert train.tolist() == sorted(train.tolist()) and val.tolist() == sorted(val.tolist())
    for c in set(labels):
        n = labels.count(c)
        n_val = int((y[val] == c).sum())
        assert int((y[train] == c).sum()) >= 1  # every class stays trainable
        if fraction == 0 or n == 1:
            assert n_val == 0
        else:
            assert n_val == min(max(round(n * fraction), 1), n - 1)
    again = stratified_split(y, fraction, seed)
    assert torch.equal(train, again[0]) and torch.equal(val, again[1])


def test_different_seeds_give_different_splits() -> None:
    y = torch.arange(100) % 2
    assert not torch.equal(stratified_split(y, 0.2, 0)[1], stratified_split(y, 0.2, 1)[1])


def test_channel_stats_match_a_float_computation() -> None:
    images = torch.randint(0, 256, (50, 3, 7, 5), dtype=torch.uint8)
    mean, std = channel_stats(images)
    x = images.double() / 255
    assert mean == pytest.approx(x.mean(dim=(0, 2, 3)).tolist())
    assert std == pytest.approx(x.std(dim=(0, 2, 3), unbiased=False).tolist())


def test_a_constant_channel_gets_std_one() -> None:
    images = torch.full((4, 1, 3, 3), 200, dtype=torch.uint8)
    mean, std = channel_stats(images)
    assert mean == pytest.approx((200 / 255,)) and std == (1.0,)


def test_a_class_with_one_image_is_named_in_the_notes() -> None:
    labels = torch.tensor([0] * 10 + [1] + [2] * 10)
    dataset = ImageDataset(torch.zeros(len(labels), 1, 4, 4, dtype=torch.uint8), labels, ["cat", "dog", "owl"], "tiny")
    split = make_split(Loaded(dataset), val_fraction=0.2, seed=0)
    assert split.val.class_counts().tolist() == [2, 0, 2]
    assert any("1 class with a single image ('dog')" in note for note in split.adaptations)
    assert not make_split(Loaded(dataset), val_fraction=0.0, seed=0).adaptations
