"""A classifier's own preprocessing: camera frames and image files → the tensor its network takes.

Geometry follows torchvision's evaluation transforms (scale, then crop the centre) with one number,
`crop_fraction`: the image is scaled so that it covers the input size divided by the fraction, and
the centre is cropped. torchvision's "resize 256, crop 224" is a fraction of 224/256; a fraction of 1
is the data layer's policy ("scale to cover, crop the centre", cnnstudio.data.fit), with which image
folders are fitted for training, so a network taught from captured frames sees live frames the way it
saw its training images.

For speed the centre region is cut out of the frame first and only that region is resized (OpenCV,
area interpolation when shrinking, which anti-aliases as torchvision's `antialias=True` does);
normalization is one fused multiply-subtract on the target device.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from cnnstudio.data.fit import cover_box


@functools.cache
def _affine(
    mean: tuple[float, ...], std: tuple[float, ...], channels: int, device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(scale, shift) with (pixel / 255 - mean) / std == pixel * scale - shift, shaped [C, 1, 1]."""
    mean_t = torch.tensor(mean, dtype=torch.float32).expand(channels)
    std_t = torch.tensor(std, dtype=torch.float32).expand(channels)
    scale = (1.0 / (255.0 * std_t)).view(-1, 1, 1).to(device)
    shift = (mean_t / std_t).view(-1, 1, 1).to(device)
    return scale, shift


@dataclass(frozen=True)
class Preprocessing:
    """What a classifier expects: input (channels, height, width), normalization, and the crop.

    mean/std: per channel (or one value for all) on the 0–1 pixel scale.
    crop_fraction: share of the scaled image that the centre crop keeps (0 < f ≤ 1).
    """

    input_shape: tuple[int, int, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    crop_fraction: float = 1.0

    def __post_init__(self) -> None:
        channels, height, width = self.input_shape
        if channels not in (1, 3) or height < 1 or width < 1:
            raise ValueError(f"input shape {self.input_shape} must be 1 or 3 channels × height × width")
        if not 0.0 < self.crop_fraction <= 1.0:
            raise ValueError(f"crop fraction {self.crop_fraction} must lie in (0, 1]")
        for values in (self.mean, self.std):
            if len(values) not in (1, channels):
                raise ValueError(f"normalization {values} needs 1 or {channels} values")
        if min(self.std) <= 0:
            raise ValueError(f"std {self.std} must be positive")

    @property
    def crop(self) -> tuple[int, int]:
        """(height, width) of the centre crop: the network's input size."""
        return self.input_shape[1], self.input_shape[2]

    @property
    def resize(self) -> int:
        """The side the image's covering square is scaled to before cropping (256 for "resize 256, crop 224")."""
        return round(max(self.crop) / self.crop_fraction)

    def source_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """The centred region (left, top, right, bottom) of a height×width frame that becomes the input."""
        crop_h, crop_w = self.crop
        left, top, right, bottom = cover_box(height, width, crop_h, crop_w)
        shrink = (1.0 - self.crop_fraction) / 2.0
        dx, dy = (right - left) * shrink, (bottom - top) * shrink
        x0, y0 = round(left + dx), round(top + dy)
        x1, y1 = max(x0 + 1, round(right - dx)), max(y0 + 1, round(bottom - dy))
        return x0, y0, x1, y1

    def pixels(self, frame: np.ndarray) -> np.ndarray:
        """A BGR (or BGRA, or grayscale) uint8 frame → the network's view: uint8 H×W×C, RGB or gray.

        This is also what a GUI can show as "what the network sees".
        """
        if frame.dtype != np.uint8 or frame.ndim not in (2, 3):
            raise ValueError(f"expected a uint8 image H×W or H×W×C, got {frame.dtype} {frame.shape}")
        x0, y0, x1, y1 = self.source_box(frame.shape[0], frame.shape[1])
        region = frame[y0:y1, x0:x1]
        crop_h, crop_w = self.crop
        shrinking = region.shape[0] > crop_h or region.shape[1] > crop_w
        region = cv2.resize(region, (crop_w, crop_h), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
        return _convert_colour(region, self.input_shape[0])

    def normalize(self, pixels: torch.Tensor, device: torch.device | str = "cpu") -> torch.Tensor:
        """uint8 pixels [N, C, H, W] (0–255) → the float input of the network on `device`."""
        x = pixels.to(device, non_blocking=True).float()
        scale, shift = _affine(tuple(self.mean), tuple(self.std), x.shape[1], str(x.device))
        return x.mul_(scale).sub_(shift)

    def frame_tensor(self, frame: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
        """One frame → a normalized batch of one [1, C, H, W] on `device`."""
        pixels = self.pixels(frame)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        return self.normalize(torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0), device)


def _convert_colour(region: np.ndarray, channels: int) -> np.ndarray:
    """BGR/BGRA/gray → RGB (3 channels) or gray (1 channel, ITU-R 601 luma like the data layer)."""
    if region.ndim == 2 or region.shape[2] == 1:
        gray = region if region.ndim == 2 else region[:, :, 0]
        return gray if channels == 1 else cv2.cvtColor(gray, cv2.COLOR_GRAY2RGB)
    code = {
        (3, 3): cv2.COLOR_BGR2RGB,
        (3, 1): cv2.COLOR_BGR2GRAY,
        (4, 3): cv2.COLOR_BGRA2RGB,
        (4, 1): cv2.COLOR_BGRA2GRAY,
    }[(region.shape[2], channels)]
    return cv2.cvtColor(region, code)


def read_image(path: str) -> np.ndarray:
    """An image file as a BGR uint8 frame (the camera's format). Raises ValueError if unreadable."""
    try:
        data = np.fromfile(path, dtype=np.uint8)  # fromfile + imdecode also reads non-ASCII paths on Windows
    except OSError as error:
        raise ValueError(f"{path}: cannot be read ({error.strerror or error})") from None
    frame = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if frame is None:
        raise ValueError(f"{path}: not an image OpenCV can read (JPEG, PNG, BMP, WebP, TIFF …)")
    return frame
