"""Fitting images to a network's input: one geometry and one colour policy for every source.

Geometry: scale the image so it covers the target height×width, then crop the centre (no
distortion, nothing letterboxed). Colour: RGB → grayscale uses the ITU-R 601 luma weights (as
PIL's "L" mode does); grayscale → RGB repeats the channel. Image folders apply the same policy
while decoding (see decode.py); `fit_images` applies it to tensors, and the webcam classifier
uses it on frames so live images are prepared exactly like the training images.

Sizes in messages are written height×width, the order of the network's input shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

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


def cover_box(src_h: int, src_w: int, dst_h: int, dst_w: int) -> tuple[float, float, float, float]:
    """The centred (left, top, right, bottom) region of a src image that, scaled, covers dst."""
    scale = max(dst_h / src_h, dst_w / src_w)
    crop_w, crop_h = dst_w / scale, dst_h / scale
    left, top = (src_w - crop_w) / 2, (src_h - crop_h) / 2
    return left, top, left + crop_w, top + crop_h


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
    src_h, src_w = images.shape[-2:]
    scale = max(dst_h / src_h, dst_w / src_w)
    mid_h, mid_w = max(dst_h, round(src_h * scale)), max(dst_w, round(src_w * scale))
    x = F.interpolate(images.float(), size=(mid_h, mid_w), mode="bilinear", align_corners=False, antialias=True)
    top, left = (mid_h - dst_h) // 2, (mid_w - dst_w) // 2
    return _to_uint8(x[..., top : top + dst_h, left : left + dst_w])
