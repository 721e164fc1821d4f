"""Decoding image files from the real world into uint8 arrays at a network's input size.

Every file is either decoded or turned into a plain-language reason for skipping it; one bad
file never stops a dataset from loading. Policy (see fit.py): scale to cover the target, crop the
centre, convert to 1 or 3 channels. Transparency is flattened onto white, 16-bit images are
scaled to 8 bits, CMYK becomes RGB and EXIF orientation is applied, so photos stand upright.

Large JPEGs are decoded at reduced scale directly by libjpeg (`Image.draft`): a 10,000×10,000
photo fitted to 224×224 decodes about five times faster and never holds its 300 MB of full-size
pixels. Other formats are reduced by box filtering before the final resampling (`reducing_gap`).

No image is decoded at more than MAX_PIXELS: a JPEG above it is reduced while decoding, any other
image above it (a PNG cannot be decoded at reduced scale) is refused from its header, before any pixel
is decoded, so a 100 KB PNG of 30,000×30,000 pixels costs milliseconds, not gigabytes. Pillow's own
decompression-bomb check refuses images above twice `Image.MAX_IMAGE_PIXELS` (179 megapixels) as they
are opened; its warning below that is silenced (`quiet_bomb_warning`): this limit replaces it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnstudio.data.dataset import SkippedFile
from cnnstudio.data.fit import fit_picture, resize_note
from cnnstudio.progress import Progress

ACCEPTED_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})

_ORIENTATION_TAG = 0x0112
_GRAY_MODES = frozenset({"1", "L", "LA", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})
# Images with more pixels than this (after JPEG draft reduction) are decoded one at a time, so
# a folder of huge PNGs cannot hold a gigabyte per worker thread at once.
_HUGE_PIXELS = 16_000_000
_huge_decode = threading.Semaphore(1)
# The most pixels any image is decoded at: 8000×8000, 192 MB as RGB (see the module's docstring).
MAX_PIXELS = 64_000_000

# What decoding may change, keyed for counting, with the note shown to the user.
_CONVERSION_NOTES = {
    "gray_to_rgb": "converted {n} grayscale image{s} → 3 channels (RGB)",
    "rgb_to_gray": "converted {n} colour image{s} → grayscale",
    "alpha": "flattened the transparency of {n} image{s} onto white",
    "16bit": "scaled {n} 16-bit image{s} to 8 bits",
    "cmyk": "converted {n} CMYK image{s} → RGB",
    "exif": "rotated {n} photo{s} upright (EXIF orientation)",
}


class Unreadable(Exception):
    """A file that cannot be used; the message is the reason shown to the user."""


@dataclass(frozen=True)
class ImageHeader:
    """What the file's header says: upright (height, width) and whether it is grayscale."""

    height: int
    width: int
    grayscale: bool


@dataclass(frozen=True)
class DecodedInfo:
    """How one decoded image was changed: its upright source size and the conversions applied."""

    source_size: tuple[int, int]
    conversions: frozenset[str]


def _check_not_empty(path: Path) -> None:
    if path.stat().st_size == 0:
        raise Unreadable("zero-byte file")


