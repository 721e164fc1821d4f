"""Quick Draw doodles: a folder of numpy_bitmap files is a data set, and a doodle drawn on the pad is prepared
to look like the data set's bitmaps."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cnnstudio.data import DataError, load_data
from cnnstudio.data.drawing import MNIST_STYLE, QUICKDRAW_STYLE, digit_style_for, drawing_pixels
from cnnstudio.data.quickdraw import class_name, load_quickdraw
from tests.data.quickdraw_files import write_quickdraw_folder


@pytest.fixture(scope="module")
def doodles(tmp_path_factory):
    return write_quickdraw_folder(tmp_path_factory.mktemp("quickdraw") / "doodles", per_class=60)


def test_a_folder_of_bitmap_files_is_a_data_set(doodles):
    split = load_data(str(doodles), (1, 28, 28), val_fraction=0.25)
    assert split.classes == ["circle", "line"] and split.image_shape == (1, 28, 28)
    assert len(split.train) == 90 and len(split.val) == 30
    circles = np.load(doodles / "circle.npy")
    index = split.train.sources.index("circle.npy#3")
    assert np.array_equal(split.train.images[index, 0].numpy().reshape(784), circles[3])
    assert split.adaptations == []  # nothing was capped or resized


def test_the_drawings_per_class_are_capped(doodles):
    split = load_data(f"{doodles}?per_class=20", (1, 32, 32), val_fraction=0.5)
    assert len(split.train) + len(split.val) == 40 and split.image_shape == (1, 32, 32)
    assert any("first 20 drawings of each class (files hold up to 60)" in note for note in split.adaptations)
    with pytest.raises(DataError, match="per_class must be a whole number above 0"):
        load_data(f"{doodles}?per_class=none")


def test_files_that_are_not_bitmaps_are_skipped(doodles, tmp_path):
    for name in ("circle", "line"):
        (tmp_path / f"full_numpy_bitmap_{name}.npy").write_bytes((doodles / f"{name}.npy").read_bytes())
    np.save(tmp_path / "floats.npy", np.zeros((3, 784), dtype=np.float32))
    (tmp_path / "junk.npy").write_text("not numpy")
    loaded = load_quickdraw(tmp_path, per_class=5)
    assert loaded.train.classes == ["circle", "line"] and len(loaded.train) == 10
    reasons = {item.path.rpartition("/")[2]: item.reason for item in loaded.skipped}
    assert "not Quick Draw's (N, 784) uint8 bitmaps" in reasons["floats.npy"]
    assert "not a NumPy array file" in reasons["junk.npy"]
    (tmp_path / "full_numpy_bitmap_line.npy").unlink()
    with pytest.raises(DataError, match="for 1 class"):
        load_quickdraw(tmp_path)
    assert class_name(tmp_path / "full_numpy_bitmap_cat.npy") == "cat"


def _ink_box(pixels: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero((pixels > 25).any(axis=1)), np.flatnonzero((pixels > 25).any(axis=0))
    return rows[0], rows[-1], cols[0], cols[-1]


def test_a_doodle_on_the_pad_is_prepared_like_the_bitmaps(doodles):
    assert digit_style_for((1, 28, 28), str(doodles)) is QUICKDRAW_STYLE
    assert digit_style_for((1, 28, 28), "digits") is MNIST_STYLE
    canvas = Image.new("L", (280, 280), 0)  # a small circle in a corner, drawn with the pad's default pen
    ImageDraw.Draw(canvas).ellipse((150, 160, 260, 260), outline=255, width=22)
    pixels = drawing_pixels(np.asarray(canvas), QUICKDRAW_STYLE)
    top, bottom, left, right = _ink_box(pixels)
    assert max(bottom - top, right - left) + 1 in (25, 26)  # fills the box as a bitmap's doodle does
    assert (top + bottom) / 2 == pytest.approx(13.5, abs=1) and (left + right) / 2 == pytest.approx(13.5, abs=1)
    circles = np.load(doodles / "circle.npy")[:20].reshape(-1, 28, 28) / 255
    ours = pixels / 255
    assert ours.mean() == pytest.approx(circles.mean(), rel=0.35)
    assert (ours > 0.5).mean() == pytest.approx((circles > 0.5).mean(), rel=0.35)
