"""The one image pipeline: any picture → the input a network was evaluated with, the same way everywhere."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.data import load_data
from cnnstudio.data.decode import decode_files, decode_image
from cnnstudio.data.pipeline import ImageError, Preprocessing, decode, decode_pixels, display_image
from tests.data.helpers import write_large_png, write_phone_photo

IMAGENET = Preprocessing((3, 224, 224), (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), crop_fraction=224 / 256)


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A 96×128 RGB picture with structure everywhere (a gradient, a disc, noise), so any shift shows."""
    rng = np.random.default_rng(3)
    ys, xs = np.mgrid[0:96, 0:128]
    picture = np.stack([xs * 2, ys * 2, (xs + ys) % 256], axis=2).astype(np.int32)
    picture[(ys - 40) ** 2 + (xs - 70) ** 2 < 400] = (250, 30, 60)
    return np.clip(picture + rng.integers(-20, 21, picture.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_phone_photo_gives_the_tensor_of_the_same_pixels_stored_upright(tmp_path, photo, orientation):
    jpeg, png = write_phone_photo(tmp_path, photo, orientation)
    with Image.open(jpeg) as stored:
        assert stored.size == ((96, 128) if orientation in (6, 8) else (128, 96))  # really stored sideways
    for preprocessing in (IMAGENET, IMAGENET.with_fit("stretch"), Preprocessing((1, 28, 28), (0.13,), (0.31,))):
        assert torch.equal(preprocessing.tensor(jpeg), preprocessing.tensor(png))
    assert np.array_equal(decode_pixels(jpeg), decode_pixels(png)) and decode_pixels(jpeg).shape == (96, 128, 3)


def test_resize_256_crop_224_takes_the_centre_as_torchvision_rounds_it():
    # A 640×480 frame: its short side scaled to 256 gives 341×256 (torchvision truncates the long side),
    # the centre 224×224 of which starts at column round(58.5) = 58 and row 16: the region
    # 108.9…529.3 × 30…450 of the frame.
    assert IMAGENET.resize == 256 and IMAGENET.crop == (224, 224)
    assert IMAGENET.source_box(480, 640) == (109, 30, 529, 450)
    assert IMAGENET.with_fit("stretch").source_box(480, 640) == (0, 0, 640, 480)


def test_crop_fraction_one_is_the_data_layers_cover_and_crop():
    fit = Preprocessing((3, 100, 300), (0.5,), (0.5,))
    left, top, right, bottom = fit.source_box(480, 640)
    assert right - left == 640 and abs((bottom - top) - 640 / 3) < 1  # the widest 3:1 strip of the frame
    assert fit.pixels(np.zeros((480, 640, 3), np.uint8)).shape == (100, 300, 3)


def test_crop_keeps_the_centre_and_stretch_keeps_everything(tmp_path):
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    picture[:, :10] = 255  # a white band on the left quarter
    path = tmp_path / "band.png"
    Image.fromarray(picture).save(path)
    cropped = Preprocessing((3, 20, 20), (0.0,), (1.0,))
    assert float(cropped.tensor(path).max()) == 0.0  # the default: the centre square has no band
    assert float(cropped.with_fit("stretch").tensor(path)[0, 0, 10, 0]) == pytest.approx(1.0)  # still visible


def test_a_trained_run_s_pipeline_sees_a_file_as_its_training_data_did(tmp_path, photo):
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        Image.fromarray(photo if name == "cat" else photo[::-1]).save(tmp_path / name / "a.png")
    split = load_data(str(tmp_path), input_shape=(3, 40, 40), val_fraction=0.0)
    run = Preprocessing((3, 40, 40), split.mean, split.std)  # what cnnstudio.pretrained.from_runs builds
    index = split.train.classes.index("cat")
    row = int(torch.nonzero(split.train.labels == index)[0])
    assert np.array_equal(
        run.image_pixels(tmp_path / "cat" / "a.png"), split.train.images[row].permute(1, 2, 0).numpy()
    )


def _file(tmp_path: Path, name: str, image: Image.Image) -> Path:
    path = tmp_path / name
    image.save(path)
    return path


@pytest.mark.parametrize("kind", ["16-bit", "cmyk", "palette", "rgba", "gray+alpha", "exif"])
def test_every_mode_decodes_the_same_for_training_and_for_inspection(tmp_path, photo, kind):
    if kind == "16-bit":
        levels = (photo[:, :, 0].astype(np.uint16) * 257 + np.arange(128, dtype=np.uint16)).astype(np.uint16)
        path = _file(tmp_path, "depth.png", Image.fromarray(levels))
    elif kind == "cmyk":
        path = _file(tmp_path, "print.tif", Image.fromarray(photo).convert("CMYK"))
    elif kind == "palette":
        path = _file(tmp_path, "gif.png", Image.fromarray(photo).convert("P", palette=Image.Palette.ADAPTIVE))
    elif kind == "rgba":
        alpha = np.tile(np.linspace(0, 255, 128, dtype=np.uint8), (96, 1))
        path = _file(tmp_path, "logo.png", Image.fromarray(np.dstack([photo, alpha])))
    elif kind == "gray+alpha":
        path = _file(tmp_path, "la.png", Image.fromarray(photo[:, :, :2].copy(), "LA"))
    else:
        path = write_phone_photo(tmp_path, photo, 6)[0]
    # Sizes that bulk decoding's shortcuts (JPEG draft at ≤ 1/2, box reduction at ≤ 1/3) leave alone.
    for shape in ((3, 64, 64), (1, 56, 72)):
        training, _ = decode_image(path, shape)
        assert np.array_equal(Preprocessing(shape, (0.5,), (0.5,)).image_pixels(path), training), shape


def test_arrays_decode_as_files_do(tmp_path, photo):
    rgba = np.dstack([photo, np.full(photo.shape[:2], 128, np.uint8)])
    png = _file(tmp_path, "half.png", Image.fromarray(rgba))
    assert np.array_equal(decode_pixels(rgba), decode_pixels(png))  # transparency onto white, both ways
    assert np.array_equal(decode_pixels(photo.astype(np.float32) / 255), photo)  # floats in [0, 1]
    sixteen = photo[:, :, 0].astype(np.uint16) * 257
    assert np.array_equal(decode_pixels(sixteen), photo[:, :, 0])
    assert decode_pixels(np.eye(4, dtype=bool)).tolist()[0] == [255, 0, 0, 0]
    assert (
        decode(photo[:, :, :1]).mode == "L" and decode(photo, 1).mode == "L" and decode(photo[:, :, 0], 3).mode == "RGB"
    )


def test_colour_photo_for_a_grayscale_model_and_back():
    photo = np.zeros((40, 60, 3), dtype=np.uint8)
    photo[:, :30] = 255
    gray = Preprocessing((1, 28, 28), (0.5,), (0.5,), fit="stretch")
    x = gray.tensor(photo)
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert float(x.max()) == pytest.approx(1.0) and float(x.min()) == pytest.approx(-1.0)
    shown = display_image(x, gray)
    assert shown.shape == (28, 28, 3) and shown[0, 0].tolist() == [255, 255, 255] and shown[0, -1].tolist() == [0, 0, 0]


def test_uint8_and_float_pixels_normalize_alike_and_back():
    prep = Preprocessing((3, 2, 2), (0.25, 0.5, 0.75), (0.5, 0.5, 0.25))
    white = torch.full((1, 3, 2, 2), 255, dtype=torch.uint8)
    x = prep.normalize(white)
    assert torch.allclose(x[0, :, 0, 0], torch.tensor([1.5, 1.0, 1.0]))
    torch.testing.assert_close(prep.normalize(white.float() / 255), x)
    torch.testing.assert_close(prep.denormalize(x), torch.ones(1, 3, 2, 2))
    drawn = torch.rand(1, 3, 2, 2, requires_grad=True)
    prep.normalize(drawn).sum().backward()  # float pixels keep their gradient (maximization, adversaria)
    assert drawn.grad is not None


def test_unreadable_pictures_say_which_and_why(tmp_path):
    (tmp_path / "notes.jpg").write_text("not a picture")
    with pytest.raises(ImageError, match=r"cannot read the image .*notes.jpg.*: not an image \(text\)"):
        IMAGENET.tensor(tmp_path / "notes.jpg")
    with pytest.raises(ImageError, match="no such file"):
        IMAGENET.tensor(tmp_path / "missing.png")
    with pytest.raises(ImageError, match="a folder"):
        decode(tmp_path)
    with pytest.raises(ImageError, match=r"shape \(4, 4, 5\)"):
        decode(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ImageError, match="expected a uint8 frame"):
        IMAGENET.pixels(np.zeros((4, 4, 3), np.float32))


def test_a_photo_frame_becomes_nearly_what_torchvision_would_give_the_network(photos):
    torchvision = pytest.importorskip("torchvision")
    frame = photos["cat"]
    ours = IMAGENET.frame_tensor(frame)
    rgb = Image.fromarray(frame[:, :, ::-1].copy())
    theirs = torchvision.models.ResNet18_Weights.DEFAULT.transforms()(rgb).unsqueeze(0)
    assert ours.shape == theirs.shape == (1, 3, 224, 224)
    # Same geometry and normalization; frames take OpenCV's area filter instead of PIL's bilinear one.
    difference = ours - theirs
    assert abs(difference.mean()) < 0.01 and difference.abs().mean() < 0.05
    assert torch.corrcoef(torch.stack([ours.flatten(), theirs.flatten()]))[0, 1] > 0.99
    torch.testing.assert_close(IMAGENET.tensor(rgb), theirs, rtol=0, atol=1e-6)  # the file/PIL road is torchvision's


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
        {"input_shape": (3, 8), "mean": (0.0,), "std": (1.0,)},
        {"input_shape": (3, 8, 8), "mean": (0.0, 0.0), "std": (1.0,)},
        {"input_shape": (3, 8, 8), "mean": (0.0,), "std": (0.0,)},
        {"input_shape": (3, 8, 8), "mean": (0.0,), "std": (1.0,), "crop_fraction": 0.0},
        {"input_shape": (3, 8, 8), "mean": (0.0,), "std": (1.0,), "fit": "squash"},
        {"input_shape": (3, 8, 8), "mean": (0.0,), "std": (1.0,), "interpolation": "cubic"},
    ],
)
def test_impossible_preprocessing_is_refused(kwargs):
    with pytest.raises(ValueError):
        Preprocessing(**kwargs)