def _not_an_image_reason(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(512)
    # UTF-8 text without NUL bytes; a multi-byte character may be cut at byte 512.
    is_text = b"\0" not in head and any(_is_utf8(head[: len(head) - cut]) for cut in range(4))
    return "not an image (text)" if is_text else "not an image (unrecognised format)"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@contextmanager
def open_image(path: Path) -> Iterator[Image.Image]:
    """Open an image, turning every way it can fail (inside the block too) into Unreadable with a reason."""
    fmt = _format_name(path)
    try:
        _check_not_empty(path)
        with Image.open(path) as image:
            fmt = image.format or fmt  # the real format, for messages about errors while decoding
            yield image
    except Unreadable:
        raise
    except PermissionError:
        raise Unreadable("no permission to read the file") from None
    except FileNotFoundError:
        raise Unreadable("the file disappeared while loading") from None
    except UnidentifiedImageError:
        raise Unreadable(_not_an_image_reason(path)) from None
    except Image.DecompressionBombError:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise Unreadable(f"image too large (more than {limit:,} pixels); scale it down first") from None
    except (OSError, EOFError, SyntaxError) as error:
        if isinstance(error, EOFError) or "truncated" in str(error).lower():
            raise Unreadable(f"truncated {fmt}") from None
        raise Unreadable(f"damaged {fmt} ({error})") from None
    except Exception as error:  # Pillow raises many exception types on malformed files
        raise Unreadable(f"could not decode {fmt} ({type(error).__name__}: {error})") from None


def _format_name(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"jpg": "JPEG", "jpeg": "JPEG", "tif": "TIFF", "tiff": "TIFF"}.get(suffix, suffix.upper())


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:  # a damaged EXIF block must not lose an otherwise good image
        return 1


def _upright_size(image: Image.Image, orientation: int) -> tuple[int, int]:
    """(height, width) as displayed: orientations 5-8 swap the axes."""
    width, height = image.size
    return (width, height) if orientation in (5, 6, 7, 8) else (height, width)


def read_header(path: Path) -> ImageHeader:
    """Size and colour of an image from its header, without decoding pixels."""
    with open_image(path) as image:
        height, width = reduce_or_refuse(image)
        return ImageHeader(height, width, image.mode in _GRAY_MODES)


@contextmanager
def quiet_bomb_warning() -> Iterator[None]:
    """Without Pillow's DecompressionBombWarning for images above MAX_IMAGE_PIXELS: reduce_or_refuse
    decodes them at reduced scale or refuses them. (Warning filters are global: this is entered by the
    thread that starts the decoding, for all of its workers.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def reduce_or_refuse(image: Image.Image, fit: tuple[int, int] | None = None) -> tuple[int, int]:
    """Before decoding an opened image: refuse it (Unreadable) if it would have more than MAX_PIXELS, and
    set a JPEG to decode at reduced scale (to about what covers `fit` (height, width), or within
    MAX_PIXELS). Returns its upright (height, width) as the header states it.

    Runs before anything that may decode the pixels: Pillow reads a PNG's EXIF orientation by decoding it.
    """
    width, height = image.size
    if image.format != "JPEG" and width * height > MAX_PIXELS:
        raise Unreadable(
            f"image too large: {width:,}×{height:,} pixels is more than the {MAX_PIXELS // 1_000_000} "
            "megapixels CNN Studio decodes; scale it down first"
        )
    upright = _upright_size(image, _orientation(image))
    if image.format == "JPEG":
        if fit is not None:
            scale = max(fit[0] / upright[0], fit[1] / upright[1])
        else:
            # draft picks the largest reduction (1/2, 1/4, 1/8) that keeps at least the requested size, so
            # asking for half the size that fits leaves fewer than MAX_PIXELS.
            scale = min(1.0, (MAX_PIXELS / (width * height)) ** 0.5 / 2)
        if scale < 1:
            image.draft(None, (max(1, int(width * scale)), max(1, int(height * scale))))
        if image.size[0] * image.size[1] > MAX_PIXELS:
            raise Unreadable(
                f"image too large: {width:,}×{height:,} pixels is more than CNN Studio decodes even at 1/8 "
                f"scale ({MAX_PIXELS // 1_000_000} megapixels); scale it down first"
            )
    return upright


def scale_16bit(values: np.ndarray) -> np.ndarray:
    """16-bit levels (0-65535) → uint8 (0-255), rounded to nearest."""
    wide = np.asarray(values).clip(0, 65535).astype(np.uint32)
    return ((wide * 255 + 32767) // 65535).astype(np.uint8)


def _to_8bit(image: Image.Image, conversions: set[str]) -> Image.Image:
    """Any Pillow mode → "L" or "RGB", recording lossy conversions."""
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode in _SIXTEEN_BIT_MODES:
        conversions.add("16bit")
        return Image.fromarray(scale_16bit(np.asarray(image)), "L")
    if mode == "F":
        raise Unreadable("unsupported pixel format (32-bit floating point)")
    if mode == "1":
        return image.convert("L")
    if mode == "CMYK":
        conversions.add("cmyk")
        return image.convert("RGB")
    has_alpha = mode in ("RGBA", "RGBa", "LA", "La", "PA") or (mode == "P" and "transparency" in image.info)
    if has_alpha:
        conversions.add("alpha")
        gray = mode in ("LA", "La")
        rgba = image.convert("LA" if gray else "RGBA")
        flat = Image.new("L" if gray else "RGB", image.size, 255 if gray else (255, 255, 255))
        flat.paste(rgba.convert("L" if gray else "RGB"), mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def upright_8bit(image: Image.Image, channels: int | None, conversions: set[str]) -> Image.Image:
    """Loaded pixels of any mode → upright "L" or "RGB": EXIF orientation applied, 16-bit scaled, CMYK and
    palettes converted, transparency flattened onto white; then 1 or 3 `channels` (None: as stored).

    Training data and single images (the image pipeline) are decoded by this one function. Records
    what it changed in `conversions`; raises Unreadable for pixels it cannot use.
    """
    if _orientation(image) != 1:
        image = ImageOps.exif_transpose(image)
        conversions.add("exif")
    image = _to_8bit(image, conversions)
    if channels == 1 and image.mode == "RGB":
        image = image.convert("L")
        conversions.add("rgb_to_gray")
    elif channels == 3 and image.mode == "L":
        image = image.convert("RGB")
        conversions.add("gray_to_rgb")
    return image


def decode_image(path: Path, shape: tuple[int, int, int]) -> tuple[np.ndarray, DecodedInfo]:
    """Decode `path` to a uint8 array [H, W, C] for shape (C, H, W); raises Unreadable.

    Fitted like every image (fit.fit_picture), with two shortcuts that only bulk decoding takes:
    JPEGs are decoded at reduced scale (`draft`) and large images are box-reduced first (`reducing_gap`).
    """
    channels, height, width = shape
    with open_image(path) as image:
        src_h, src_w = reduce_or_refuse(image, (height, width))
        huge = image.size[0] * image.size[1] > _HUGE_PIXELS
        with _huge_decode if huge else contextlib.nullcontext():
            conversions: set[str] = set()
            image.load()
            # After draft() the image may be smaller than its header said; fitting works in its own pixels.
            fitted = fit_picture(upright_8bit(image, channels, conversions), height, width, reducing_gap=3.0)
            pixels = np.array(fitted, dtype=np.uint8)  # a writable copy of the small fitted image
    return pixels.reshape(height, width, channels), DecodedInfo((src_h, src_w), frozenset(conversions))


def describe_decoding(infos: Sequence[DecodedInfo], shape: tuple[int, int, int]) -> list[str]:
    """Plain-language notes for what decoding changed across a dataset's images."""
    _, height, width = shape
    notes = []
    resized = [info.source_size for info in infos if info.source_size != (height, width)]
    if resized:
        notes.append(resize_note(len(resized), set(resized), height, width))
    counts = Counter(key for info in infos for key in info.conversions)
    for key, template in _CONVERSION_NOTES.items():
        if counts[key]:
            notes.append(template.format(n=counts[key], s="" if counts[key] == 1 else "s"))
    return notes


T = TypeVar("T")


def map_files(
    work: Callable[[int, Path], T],
    paths: Sequence[Path],
    progress: Progress | None,
    message: str,
) -> list[T | Unreadable]:
    """Run `work(index, path)` for every path in a thread pool; each result is its value or the
    Unreadable it raised.

    Pillow releases the GIL while decoding, so threads use all cores. `progress` is called from
    the calling thread only; if it raises (for instance to cancel), pending work is cancelled and
    the exception propagates.
    """
    results: list[T | Unreadable | None] = [None] * len(paths)

    def guarded(index: int, path: Path) -> T | Unreadable:
        try:
            return work(index, path)
        except Unreadable as reason:
            return reason

    pool = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="cnnstudio-decode")
    try:
        with quiet_bomb_warning():
            futures = {pool.submit(guarded, i, path): i for i, path in enumerate(paths)}
            step = max(1, len(paths) // 100)
            for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None and (done % step == 0 or done == len(paths)):
                    progress(message, done / len(paths))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results  # type: ignore[return-value]  # every slot is filled once the loop completes


def decode_files(
    paths: Sequence[Path],
    shape: tuple[int, int, int],
    progress: Progress | None = None,
    message: str = "Decoding images",
) -> tuple[torch.Tensor, list[int], list[DecodedInfo], list[SkippedFile]]:
    """Decode many files in parallel into one uint8 tensor [N, C, H, W].

    Returns the images that decoded, the indices (into paths) they came from, how each was
    changed, and the files skipped with their reasons.
    """
    channels, height, width = shape
    out = torch.empty((len(paths), channels, height, width), dtype=torch.uint8)

    def work(index: int, path: Path) -> DecodedInfo:
        pixels, info = decode_image(path, shape)
        # Each worker fills its own row, so nothing is stacked (or held twice) at the end.
        out[index].copy_(torch.from_numpy(pixels).permute(2, 0, 1))
        return info

    results = map_files(work, paths, progress, message)
    kept = [i for i, result in enumerate(results) if isinstance(result, DecodedInfo)]
    skipped = [SkippedFile(str(paths[i]), str(r)) for i, r in enumerate(results) if isinstance(r, Unreadable)]
    if len(kept) < len(paths):
        # Close the gaps in place rather than gathering into a second, full-size tensor.
        for row, index in enumerate(kept):
            if row != index:
                out[row] = out[index]
        out = out[: len(kept)]
    infos = [results[i] for i in kept]
    return out, kept, infos, skipped  # type: ignore[return-value]
