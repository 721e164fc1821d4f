"""Decoding single image files: conversions are exact, failures become reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnstudio.data.decode import Unreadable, decode_image, read_header


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    # Stored 40 wide × 20 tall with the left half white; orientation 6 means "rotate 90° clockwise
    # to display", so upright the photo is 20 wide × 40 tall with the top half white.
    stored = np.zeros((20, 40), np.uint8)
    stored[:, :20] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    Image.fromarray(stored).save(path, exif=exif, quality=95)

    header = read_header(path)
    assert (header.height, header.width, header.grayscale) == (40, 20, True)
    pixels, info = decode_image(path, (1, 40, 20))
    assert info.source_size == (40, 20) and info.conversions == {"exif"}
    assert pixels[:18].min() > 240 and pixels[22:].max() < 15


def test_sixteen_bit_gray_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.array([[0, 257, 32896, 65535]], np.uint16)
    path = tmp_path / "depth.png"
    Image.fromarray(values).save(path)
    pixels, info = decode_image(path, (1, 1, 4))
    assert pixels[0, :, 0].tolist() == [0, 1, 128, 255]
    assert info.conversions == {"16bit"}


def test_palette_colours_are_kept(tmp_path: Path) -> None:
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0], rgb[0, 1], rgb[1, 0], rgb[1, 1] = (255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30)
    path = tmp_path / "palette.png"
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(path)
    pixels, info = decode_image(path, (3, 2, 2))
    assert np.array_equal(pixels, rgb)
    assert info.conversions == frozenset()


def test_gray_with_alpha_flattens_onto_white(tmp_path: Path) -> None:
    image = Image.new("LA", (2, 1))
    image.putpixel((0, 0), (0, 0))  # black, fully transparent → white
    image.putpixel((1, 0), (0, 255))  # black, opaque → black
    path = tmp_path / "la.png"
    image.save(path)
    pixels, info = decode_image(path, (1, 1, 2))
    assert pixels[0, :, 0].tolist() == [255, 0]
    assert info.conversions == {"alpha"}


def test_colour_to_gray_uses_luma(tmp_path: Path) -> None:
    path = tmp_path / "red.png"
    Image.new("RGB", (4, 4), (255, 0, 0)).save(path)
    pixels, info = decode_image(path, (1, 4, 4))
    assert (pixels == 76).all()  # 0.299 · 255
    assert info.conversions == {"rgb_to_gray"}


def test_cover_crop_keeps_the_centre(tmp_path: Path) -> None:
    # 30 wide × 10 tall: a black 10×10 centre between white sides. Fitted to 10×10 the sides are
    # cropped away.
    array = np.full((10, 30), 255, np.uint8)
    array[:, 10:20] = 0
    path = tmp_path / "wide.png"
    Image.fromarray(array).save(path)
    pixels, info = decode_image(path, (1, 10, 10))
    assert pixels.max() == 0
    assert info.source_size == (10, 30)


def test_float_tiff_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "float.tif"
    Image.fromarray(np.ones((4, 4), np.float32)).save(path)
    with pytest.raises(Unreadable, match="unsupported pixel format"):
        decode_image(path, (1, 4, 4))


def test_text_cut_in_a_multibyte_character_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    data = ("a" + "é" * 600).encode("utf-8")
    with pytest.raises(UnicodeDecodeError):  # the first 512 bytes end inside a 2-byte "é"
        data[:512].decode("utf-8")
    path.write_bytes(data)
    with pytest.raises(Unreadable, match=r"not an image \(text\)"):
        decode_image(path, (1, 4, 4))


def test_a_file_that_disappeared_gets_a_reason(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match="disappeared"):
        decode_image(tmp_path / "gone.png", (1, 4, 4))