def test_the_pipeline_and_its_users_import_neither_opencv_nor_torchvision():
    code = (
        "import sys\n"
        "import cnnstudio.data, cnnstudio.data.pipeline, cnnstudio.data.drawing\n"
        "import cnnstudio.pretrained.classifier, cnnstudio.pretrained.designs, cnnstudio.camera.pipeline\n"
        "print(sorted({'cv2', 'torchvision'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("width, height", [(13_000, 13_000), (30_000, 30_000)])
def test_an_image_above_the_pixel_limit_is_refused_before_decoding(tmp_path, width, height):
    path = write_large_png(tmp_path / "huge.png", width, height)
    preprocessing = Preprocessing((3, 224, 224), (0.5,) * 3, (0.5,) * 3)
    started = time.perf_counter()
    with pytest.raises(ImageError, match=r"image too large.*scale it down first") as refused:
        preprocessing.image_pixels(path)
    skipped = decode_files([path], (3, 32, 32))[3]
    assert len(skipped) == 1 and skipped[0].reason.startswith("image too large")
    # Decoding 13,000×13,000 whole took 1.5 s and 170 MB (30,000×30,000 of RGB: 18.8 s and 6 GB).
    assert time.perf_counter() - started < 0.5
    assert "huge.png" in str(refused.value)


def test_a_jpeg_above_the_pixel_limit_is_decoded_at_reduced_scale(tmp_path, monkeypatch):
    monkeypatch.setattr("cnnstudio.data.decode.MAX_PIXELS", 1_000_000)
    path = tmp_path / "big.jpg"
    Image.new("RGB", (2400, 1600), (200, 30, 30)).save(path)
    image = decode(path)
    assert image.size == (1200, 800)  # libjpeg decodes at 1/2 scale: the least reduction within the limit
    assert image.getpixel((600, 400))[0] > 150
    assert Preprocessing((3, 32, 32), (0.5,) * 3, (0.5,) * 3).image_pixels(path).shape == (32, 32, 3)
