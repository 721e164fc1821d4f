"""The inspector's input: an image (file, array, webcam frame, drawing) made ready for a given model,
turned back into pixels for display, and the model's predictions for it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import nn

from cnnstudio.viz.runtime import InspectError, as_batch, evaluating

RESIZE_MODES = ("stretch", "crop")


class _DescribesInput(Protocol):
    input_shape: tuple[int, int, int]
    mean: Sequence[float]
    std: Sequence[float]


@dataclass(frozen=True)
class InputSpec:
    """What a model expects: (channels, height, width) and the per-channel normalization of pixels in [0, 1]."""

    channels: int
    height: int
    width: int
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)

    @classmethod
    def like(cls, source: _DescribesInput) -> InputSpec:
        """From anything with `input_shape` (C, H, W), `mean` and `std`: a cnnstudio.pretrained Classifier
        or its Preprocessing."""
        channels, height, width = source.input_shape
        return cls(channels, height, width, tuple(source.mean), tuple(source.std))

    def _stats(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean = torch.as_tensor(self.mean, dtype=like.dtype, device=like.device).expand(self.channels)
        std = torch.as_tensor(self.std, dtype=like.dtype, device=like.device).expand(self.channels)
        return mean.view(-1, 1, 1), std.view(-1, 1, 1)

    def normalize(self, pixels: torch.Tensor) -> torch.Tensor:
        """Pixels in [0, 1], (…, C, H, W) → what the model takes."""
        mean, std = self._stats(pixels)
        return (pixels - mean) / std

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        """The model's input → pixels (in [0, 1] for a real image)."""
        mean, std = self._stats(x)
        return x * std + mean


def load_image(source: str | os.PathLike | np.ndarray | Image.Image) -> np.ndarray:
    """A file, PIL image or array → uint8 (H, W) or (H, W, 3) pixels (alpha dropped, floats in [0, 1] scaled)."""
    if isinstance(source, str | os.PathLike):
        try:
            with Image.open(source) as opened:
                source = opened.copy()
        except (OSError, UnidentifiedImageError) as error:
            raise InspectError(f"cannot read the image {os.fspath(source)!r} ({error})") from None
    if isinstance(source, Image.Image):
        source = source.convert("L" if source.mode in ("1", "L", "I", "I;16", "F") else "RGB")
        return np.asarray(source)
    array = np.asarray(source)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise InspectError(f"an image must be (H, W), (H, W, 3) or (H, W, 4), got shape {array.shape}")
    if array.dtype != np.uint8:
        scale = 255.0 if np.issubdtype(array.dtype, np.floating) and array.max(initial=0) <= 1.0 else 1.0
        array = np.clip(np.rint(array.astype(np.float64) * scale), 0, 255).astype(np.uint8)
    return array


def prepare_image(
    source: str | os.PathLike | np.ndarray | Image.Image, spec: InputSpec, *, resize: str = "stretch"
) -> torch.Tensor:
    """Any image → the (1, C, H, W) normalized float tensor `spec` describes.

    Grayscale becomes RGB by repeating the channel and RGB becomes grayscale by luminance, so any picture
    works with any model. resize="stretch" scales the whole picture to H×W (every pixel stays visible,
    which the overlays need); "crop" scales the shorter side and cuts the centre (ImageNet evaluation).
    """
    if resize not in RESIZE_MODES:
        raise InspectError(f"resize must be one of {RESIZE_MODES}, not {resize!r}")
    pixels = load_image(source)
    picture = Image.fromarray(pixels)
    picture = picture.convert("L") if spec.channels == 1 else picture.convert("RGB")
    if resize == "crop":
        scale = max(spec.width / picture.width, spec.height / picture.height)
        size = (max(spec.width, round(picture.width * scale)), max(spec.height, round(picture.height * scale)))
        picture = picture.resize(size, Image.Resampling.BILINEAR)
        left, top = (size[0] - spec.width) // 2, (size[1] - spec.height) // 2
        picture = picture.crop((left, top, left + spec.width, top + spec.height))
    else:
        picture = picture.resize((spec.width, spec.height), Image.Resampling.BILINEAR)
    array = np.asarray(picture, dtype=np.float32) / 255.0
    tensor = torch.from_numpy(array[None] if array.ndim == 2 else array.transpose(2, 0, 1).copy())
    if spec.channels not in (1, 3):
        if tensor.shape[0] != 1:
            tensor = tensor.mean(0, keepdim=True)
        tensor = tensor.expand(spec.channels, -1, -1)
    return spec.normalize(tensor).unsqueeze(0).contiguous()


def display_image(x: torch.Tensor, spec: InputSpec) -> np.ndarray:
    """A model input (C,H,W) or (1,C,H,W) → uint8 (H, W, 3) pixels to show (channels beyond 3 averaged)."""
    pixels = spec.denormalize(x.detach().float().cpu().reshape(-1, *x.shape[-2:]))
    if pixels.shape[0] != 3:
        pixels = pixels.mean(0, keepdim=True).expand(3, -1, -1)
    return (pixels.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy().copy()


def probabilities(output: torch.Tensor) -> torch.Tensor:
    """Class probabilities from a model's output: softmax of scores, or the output itself when the
    network already ends with a Softmax (rows non-negative and summing to 1)."""
    output = output.detach().float().flatten(1)
    sums = output.sum(dim=1)
    if bool((output >= 0).all()) and torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        return output
    return output.softmax(dim=1)


@dataclass(frozen=True)
class Prediction:
    """One class and its probability (the same fields as cnnstudio.pretrained' Prediction)."""

    label: str
    prob: float
    index: int


def class_label(index: int, classes: Sequence[str] | None) -> str:
    return classes[index] if classes is not None and index < len(classes) else str(index)


def predict(
    model: nn.Module, x: torch.Tensor, classes: Sequence[str] | None = None, *, top: int = 5
) -> list[Prediction]:
    """The `top` most probable classes for one input, most probable first."""
    with evaluating(model), torch.no_grad():
        output = model(as_batch(x, model))
    probs = probabilities(output)[0]
    values, indices = probs.topk(min(top, probs.numel()))
    return [Prediction(class_label(int(i), classes), float(v), int(i)) for v, i in zip(values, indices, strict=True)]


def class_index(name_or_index: str | int, classes: Sequence[str] | None, count: int) -> int:
    """'3' or 'tabby' (case-insensitive) → a class index in range, with a clear error otherwise."""
    text = str(name_or_index).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
    else:
        lowered = [str(name).lower() for name in classes or ()]
        if text.lower() not in lowered:
            hint = (
                f"classes include {', '.join(map(str, list(classes)[:8]))}"
                if classes
                else "this model has no class names, use an index"
            )
            raise InspectError(f"no class named {text!r}; {hint}")
        index = lowered.index(text.lower())
    if not 0 <= index < count:
        raise InspectError(f"class {index} is out of range: the model has {count} outputs")
    return index
