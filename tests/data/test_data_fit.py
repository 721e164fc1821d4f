"""Fitting tensors to a network's input: one policy, plainly described."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnstudio.data import DataError, fit_images


def test_images_that_fit_are_returned_unchanged() -> None:
    images = torch.randint(0, 256, (4, 3, 16, 16), dtype=torch.uint8)
    fitted, notes = fit_images(images, (3, 16, 16))
    assert torch.equal(fitted, images) and notes == []


def test_upscaling_is_noted_and_keeps_a_constant_image_constant() -> None:
    images = torch.full((2, 1, 8, 8), 77, dtype=torch.uint8)
    fitted, notes = fit_images(images, (1, 28, 28))
    assert notes == ["resized 8×8 → 28×28"]
    assert fitted.shape == (2, 1, 28, 28) and (fitted == 77).all()


def test_other_aspect_ratios_are_covered_then_centre_cropped() -> None:
    images = torch.zeros((1, 1, 32, 32), dtype=torch.uint8)
    images[..., :8, :] = 255  # a white band at the top is cropped away for a 16×32 target
    fitted, notes = fit_images(images, (1, 16, 32))
    assert notes == ["resized 32×32 → 16×32 (scaled to cover, then centre-cropped)"]
    assert fitted.max() == 0


def test_channel_conversions() -> None:
    gray = torch.arange(4, dtype=torch.uint8).view(1, 1, 2, 2)
    rgb, notes = fit_images(gray, (3, 2, 2))
    assert notes == ["converted grayscale → 3 channels (RGB)"]
    assert torch.equal(rgb, gray.expand(1, 3, 2, 2))

    red = torch.zeros((1, 3, 2, 2), dtype=torch.uint8)
    red[:, 0] = 255
    luma, notes = fit_images(red, (1, 2, 2))
    assert notes == ["converted RGB → grayscale"] and (luma == 76).all()


@pytest.mark.parametrize("shape", [(4, 8, 8), (2, 8, 8), (1, 0, 8), (3, 8), "big", None])
def test_impossible_input_shapes_raise_data_errors(shape) -> None:
    with pytest.raises(DataError):
        fit_images(torch.zeros((1, 1, 4, 4), dtype=torch.uint8), shape)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 3),
    src=st.tuples(st.sampled_from([1, 3]), st.integers(1, 40), st.integers(1, 40)),
    dst=st.tuples(st.sampled_from([1, 3]), st.integers(1, 40), st.integers(1, 40)),
)
def test_any_source_fits_any_target(n: int, src: tuple[int, int, int], dst: tuple[int, int, int]) -> None:
    images = torch.randint(0, 256, (n, *src), dtype=torch.uint8)
    fitted, _ = fit_images(images, dst)
    assert fitted.shape == (n, *dst) and fitted.dtype == torch.uint8
