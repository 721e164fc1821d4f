"""How a synthesized image is represented while it is optimized.

"pixel": one free value per pixel behind a sigmoid, so pixels stay in [0, 1].
"fourier": the image's 2-D spectrum, scaled by 1/frequency, and (for RGB) colours decorrelated, then a
sigmoid — Olah et al.'s "Feature Visualization" (Distill, 2017) parameterization, which makes gradient
ascent favour natural-looking, low-frequency patterns instead of high-frequency noise.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnnstudio.viz.runtime import InspectError

PARAMETERIZATIONS = ("fourier", "pixel")
# Square root of ImageNet's colour correlation matrix, from Lucid (tensorflow/lucid, optvis/param/color.py).
_COLOR_CORRELATION_SQRT = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
_COLOR_CORRELATION = _COLOR_CORRELATION_SQRT / _COLOR_CORRELATION_SQRT.norm(dim=0).max()


class ImageParameterization:
    """A batch of N images (N, C, H, W) in [0, 1], computed from the trainable tensor `parameter`
    (one image per leading index, so each image can be stepped or reset on its own)."""

    def __init__(
        self,
        kind: str,
        shape: tuple[int, int, int, int],
        *,
        generator: torch.Generator,
        device: torch.device,
        init_scale: float = 0.01,
    ) -> None:
        if kind not in PARAMETERIZATIONS:
            raise InspectError(f"parameterization must be one of {', '.join(PARAMETERIZATIONS)}, not {kind!r}")
        self.kind, self.shape = kind, shape
        count, channels, height, width = shape
        if kind == "pixel":
            values = torch.randn(shape, generator=generator) * init_scale
        else:
            values = torch.randn((count, channels, height, width // 2 + 1, 2), generator=generator) * init_scale
            frequencies = torch.sqrt(torch.fft.fftfreq(height)[:, None] ** 2 + torch.fft.rfftfreq(width)[None, :] ** 2)
            self._scale = (1.0 / frequencies.clamp_min(1.0 / max(height, width))).to(device)
        self.parameter = values.to(device).requires_grad_(True)
        self._colors = _COLOR_CORRELATION.to(device) if channels == 3 else None

    def __call__(self) -> torch.Tensor:
        if self.kind == "pixel":
            return torch.sigmoid(self.parameter)
        height, width = self.shape[2:]
        spectrum = torch.view_as_complex(self.parameter) * self._scale
        image = torch.fft.irfft2(spectrum, s=(height, width), norm="ortho") / 4.0  # Lucid's scale ("magic 4")
        if self._colors is not None:
            image = torch.einsum("nchw,dc->ndhw", image, self._colors)
        return torch.sigmoid(image)

    @torch.no_grad()
    def blur_(self, sigma: float) -> None:
        """Blur a pixel image in place (a regularizer against high frequencies; Yosinski et al., 2015)."""
        if self.kind != "pixel" or sigma <= 0:
            return
        self.parameter.copy_(gaussian_blur(self.parameter, sigma))


def gaussian_blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of (N, C, H, W) images, reflecting at the borders."""
    radius = max(1, int(3 * sigma + 0.5))
    offsets = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)
    kernel = torch.exp(-(offsets**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    channels = images.shape[1]
    radius_h, radius_w = min(radius, images.shape[2] - 1), min(radius, images.shape[3] - 1)
    rows = kernel[radius - radius_h : radius + radius_h + 1]
    cols = kernel[radius - radius_w : radius + radius_w + 1]
    out = F.pad(images, (0, 0, radius_h, radius_h), mode="reflect")
    out = F.conv2d(out, (rows / rows.sum()).view(1, 1, -1, 1).expand(channels, 1, -1, 1), groups=channels)
    out = F.pad(out, (radius_w, radius_w, 0, 0), mode="reflect")
    return F.conv2d(out, (cols / cols.sum()).view(1, 1, 1, -1).expand(channels, 1, 1, -1), groups=channels)
