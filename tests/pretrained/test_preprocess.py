"""A classifier's preprocessing: torchvision's geometry and normalization, on camera frames."""

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from cnnstudio.pretrained import Preprocessing, read_image

IMAGENET = Preprocessing((3, 224, 224), (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), crop_fraction=224 / 256)


def test_resize_256_crop_224_takes_the_centre_like_torchvision():
    # A 640×480 frame: its short side 480 scaled to 256, then 224 cropped = the centre 420×420 of the frame.
    assert IMAGENET.resize == 256 and IMAGENET.crop == (224, 224)
    assert IMAGENET.source_box(480, 640) == (110, 30, 530, 450)


def test_crop_fraction_one_is_the_data_layers_cover_and_crop():
    fit = Preprocessing((3, 100, 300), (0.5,), (0.5,))
    left, top, right, bottom = fit.source_box(480, 640)
    assert right - left == 640 and abs((bottom - top) - 640 / 3) < 1  # the widest 3:1 strip of the frame
    assert fit.pixels(np.zeros((480, 640, 3), np.uint8)).shape == (100, 300, 3)


def test_a_photo_becomes_what_torchvision_would_give_the_network(photos):
    frame = photos["cat"]
    ours = IMAGENET.frame_tensor(frame)
    rgb = Image.fromarray(frame[:, :, ::-1].copy())
    theirs = torchvision.models.ResNet18_Weights.DEFAULT.transforms()(rgb).unsqueeze(0)
    assert ours.shape == theirs.shape == (1, 3, 224, 224)
    # Same crop and normalization: no bias, near-identical pixels. What differs is the resampling
    # filter (area vs. antialiased bilinear) and torchvision's rounding of the resized size (< 1 px).
    difference = ours - theirs
    assert abs(difference.mean()) < 0.01
    assert difference.abs().mean() < 0.08
    assert torch.corrcoef(torch.stack([ours.flatten(), theirs.flatten()]))[0, 1] > 0.98


def test_pixels_are_normalized_per_channel():
    prep = Preprocessing((3, 2, 2), (0.25, 0.5, 0.75), (0.5, 0.5, 0.25))
    white = torch.full((1, 3, 2, 2), 255, dtype=torch.uint8)
    x = prep.normalize(white)
    assert torch.allclose(x[0, :, 0, 0], torch.tensor([1.5, 1.0, 1.0]))


def test_colour_is_converted_for_grayscale_networks_and_bgra_frames():
    gray = Preprocessing((1, 8, 8), (0.0,), (1.0,))
    blue = np.zeros((16, 16, 3), np.uint8)
    blue[:, :, 0] = 255  # BGR: pure blue
    assert gray.pixels(blue).shape == (8, 8)
    assert int(gray.pixels(blue)[0, 0]) == round(0.114 * 255)  # ITU-R 601 luma, as the data layer uses
    rgb = Preprocessing((3, 8, 8), (0.0,), (1.0,))
    bgra = np.dstack([blue, np.full((16, 16), 255, np.uint8)])
    assert tuple(rgb.pixels(bgra)[0, 0]) == (0, 0, 255)  # RGB order for the network


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_shape": (2, 8, 8), "mean": (0.0,), "std": (1.0,)},
        {"input_shape": (3, 8, 8), "mean": (0.0, 0.0), "std": (1.0,)},
        {"input_shape": (3, 8, 8), "mean": (0.0,), "std": (0.0,)},
        {"input_shape": (3, 8, 8), "mean": (0.0,), "std": (1.0,), "crop_fraction": 0.0},
    ],
)
def test_impossible_preprocessing_is_refused(kwargs):
    with pytest.raises(ValueError):
        Preprocessing(**kwargs)


def test_read_image_reads_files_and_explains_failures(tmp_path, photos):
    path = tmp_path / "cat.png"
    Image.fromarray(photos["cat"][:, :, ::-1]).save(path)
    assert np.array_equal(read_image(str(path)), photos["cat"])
    (tmp_path / "notes.jpg").write_text("not a picture")
    with pytest.raises(ValueError, match="not an image"):
        read_image(str(tmp_path / "notes.jpg"))
    with pytest.raises(ValueError, match="cannot be read"):
        read_image(str(tmp_path / "missing.jpg"))
