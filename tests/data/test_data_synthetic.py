"""The generated offline datasets: deterministic, balanced, varied, and as documented."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnstudio.data.synthetic import SHAPE_CLASSES, make_shapes, make_xo

CLASSIC_X = [
    ".........",
    ".#.....#.",
    "..#...#..",
    "...#.#...",
    "....#....",
    "...#.#...",
    "..#...#..",
    ".#.....#.",
    ".........",
]
CLASSIC_O = [
    ".........",
    "...###...",
    "..#...#..",
    ".#.....#.",
    ".#.....#.",
    ".#.....#.",
    "..#...#..",
    "...###...",
    ".........",
]


def _pattern(rows: list[str]) -> torch.Tensor:
    return torch.tensor([[255 if c == "#" else 0 for c in row] for row in rows], dtype=torch.uint8)


def test_xo_is_binary_balanced_and_deterministic() -> None:
    a = make_xo(101, seed=7)
    assert a.images.shape == (101, 1, 9, 9) and a.images.dtype == torch.uint8
    assert set(a.images.unique().tolist()) == {0, 255}
    assert a.classes == ["X", "O"]
    assert sorted(torch.bincount(a.labels).tolist()) == [50, 51]
    b = make_xo(101, seed=7)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, make_xo(101, seed=8).images)


def test_xo_includes_the_classic_shapes_and_tricky_variations() -> None:
    data = make_xo(400, noise=0, seed=3)
    for label, classic in ((0, CLASSIC_X), (1, CLASSIC_O)):
        images = data.images[data.labels == label, 0]
        is_classic = (images == _pattern(classic)).flatten(1).all(dim=1)
        assert 0.1 < is_classic.float().mean() < 0.4  # some canonical ones…
        assert len(images[~is_classic].flatten(1).unique(dim=0)) > 100  # …and many different others


def test_xo_noise_flips_the_requested_share_of_pixels() -> None:
    clean = make_xo(500, noise=0, seed=1).images
    noisy = make_xo(500, noise=0.1, seed=1).images
    assert (clean != noisy).float().mean().item() == pytest.approx(0.1, abs=0.01)


def test_xo_classes_are_learnable() -> None:
    data = make_xo(1000, seed=0)
    x, y = data.images.flatten(1).float(), data.labels
    centroids = torch.stack([x[y == c][:800].mean(0) for c in (0, 1)])
    accuracy = (torch.cdist(x[800:], centroids).argmin(1) == y[800:]).float().mean()
    assert accuracy > 0.8


def test_xo_can_be_drawn_at_any_size() -> None:
    data = make_xo(10, 28, 40, seed=0)
    assert data.image_shape == (1, 28, 40)


def test_shapes_are_rgb_balanced_deterministic_and_varied() -> None:
    data = make_shapes(500, seed=4)
    assert data.images.shape == (500, 3, 32, 32) and data.images.dtype == torch.uint8
    assert data.classes == SHAPE_CLASSES == ["circle", "square", "triangle", "star", "cross"]
    assert torch.bincount(data.labels).tolist() == [100] * 5
    assert torch.equal(data.images, make_shapes(500, seed=4).images)
    # Random colours: the per-image mean colours are spread over the colour cube.
    means = data.images.float().mean(dim=(2, 3))
    assert (means.std(dim=0) > 25).all()


def test_shapes_are_drawn_in_a_contrasting_colour() -> None:
    # Without noise and clutter the shape is the pixels far from the background colour; check
    # that every image has a sizable such region at the centre of mass of its shape.
    data = make_shapes(60, 48, 48, seed=2)
    images = data.images.numpy().astype(int)
    corners = np.stack([images[:, :, 0, 0], images[:, :, 0, -1], images[:, :, -1, 0], images[:, :, -1, -1]])
    background = np.median(corners, axis=0)  # clutter rarely covers 3 corners
    far = np.abs(images - background[:, :, None, None]).sum(axis=1) > 120
    assert (far.mean(axis=(1, 2)) > 0.05).all()


def test_shapes_non_square() -> None:
    assert make_shapes(5, 24, 40, seed=0).image_shape == (3, 24, 40)


@pytest.mark.parametrize(("make", "count"), [(make_xo, 1), (make_shapes, 4)])
def test_too_few_images_are_refused(make, count: int) -> None:
    with pytest.raises(ValueError, match="count must be at least"):
        make(count)
