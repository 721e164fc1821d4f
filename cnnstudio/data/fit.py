"""Fitting images to a network's input: one geometry and one colour policy for every source.

Geometry: scale the image so it covers the target height×width (divided by a crop fraction, 1 for
training data), then crop the centre (no distortion, nothing letterboxed). The sizes are rounded
exactly as torchvision's `Resize(int)` + `CenterCrop` round them (`cover_size`, `centre_crop_box`),
so the same numbers describe a trained run's images and a pretrained network's evaluation
transform. Colour: RGB → grayscale uses the ITU-R 601 luma weights (as PIL's "L" mode does);
grayscale → RGB repeats the channel. Image folders apply the policy while decoding (decode.py),
`fit_images` applies it to tensors, and the image pipeline (pipeline.py) to single images and
camera frames, so live images are prepared exactly like the training images.

Sizes in messages are written height×width, the order of the network's input shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from PIL import Image

from cnnstudio.data.errors import DataError

LUMA_WEIGHTS = (0.299, 0.587, 0.114)

# Upper bound on float elements processed at once, so fitting 60,000 images never holds them all
# as float32 (64 MiB per chunk).
_CHUNK_ELEMENTS = 1 << 24


def check_input_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    """Return input_shape as (C, H, W) ints or raise DataError saying what is acceptable."""
    try:
        c, h, w = (int(v) for v in input_shape)
    except (TypeError, ValueError):
        raise DataError(f"The network's input shape {input_shape!r} is not (channels, height, width).") from None
    if c not in (1, 3):
        raise DataError(
            f"The network's input has {c} channels; images can only feed 1 (grayscale) or "
            "3 (RGB). Set the Input layer's channels to 1 or 3."
        )
    if h < 1 or w < 1:
        raise DataError(f"The network's input size {h}×{w} must be at least 1×1.")
    return c, h, w


def size_text(height: int, width: int) -> str:
    return f"{height}×{width}"


def cover_size(src_h: int, src_w: int, dst_h: int, dst_w: int, crop_fraction: float = 1.0) -> tuple[int, int]:
    """The (height, width) a src_h×src_w image is scaled to (aspect kept) before its centre dst_h×dst_w is cut.

    The scaled image covers dst / crop_fraction. The side that decides the scale becomes exactly
    round(dst side / crop_fraction) and the other is truncated, as torchvision's `Resize(int)` does
    (short side = resize_size, long side = int(resize_size · long / short)).
    """
    cover_h, cover_w = dst_h / crop_fraction, dst_w / crop_fraction
    if cover_h * src_w >= cover_w * src_h:  # the height decides the scale
        height = round(cover_h)
        return height, max(dst_w, int(height * src_w / src_h))
    width = round(cover_w)
    return max(dst_h, int(width * src_h / src_w)), width


def centre_crop_box(src_h: int, src_w: int, dst_h: int, dst_w: int) -> tuple[int, int, int, int]:
    """The centred (left, top, right, bottom) dst_h×dst_w box of a src_h×src_w image, offsets rounded as
    torchvision's `CenterCrop` rounds them."""
    top, left = round((src_h - dst_h) / 2.0), round((src_w - dst_w) / 2.0)
    return left, top, left + dst_w, top + dst_h


def fit_picture(
    image: Image.Image,
    height: int,
    width: int,
    *,
    crop_fraction: float = 1.0,
    stretch: bool = False,
    resample: Image.Resampling = Image.Resampling.BILINEAR,
    reducing_gap: float | None = None,
) -> Image.Image:
    """A PIL image fitted to height×width: scaled to cover and centre-cropped (`stretch`: scaled to fill).

    The whole image is resized and then cropped, which is exactly what torchvision's evaluation
    transforms do to a PIL image. reducing_gap: Pillow's faster reduction of large images first
    (training data decoding uses it; it changes the pixels slightly).
    """
    if stretch:
        return image.resize((width, height), resample, reducing_gap=reducing_gap)
    scaled_h, scaled_w = cover_size(image.height, image.width, height, width, crop_fraction)
    scaled = image.resize((scaled_w, scaled_h), resample, reducing_gap=reducing_gap)
    return scaled.crop(centre_crop_box(scaled_h, scaled_w, height, width))


def resize_note(count: int, sizes: set[tuple[int, int]], dst_h: int, dst_w: int) -> str:
    """Plain-language note for resizing `count` images of the given (h, w) sizes to dst."""
    target = size_text(dst_h, dst_w)
    cropped = any(h * dst_w != w * dst_h for h, w in sizes)
    how = " (scaled to cover, then centre-cropped)" if cropped else ""
    if len(sizes) == 1:
        ((h, w),) = sizes
        return f"resized {size_text(h, w)} → {target}{how}"
    smallest = min(sizes, key=lambda s: s[0] * s[1])
    largest = max(sizes, key=lambda s: s[0] * s[1])
    return (
        f"resized {count} images of {len(sizes)} different sizes (from {size_text(*smallest)} "
        f"to {size_text(*largest)}) → {target}{how}"
    )


def fit_images(images: torch.Tensor, input_shape: tuple[int, int, int]) -> tuple[torch.Tensor, list[str]]:
    """Fit uint8 images [N, C, H, W] to input_shape (C, H, W).

    Returns the fitted uint8 images and a plain-language note for every change made (empty when
    the images already fit).
    """
    if images.dtype != torch.uint8 or images.dim() != 4:
        raise ValueError(f"expected uint8 [N, C, H, W] images, got {images.dtype} {tuple(images.shape)}")
    dst_c, dst_h, dst_w = check_input_shape(input_shape)
    src_c, src_h, src_w = images.shape[1:]
    notes: list[str] = []
    if src_c not in (1, 3):
        raise ValueError(f"images must have 1 or 3 channels, got {src_c}")
    if src_c == 3 and dst_c == 1:
        images = _chunked(images, _to_gray)  # before resizing: less to resize
        notes.append("converted RGB → grayscale")
    if (src_h, src_w) != (dst_h, dst_w):
        images = _chunked(images, lambda x: _resize_cover(x, dst_h, dst_w))
        notes.append(resize_note(len(images), {(src_h, src_w)}, dst_h, dst_w))
    if src_c == 1 and dst_c == 3:
        images = images.expand(-1, 3, -1, -1).contiguous()
        notes.append("converted grayscale → 3 channels (RGB)")
    return images, notes


def _chunked(images: torch.Tensor, fn: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    per_image = images[0].numel() if len(images) else 1
    step = max(1, _CHUNK_ELEMENTS // per_image)
    parts = [fn(images[i : i + step]) for i in range(0, len(images), step)]
    return torch.cat(parts) if parts else fn(images)


def _to_uint8(x: torch.Tensor) -> torch.Tensor:
    return x.round_().clamp_(0, 255).to(torch.uint8)


def _to_gray(images: torch.Tensor) -> torch.Tensor:
    weights = torch.tensor(LUMA_WEIGHTS, dtype=torch.float32).view(1, 3, 1, 1)
    return _to_uint8((images.float() * weights).sum(dim=1, keepdim=True))


def _resize_cover(images: torch.Tensor, dst_h: int, dst_w: int) -> torch.Tensor:
    mid_h, mid_w = cover_size(images.shape[-2], images.shape[-1], dst_h, dst_w)
    x = F.interpolate(images.float(), size=(mid_h, mid_w), mode="bilinear", align_corners=False, antialias=True)
    left, top, right, bottom = centre_crop_box(mid_h, mid_w, dst_h, dst_w)
    return _to_uint8(x[..., top:bottom, left:right])
