"""Image folders from the real world: every kind of junk is either converted or skipped with the
right reason, and loading goes on."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.data import DataError, load_data
from cnnstudio.data.folder import load_folder


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width×height pixels (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + _png_chunk(b"IEND", b"")
    )


def _noise(rng: np.random.Generator, width: int = 40, height: int = 30) -> Image.Image:
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def _half(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


# What the junk folder must produce: (path relative to the folder, reason).
EXPECTED_SKIPPED = {
    ("stray.png", "not inside a class folder"),
    ("dog/readme.txt", "not an accepted image type (.txt)"),
    ("dog/anim.gif", "not an accepted image type (.gif)"),
    ("dog/no_extension", "not an accepted image type (no extension)"),
    ("dog/empty.png", "zero-byte file"),
    ("dog/notes.jpg", "not an image (text)"),
    ("dog/noise.png", "not an image (unrecognised format)"),
    ("dog/truncated.jpg", "truncated JPEG"),
    ("dog/truncated.png", "truncated PNG"),
    ("dog/bomb.png", f"image too large (more than {2 * Image.MAX_IMAGE_PIXELS:,} pixels); scale it down first"),
    ("broken/header_only.jpg", "truncated JPEG"),
    ("broken", "class folder has no usable images; class left out"),
    ("empty_class", "class folder has no usable images; class left out"),
}
CAT_FILES = [
    "UPPER.JPG",
    "cmyk.jpg",
    "gray.png",
    "nested/deep.bmp",
    "palette.png",
    "palette_transparent.png",
    "photo.jpg",
    "rgba.png",
    "sixteen.png",
]
DOG_FILES = ["a.tif", "b.tiff", "huge.jpg", "with space é 猫.webp"]


@pytest.fixture(scope="module")
def junk_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder with every case the loader must handle (see EXPECTED_SKIPPED, *_FILES)."""
    root = tmp_path_factory.mktemp("junk")
    rng = np.random.default_rng(0)
    cat, dog, broken = root / "chat é", root / "dog", root / "broken"
    for folder in (cat / "nested", dog / ".hidden_dir", broken, root / "empty_class", root / ".git"):
        folder.mkdir(parents=True)
    # Usable, in every accepted format and colour mode.
    _noise(rng).save(cat / "photo.jpg")
    _noise(rng).save(cat / "UPPER.JPG")
    Image.fromarray(rng.integers(0, 256, (30, 40), dtype=np.uint8)).save(cat / "gray.png")
    _noise(rng).convert("P").save(cat / "palette.png")
    transparent = _noise(rng).convert("P")
    transparent.info["transparency"] = 0
    transparent.save(cat / "palette_transparent.png", transparency=0)
    Image.new("RGBA", (40, 30), (255, 0, 0, 0)).save(cat / "rgba.png")
    Image.new("CMYK", (40, 30), (0, 0, 0, 0)).save(cat / "cmyk.jpg")
    Image.fromarray(np.full((30, 40), 65535, np.uint16)).save(cat / "sixteen.png")
    _noise(rng).save(cat / "nested" / "deep.bmp")
    _noise(rng).save(dog / "with space é 猫.webp")
    _noise(rng).save(dog / "a.tif")
    _noise(rng).save(dog / "b.tiff")
    Image.new("L", (10_000, 10_000), 128).save(dog / "huge.jpg", quality=50)
    # Junk.
    (dog / "truncated.jpg").write_bytes(_half(_noise(rng, 64, 64), "JPEG"))
    (dog / "truncated.png").write_bytes(_half(_noise(rng, 64, 64), "PNG"))
    (dog / "empty.png").write_bytes(b"")
    (dog / "notes.jpg").write_text("not a photo — just some café notes\n", encoding="utf-8")
    (dog / "noise.png").write_bytes(rng.bytes(300))
    (dog / "bomb.png").write_bytes(bomb_png(20_000, 20_000))
    (dog / "readme.txt").write_text("labels")
    (dog / "no_extension").write_bytes(b"x")
    _noise(rng).save(dog / "anim.gif")
    (broken / "header_only.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    _noise(rng).save(root / "stray.png")
    # Hidden: ignored entirely, never reported.
    (dog / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    _noise(rng).save(dog / ".hidden.png")
    _noise(rng).save(dog / ".hidden_dir" / "inside.png")
    _noise(rng).save(root / ".git" / "logo.png")
    return root


def _relative(root: Path, skipped) -> set[tuple[str, str]]:
    return {(Path(s.path).relative_to(root).as_posix(), s.reason) for s in skipped}


def test_junk_folder_skips_exactly_the_unusable_files(junk_folder: Path) -> None:
    split = load_data(str(junk_folder), (3, 32, 32), val_fraction=0.25)

    assert _relative(junk_folder, split.skipped) == EXPECTED_SKIPPED
    assert split.classes == ["chat é", "dog"]
    assert len(split.train) + len(split.val) == len(CAT_FILES) + len(DOG_FILES)
    labels = torch.cat([split.train.labels, split.val.labels])
    assert torch.bincount(labels).tolist() == [len(CAT_FILES), len(DOG_FILES)]
    assert split.image_shape == (3, 32, 32)
    assert split.adaptations == [
        "resized 13 images of 2 different sizes (from 30×40 to 10000×10000) → 32×32 "
        "(scaled to cover, then centre-cropped)",
        "converted 3 grayscale images → 3 channels (RGB)",
        "flattened the transparency of 2 images onto white",
        "scaled 1 16-bit image to 8 bits",
        "converted 1 CMYK image → RGB",
    ]


def test_junk_folder_to_grayscale(junk_folder: Path) -> None:
    split = load_data(str(junk_folder), (1, 16, 24))
    assert split.image_shape == (1, 16, 24)
    assert "converted 10 colour images → grayscale" in split.adaptations
    assert _relative(junk_folder, split.skipped) == EXPECTED_SKIPPED


def test_junk_folder_without_input_shape_uses_a_size_the_images_suggest(junk_folder: Path) -> None:
    # Mixed sizes, mostly 30×40: a square of the median short side.
    split = load_data(str(junk_folder))
    assert split.image_shape == (3, 30, 30)
    assert _relative(junk_folder, split.skipped) == EXPECTED_SKIPPED


def test_decoded_pixels_are_converted_as_documented(junk_folder: Path) -> None:
    loaded = load_folder(junk_folder, (3, 8, 8))
    images = loaded.train.images
    # Files are in class order, then path order (see CAT_FILES).
    by_name = dict(zip(CAT_FILES + DOG_FILES, images, strict=True))
    white = torch.full((3, 8, 8), 255, dtype=torch.uint8)
    assert torch.equal(by_name["rgba.png"], white)  # fully transparent → white
    assert torch.equal(by_name["cmyk.jpg"], white)  # CMYK (0,0,0,0) is white
    assert torch.equal(by_name["sixteen.png"], white)  # 16-bit 65535 → 255
    assert by_name["huge.jpg"].float().sub(128).abs().max() <= 2  # gray 128, JPEG-rounded


def test_uniform_folder_keeps_its_native_size_and_grayscale(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(3):
            Image.new("L", (20, 10), 40 * i).save(tmp_path / name / f"{i}.png")
    split = load_data(str(tmp_path), val_fraction=0)
    assert split.image_shape == (1, 10, 20)
    assert split.adaptations == []
    assert len(split.train) == 6 and len(split.val) == 0


def test_webcam_capture_layout_loads(tmp_path: Path) -> None:
    # The capture writes one folder per class of same-size RGB frames with timestamp names.
    rng = np.random.default_rng(5)
    for label in ("thumbs up", "thumbs down"):
        (tmp_path / label).mkdir()
        for i in range(5):
            _noise(rng, 64, 48).save(tmp_path / label / f"2026-01-01 12-00-0{i}.png")
    split = load_data(str(tmp_path), (3, 32, 32), val_fraction=0.2, seed=1)
    assert split.classes == ["thumbs down", "thumbs up"]
    assert (len(split.train), len(split.val)) == (8, 2)
    assert split.adaptations == ["resized 48×64 → 32×32 (scaled to cover, then centre-cropped)"]


def _class_dirs(root: Path, classes: dict[str, int]) -> None:
    for name, count in classes.items():
        (root / name).mkdir()
        for i in range(count):
            Image.new("RGB", (8, 8), (i, 0, 0)).save(root / name / f"{i}.png")


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (lambda root: Image.new("RGB", (8, 8)).save(root / "loose.png"), "has no sub-folders"),
        (lambda root: _class_dirs(root, {"only": 3}), r"only one class \(only\)"),
        (lambda root: _class_dirs(root, {"a": 0, "b": 0}), "No image files"),
        (
            lambda root: [(root / n).mkdir() or (root / n / "x.jpg").write_text("hi") for n in "ab"],
            "None of the image files",
        ),
    ],
    ids=["no-class-folders", "one-class", "no-images", "nothing-readable"],
)
def test_unusable_folders_raise_a_clear_error(tmp_path: Path, arrange, message: str) -> None:
    arrange(tmp_path)
    with pytest.raises(DataError, match=message) as error:
        load_data(str(tmp_path), (3, 8, 8))
    assert str(tmp_path) in str(error.value)


def test_a_file_instead_of_a_folder_raises(tmp_path: Path) -> None:
    image = tmp_path / "photo.png"
    Image.new("RGB", (8, 8)).save(image)
    with pytest.raises(DataError, match="is a file, not a folder"):
        load_data(str(image))


def test_progress_is_reported_and_can_cancel(junk_folder: Path) -> None:
    calls: list[tuple[str, float]] = []
    load_data(str(junk_folder), (3, 8, 8), progress=lambda message, fraction: calls.append((message, fraction)))
    fractions = [f for _, f in calls]
    assert calls[-1] == ("Decoding images", 1.0)
    assert fractions == sorted(fractions) and all(0 < f <= 1 for f in fractions)

    class Cancelled(Exception):
        pass

    def cancel(message: str, fraction: float) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        load_data(str(junk_folder), (3, 8, 8), progress=cancel)


def test_junk_folder_trains(junk_folder: Path, tmp_path: Path) -> None:
    from cnnstudio.engine import TrainConfig
    from cnnstudio.engine.loop import train
    from cnnstudio.graph.templates import load_template, retarget

    data = load_data(str(junk_folder), (3, 32, 32), val_fraction=0.25, seed=0)
    graph = load_template("cifar_resnet")
    retarget(graph, len(data.classes))
    events = list(train(graph, data, TrainConfig(epochs=1, batch_size=4), tmp_path))
    assert events[0].kind == "started" and events[0].classes == data.classes
    assert events[-1].kind == "finished" and events[-1].reason == "completed"
    assert _relative(junk_folder, data.skipped) == EXPECTED_SKIPPED
