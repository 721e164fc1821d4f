"""THE image pipeline: any picture → exactly the input a network was evaluated with.

One frozen `Preprocessing` describes what a network expects — input (C, H, W), how an image is fitted
(scale to cover then crop the centre, keeping `crop_fraction` of it as torchvision's "resize 256, crop
224" keeps 224/256; or stretch), the resampling filter, and the per-channel mean/std — and travels with
the network: a trained run builds it from its data statistics (cnnstudio.pretrained.from_runs), a design's
weights carry it in their metadata (cnnstudio.pretrained.designs), torchvision's weights give it from
their `transforms()` (cnnstudio.pretrained.torchvision_zoo).

It lives in cnnstudio.data because it needs no model and the training data is decoded by the same
functions (decode.upright_8bit, fit.fit_picture): the lowest layer that every user (training, the
inspector, the drawing pad, the webcam, the command line) can import.

Two entry points:
- `image_pixels` / `tensor`: a file, PIL image or array (RGB, gray, RGBA, 16-bit, float) is decoded
  upright with PIL and fitted with PIL's filters, exactly as torchvision's evaluation transforms treat
  a PIL image (PIL's filters always antialias, as torchvision's do on PIL images).
- `pixels` / `frame_tensor`: a camera frame (BGR, BGRA or gray uint8, OpenCV's layout) takes the fast
  road: its source region is cut first and only that is resized with OpenCV (area filtering when
  shrinking with `antialias`), so the live view keeps up with the camera. Same geometry and
  normalization; only the resampling filter differs (OpenCV's area filter for PIL's, a few levels).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from cnnstudio.data.decode import (
    Unreadable,
    open_image,
    quiet_bomb_warning,
    reduce_or_refuse,
    scale_16bit,
    upright_8bit,
)
from cnnstudio.data.fit import centre_crop_box, cover_size, fit_picture

FIT_MODES = ("crop", "stretch")
# torchvision's InterpolationMode values, and the PIL filter each stands for (as torchvision maps them).
_PIL_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "nearest-exact": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
    "lanczos": Image.Resampling.LANCZOS,
}
INTERPOLATIONS = tuple(_PIL_FILTERS)
# The closest OpenCV filter for camera frames (OpenCV has no Hamming window).
_CV2_FILTERS = {
    "nearest": "INTER_NEAREST",
    "nearest-exact": "INTER_NEAREST_EXACT",
    "bilinear": "INTER_LINEAR",
    "bicubic": "INTER_CUBIC",
    "box": "INTER_AREA",
    "hamming": "INTER_LINEAR",
    "lanczos": "INTER_LANCZOS4",
}

ImageSource = str | os.PathLike | Image.Image | np.ndarray


class ImageError(ValueError):
    """An image that cannot be used; the message says which one and why."""


@functools.cache
def _affine(mean: tuple[float, ...], std: tuple[float, ...], channels: int, device: str) -> tuple[torch.Tensor, ...]:
    """(scale, shift) with (pixel / 255 - mean) / std == pixel * scale - shift, float32 [C, 1, 1] on `device`."""
    mean_t = torch.tensor(mean, dtype=torch.float32).expand(channels)
    std_t = torch.tensor(std, dtype=torch.float32).expand(channels)
    scale = (1.0 / (255.0 * std_t)).view(-1, 1, 1).to(device)
    shift = (mean_t / std_t).view(-1, 1, 1).to(device)
    return scale, shift


@dataclass(frozen=True)
class Preprocessing:
    """What a network expects and how any picture is made into it.

    input_shape: (channels 1 or 3, height, width). mean/std: per channel (or one value for all) on the
    0–1 pixel scale. crop_fraction: the share of the scaled image the centre crop keeps (0 < f ≤ 1; 1 is
    the data layer's "scale to cover, crop the centre"). fit: "crop" (that) or "stretch" (the whole
    picture scaled to H×W, which the inspector's overlays may ask for). interpolation: a torchvision
    InterpolationMode value ("bilinear", "bicubic", …). antialias: filter by the reduction when
    shrinking camera frames (PIL's filters, used for files, always do, as torchvision's do on PIL images).
    """

    input_shape: tuple[int, int, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    crop_fraction: float = 1.0
    fit: str = "crop"
    interpolation: str = "bilinear"
    antialias: bool = True

    def __post_init__(self) -> None:
        try:
            channels, height, width = (int(value) for value in self.input_shape)
        except (TypeError, ValueError):
            raise ValueError(f"input shape {self.input_shape!r} is not (channels, height, width)") from None
        if channels not in (1, 3) or height < 1 or width < 1:
            raise ValueError(f"input shape {self.input_shape} must be 1 or 3 channels × height × width")
        object.__setattr__(self, "input_shape", (channels, height, width))
        object.__setattr__(self, "mean", tuple(float(value) for value in self.mean))
        object.__setattr__(self, "std", tuple(float(value) for value in self.std))
        if not 0.0 < self.crop_fraction <= 1.0:
            raise ValueError(f"crop fraction {self.crop_fraction} must lie in (0, 1]")
        for values in (self.mean, self.std):
            if len(values) not in (1, channels):
                raise ValueError(f"normalization {values} needs 1 or {channels} values")
        if min(self.std) <= 0:
            raise ValueError(f"std {self.std} must be positive")
        if self.fit not in FIT_MODES:
            raise ValueError(f"fit {self.fit!r} must be one of {', '.join(FIT_MODES)}")
        if self.interpolation not in INTERPOLATIONS:
            raise ValueError(f"interpolation {self.interpolation!r} must be one of {', '.join(INTERPOLATIONS)}")

    # ----- what the network takes
    @property
    def channels(self) -> int:
        return self.input_shape[0]

    @property
    def height(self) -> int:
        return self.input_shape[1]

    @property
    def width(self) -> int:
        return self.input_shape[2]

    @property
    def crop(self) -> tuple[int, int]:
        """(height, width) of the centre crop: the network's input size."""
        return self.input_shape[1], self.input_shape[2]

    @property
    def resize(self) -> int:
        """The side the image's covering square is scaled to before cropping (256 for "resize 256, crop 224")."""
        return round(max(self.crop) / self.crop_fraction)

    def with_fit(self, fit: str) -> Preprocessing:
        """The same pipeline fitting images by `fit` ("crop" or "stretch")."""
        return dataclasses.replace(self, fit=fit)

    # ----- geometry
    def source_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """The region (left, top, right, bottom) of a height×width picture that becomes the input, in whole pixels."""
        if self.fit == "stretch":
            return 0, 0, width, height
        scaled_h, scaled_w = cover_size(height, width, self.height, self.width, self.crop_fraction)
        left, top, right, bottom = centre_crop_box(scaled_h, scaled_w, self.height, self.width)
        scale_x, scale_y = width / scaled_w, height / scaled_h
        x0, y0 = round(left * scale_x), round(top * scale_y)
        return x0, y0, max(x0 + 1, round(right * scale_x)), max(y0 + 1, round(bottom * scale_y))

    # ----- files, PIL images, arrays
    def image_pixels(self, source: ImageSource) -> np.ndarray:
        """Any picture → uint8 H×W×C pixels as the network sees them: decoded upright, channels converted,
        fitted. Raises ImageError for a picture that cannot be read."""
        picture = fit_picture(
            decode(source, self.channels),
            self.height,
            self.width,
            crop_fraction=self.crop_fraction,
            stretch=self.fit == "stretch",
            resample=_PIL_FILTERS[self.interpolation],
        )
        return np.array(picture, dtype=np.uint8).reshape(self.height, self.width, self.channels)

    def tensor(self, source: ImageSource, device: torch.device | str = "cpu") -> torch.Tensor:
        """Any picture → the network's input, a batch of one [1, C, H, W] on `device`."""
        pixels = torch.from_numpy(self.image_pixels(source)).permute(2, 0, 1).unsqueeze(0)
        return self.normalize(pixels, device)

    # ----- camera frames
    def pixels(self, frame: np.ndarray) -> np.ndarray:
        """A BGR (or BGRA, or grayscale) uint8 camera frame → the network's view: uint8 H×W×C, RGB or gray.

        This is also what a GUI can show as "what the network sees".
        """
        import cv2

        if frame.dtype != np.uint8 or frame.ndim not in (2, 3):
            raise ImageError(f"expected a uint8 frame H×W or H×W×C, got {frame.dtype} {frame.shape}")
        x0, y0, x1, y1 = self.source_box(frame.shape[0], frame.shape[1])
        region = frame[y0:y1, x0:x1]
        shrinking = region.shape[0] > self.height or region.shape[1] > self.width
        flag = cv2.INTER_AREA if shrinking and self.antialias else getattr(cv2, _CV2_FILTERS[self.interpolation])
        region = cv2.resize(region, (self.width, self.height), interpolation=flag)
        return _frame_colour(region, self.channels)

    def frame_tensor(self, frame: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
        """One camera frame → a normalized batch of one [1, C, H, W] on `device`."""
        pixels = self.pixels(frame)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        return self.normalize(torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0), device)

    # ----- normalization
    def normalize(self, pixels: torch.Tensor, device: torch.device | str | None = None) -> torch.Tensor:
        """Pixels (…, C, H, W) → what the network takes, on `device` (None: where they are).

        uint8 pixels (0–255) take one fused multiply-subtract in place on a float copy (the camera's
        road: within 5e-7 of torchvision's (pixel / 255 - mean) / std for ImageNet's statistics);
        floating-point pixels are taken on the 0–1 scale and normalized out of place (gradients flow).
        """
        if device is not None:
            pixels = pixels.to(device, non_blocking=True)
        if pixels.dtype == torch.uint8:
            scale, shift = _affine(self.mean, self.std, pixels.shape[-3], str(pixels.device))
            return pixels.float().mul_(scale).sub_(shift)
        mean, std = self._stats_like(pixels)
        return (pixels - mean) / std

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        """The network's input → pixels (in [0, 1] for a real image)."""
        mean, std = self._stats_like(x)
        return x * std + mean

    def _stats_like(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        channels = like.shape[-3]
        mean = torch.as_tensor(self.mean, dtype=like.dtype, device=like.device).expand(channels)
        std = torch.as_tensor(self.std, dtype=like.dtype, device=like.device).expand(channels)
        return mean.view(-1, 1, 1), std.view(-1, 1, 1)


def display_image(x: torch.Tensor, preprocessing: Preprocessing) -> np.ndarray:
    """A network input (C, H, W) or (1, C, H, W) → uint8 (H, W, 3) pixels to show (gray repeated)."""
    pixels = preprocessing.denormalize(x.detach().float().cpu().reshape(-1, *x.shape[-2:]))
    if pixels.shape[0] != 3:
        pixels = pixels.mean(0, keepdim=True).expand(3, -1, -1)
    return (pixels.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy().copy()


def decode(source: ImageSource, channels: int | None = None) -> Image.Image:
    """Any picture → an upright "L" or "RGB" PIL image (1 or 3 `channels`; None: as stored).

    Files are decoded as the training data is (EXIF orientation, 16-bit, CMYK, palettes, transparency
    onto white: decode.upright_8bit). Arrays are RGB(A) or gray(+alpha), H×W or H×W×{1,2,3,4}: uint8 as
    it is, uint16 scaled from 16 bits, floats in [0, 1] scaled by 255 (others taken as 0–255), booleans
    as black and white. Raises ImageError saying what is wrong.
    """
    if isinstance(source, str | os.PathLike):
        return _decode_file(Path(source), channels)
    image = source if isinstance(source, Image.Image) else _array_image(np.asarray(source))
    try:
        return upright_8bit(image, channels, set())
    except Unreadable as reason:
        raise ImageError(f"cannot use the image: {reason}") from None


def decode_pixels(source: ImageSource) -> np.ndarray:
    """Any picture → its upright uint8 pixels, (H, W) gray or (H, W, 3) RGB, at its own size."""
    return np.array(decode(source), dtype=np.uint8)


def _decode_file(path: Path, channels: int | None) -> Image.Image:
    if not path.is_file():
        reason = "it is a folder" if path.is_dir() else "no such file"
        raise ImageError(f"cannot read the image {os.fspath(path)!r}: {reason}")
    try:
        with quiet_bomb_warning(), open_image(path) as image:
            reduce_or_refuse(image)
            image.load()
            upright = upright_8bit(image, channels, set())
            return image.copy() if upright is image else upright  # independent of the closing file
    except Unreadable as reason:
        raise ImageError(f"cannot read the image {os.fspath(path)!r}: {reason}") from None


_ARRAY_MODES = {2: "LA", 3: "RGB", 4: "RGBA"}


def _array_image(array: np.ndarray) -> Image.Image:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in _ARRAY_MODES) or 0 in array.shape:
        raise ImageError(f"an image must be (H, W) or (H, W, 1–4), got an array of shape {array.shape}")
    pixels = _array_levels(array)
    return Image.fromarray(pixels, "L" if pixels.ndim == 2 else _ARRAY_MODES[pixels.shape[2]])


def _array_levels(array: np.ndarray) -> np.ndarray:
    """An array's values as uint8 levels (see `decode`)."""
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if array.dtype == np.bool_:
        return np.where(array, 255, 0).astype(np.uint8)
    if array.dtype == np.uint16:
        return scale_16bit(array)
    if np.issubdtype(array.dtype, np.floating):
        finite = np.nan_to_num(array.astype(np.float64))
        scale = 255.0 if finite.max(initial=0.0) <= 1.0 else 1.0
        return np.clip(np.rint(finite * scale), 0, 255).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        return np.clip(array, 0, 255).astype(np.uint8)
    raise ImageError(f"an image cannot hold values of type {array.dtype}")


def _frame_colour(region: np.ndarray, channels: int) -> np.ndarray:
    """BGR/BGRA/gray → RGB (3 channels) or gray (1 channel, ITU-R 601 luma like the data layer)."""
    import cv2

    if region.ndim == 2 or region.shape[2] == 1:
        gray = region if region.ndim == 2 else region[:, :, 0]
        return gray if channels == 1 else cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    code = {
        (3, 3): cv2.COLOR_BGR2RGB,
        (3, 1): cv2.COLOR_BGR2GRAY,
        (4, 3): cv2.COLOR_BGRA2RGB,
        (4, 1): cv2.COLOR_BGRA2GRAY,
    }.get((region.shape[2], channels))
    if code is None:
        raise ImageError(f"a frame must have 1, 3 (BGR) or 4 (BGRA) channels, not {region.shape[2]}")
    return cv2.cvtColor(region, code)
