"""Batch augmentation: the text form, per-sample randomness, and what each option does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnstudio.data import DataError, ImageDataset
from cnnstudio.data.augment import (
    AUGMENTATIONS,
    AugmentOption,
    BatchAugmenter,
    format_augment,
    parse_augment,
    preview,
    preview_rows,
)


def _batch(b: int = 32, c: int = 3, h: int = 16, w: int = 20, seed: int = 0) -> torch.Tensor:
    return torch.rand((b, c, h, w), generator=torch.Generator().manual_seed(seed))


def _same_image(b: int = 32) -> torch.Tensor:
    return _batch(1).expand(b, -1, -1, -1).contiguous()


# --- text form ---------------------------------------------------------------------------------


def test_catalog_has_the_documented_options_with_help() -> None:
    assert list(AUGMENTATIONS) == ["flip", "crop", "rotate", "scale", "color", "erase"]
    assert all(info.help and info.param for info in AUGMENTATIONS.values())


def test_parse_the_documented_example() -> None:
    assert parse_augment("flip,crop:4,rotate:15,erase:0.25") == [
        AugmentOption("flip", 0.5),
        AugmentOption("crop", 4),
        AugmentOption("rotate", 15.0),
        AugmentOption("erase", 0.25),
    ]


@pytest.mark.parametrize("text", ["", "none", " None ", ","])
def test_no_augmentation(text: str) -> None:
    assert parse_augment(text) == []


def test_defaults_case_spaces_and_scale_forms() -> None:
    options = parse_augment(" Flip , SCALE:0.2 ,color")
    assert options == [AugmentOption("flip", 0.5), AugmentOption("scale", (0.8, 1.2)), AugmentOption("color", 0.4)]
    assert parse_augment("scale:0.75-1.5") == [AugmentOption("scale", (0.75, 1.5))]
    assert parse_augment("scale") == [AugmentOption("scale", (0.9, 1.1))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blur", "Unknown augmentation 'blur'. Choose from: flip, crop"),
        ("crop:x", "'x' is not a number"),
        ("crop:2.5", "padding must be a whole number"),
        ("crop:0", "padding must be between 1 and 128"),
        ("rotate:200", "degrees must be between 0 and 180"),
        ("erase:1.5", "p must be between 0 and 1"),
        ("scale:1.2-0.8", "low ≤ high"),
        ("scale:1.5", "spread below 1"),
        ("flip,flip:1", "given twice"),
    ],
)
def test_bad_text_raises_clear_errors(text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        parse_augment(text)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(list(AUGMENTATIONS)), unique=True))
def test_format_and_parse_round_trip(names: list[str]) -> None:
    options = parse_augment(",".join(names))
    assert parse_augment(format_augment(options)) == options


# --- the augmenter -----------------------------------------------------------------------------

ALL = "flip,crop:4,rotate:15,scale:0.9-1.1,color:0.4,erase:0.5"


def test_output_has_the_input_shape_and_range_and_the_input_is_untouched() -> None:
    batch = _batch()
    original = batch.clone()
    out = BatchAugmenter(parse_augment(ALL), seed=0)(batch)
    assert out.shape == batch.shape and out.dtype == batch.dtype and out.device == batch.device
    assert out.min() >= 0 and out.max() <= 1
    assert torch.equal(batch, original)


def test_no_options_is_the_identity() -> None:
    batch = _batch()
    assert torch.equal(BatchAugmenter([], seed=0)(batch), batch)


def test_seeded_augmenters_repeat_and_differ_by_seed() -> None:
    batch = _batch()
    a, b = BatchAugmenter(parse_augment(ALL), seed=1), BatchAugmenter(parse_augment(ALL), seed=1)
    first = a(batch)
    assert torch.equal(first, b(batch))
    assert not torch.equal(first, a(batch))  # the next batch gets new draws
    assert not torch.equal(first, BatchAugmenter(parse_augment(ALL), seed=2)(batch))


@pytest.mark.parametrize("text", ["flip", "crop:4", "rotate:20", "scale:0.7-1.3", "color:0.5", "erase:0.5"])
def test_every_option_draws_per_sample(text: str) -> None:
    # One image repeated: a single draw for the whole batch would give identical outputs.
    out = BatchAugmenter(parse_augment(text), seed=0)(_same_image(64))
    distinct = out.flatten(1).unique(dim=0)
    assert len(distinct) > (1 if text in ("flip", "erase:0.5") else 20)


def test_flip_with_p_one_mirrors_every_image() -> None:
    batch = _batch()
    assert torch.equal(BatchAugmenter(parse_augment("flip:1"), seed=0)(batch), batch.flip(-1))


def _shifted(image: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """image moved by (dy, dx) pixels with black filling in, as pad-and-crop does."""
    h, w = image.shape[-2:]
    p = max(abs(dy), abs(dx))
    padded = torch.nn.functional.pad(image, (p, p, p, p))
    return padded[..., p - dy : p - dy + h, p - dx : p - dx + w]


def test_crop_shifts_each_image_by_whole_pixels_within_the_padding() -> None:
    batch = _batch(40, 3, 12, 12)
    out = BatchAugmenter(parse_augment("crop:3"), seed=0)(batch)
    offsets = set()
    for image, result in zip(batch, out, strict=True):
        shifts = [(dy, dx) for dy in range(-3, 4) for dx in range(-3, 4)]
        matches = [s for s in shifts if torch.equal(_shifted(image, *s), result)]
        assert len(matches) == 1
        offsets.add(matches[0])
    assert len(offsets) > 10


def test_crop_and_flip_together_give_shifted_mirror_images() -> None:
    batch = _batch(20, 1, 10, 10)
    out = BatchAugmenter(parse_augment("flip:1,crop:2"), seed=0)(batch)
    for image, result in zip(batch.flip(-1), out, strict=True):
        assert any(torch.equal(_shifted(image, dy, dx), result) for dy in range(-2, 3) for dx in range(-2, 3))


def test_rotation_keeps_the_centre_and_fills_corners_black() -> None:
    ones = torch.ones((16, 1, 32, 32))
    out = BatchAugmenter(parse_augment("rotate:180"), seed=0)(ones)
    centre = out[..., 12:20, 12:20]
    assert torch.allclose(centre, torch.ones_like(centre), atol=1e-5)
    assert (out[..., 0, 0] < 0.5).float().mean() > 0.5  # most rotations move a corner out


def test_zooming_out_halves_the_content() -> None:
    ones = torch.ones((4, 1, 32, 32))
    out = BatchAugmenter(parse_augment("scale:0.5-0.5"), seed=0)(ones)
    assert out.mean().item() == pytest.approx(0.25, abs=0.02)


def test_rotation_is_not_distorted_by_non_square_images() -> None:
    # A centred disc must stay a disc (same area) when rotated inside a wide image.
    h, w = 40, 80
    yy, xx = torch.meshgrid(torch.arange(h) - h / 2 + 0.5, torch.arange(w) - w / 2 + 0.5, indexing="ij")
    disc = ((yy**2 + xx**2) < 15**2).float().expand(8, 1, h, w)
    out = BatchAugmenter(parse_augment("rotate:90"), seed=0)(disc)
    assert out.sum(dim=(1, 2, 3)).sub(disc[0].sum()).abs().max() < 0.02 * disc[0].sum()


def test_colour_jitter_changes_brightness_per_sample_and_handles_grayscale() -> None:
    gray = torch.full((32, 1, 8, 8), 0.5)
    out = BatchAugmenter(parse_augment("color:0.4"), seed=0)(gray)
    means = out.mean(dim=(1, 2, 3))
    assert means.min() >= 0.5 * 0.6 - 1e-6 and means.max() <= 0.5 * 1.4 + 1e-6
    assert means.std() > 0.05


def test_colour_jitter_keeps_gray_pixels_gray() -> None:
    gray_rgb = torch.full((16, 3, 8, 8), 0.3)
    out = BatchAugmenter(parse_augment("color:1"), seed=0)(gray_rgb)
    assert torch.allclose(out[:, 0], out[:, 1]) and torch.allclose(out[:, 1], out[:, 2])


def test_erasing_fills_one_rectangle_of_2_to_33_percent() -> None:
    half = torch.full((64, 3, 20, 20), 0.5)
    out = BatchAugmenter(parse_augment("erase:1"), seed=0)(half)
    changed = (out != 0.5).any(dim=1)  # noise never equals 0.5 exactly
    for mask in changed:
        rows, cols = mask.any(dim=1).nonzero().flatten(), mask.any(dim=0).nonzero().flatten()
        box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        assert mask.sum() == box  # a filled rectangle
        assert 0.02 * 400 * 0.5 <= box <= 0.33 * 400 * 1.5  # area drawn in 2-33 %, rounded


def test_erasing_probability() -> None:
    half = torch.full((1000, 1, 8, 8), 0.5)
    out = BatchAugmenter(parse_augment("erase:0.25"), seed=0)(half)
    erased = (out != 0.5).flatten(1).any(dim=1).float().mean()
    assert erased.item() == pytest.approx(0.25, abs=0.05)


def test_integer_batches_are_refused() -> None:
    with pytest.raises(TypeError, match="float batch"):
        BatchAugmenter(parse_augment("flip"))(torch.zeros((2, 1, 4, 4), dtype=torch.uint8))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_augments_on_the_gpu() -> None:
    batch = _batch().cuda()
    out = BatchAugmenter(parse_augment(ALL), seed=0)(batch)
    assert out.device == batch.device and out.shape == batch.shape
    again = BatchAugmenter(parse_augment(ALL), seed=0)(batch)
    assert torch.equal(out, again)


# --- preview -----------------------------------------------------------------------------------


def _dataset() -> ImageDataset:
    images = torch.arange(10, dtype=torch.uint8).view(10, 1, 1, 1).expand(10, 3, 6, 6).contiguous() * 20
    labels = torch.tensor([0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
    return ImageDataset(images, labels, ["a", "b", "c"])


def test_preview_without_options_shows_originals_class_by_class() -> None:
    out = preview(_dataset(), [], n=5, seed=0)
    assert out.dtype == torch.uint8 and out.shape == (5, 3, 6, 6)
    # first of each class, then second of each: images 0, 4, 7, 1, 5
    assert out[:, 0, 0, 0].tolist() == [0, 80, 140, 20, 100]


def test_preview_repeats_when_asked_for_more_than_exist_and_varies_with_seed() -> None:
    options = parse_augment("color:0.5")
    assert preview(_dataset(), options, n=25, seed=0).shape[0] == 25
    assert not torch.equal(preview(_dataset(), options, n=8, seed=0), preview(_dataset(), options, n=8, seed=1))
    assert torch.equal(preview(_dataset(), options, n=8, seed=0), preview(_dataset(), options, n=8, seed=0))


def test_the_preview_rows_are_the_originals_then_augmented_copies_of_them_as_pixels() -> None:
    options = parse_augment("color:0.5")
    reports = []
    rows = preview_rows(_dataset(), options, columns=4, rows=2, seed=3, progress=lambda *report: reports.append(report))
    assert len(rows) == 3 and all(row.shape == (4, 6, 6, 3) and row.dtype == np.uint8 for row in rows)
    assert rows[0][:, 0, 0, 0].tolist() == [0, 80, 140, 20]  # the originals, as `preview` picks them
    assert (rows[1] != rows[0]).any() and (rows[1] != rows[2]).any()  # every copy draws its own changes
    augmented = preview(_dataset(), [], n=4, seed=0).repeat(2, 1, 1, 1).float().div(255)
    expected = BatchAugmenter(options, seed=3)(augmented).mul(255).round().clamp(0, 255).to(torch.uint8)
    assert (rows[2] == expected[4:].permute(0, 2, 3, 1).numpy()).all()
    assert reports == [("Augmenting the preview", 0.0)]
    assert len(preview_rows(_dataset(), [], columns=4, rows=2, seed=3)) == 1  # no options: the originals only


def test_options_made_in_code_are_checked_like_text() -> None:
    with pytest.raises(DataError, match="padding must be between 1 and 128"):
        BatchAugmenter([AugmentOption("crop", -3)])
    with pytest.raises(DataError, match="Unknown augmentation 'blur'"):
        BatchAugmenter([AugmentOption("blur", 1.0)])
