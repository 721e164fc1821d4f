"""Data augmentation of whole batches on the training device, with per-sample randomness.

The options are named and written as text ("flip,crop:4,rotate:15,erase:0.25") so the GUI, the
CLI and saved settings share one form. BatchAugmenter applies them to a float batch on its
device. A torchvision.transforms.v2 transform applied to a batched tensor draws ONE set of random
parameters for the whole batch; here every sample gets its own: flips by a mask, crop (padding +
random offset), rotation and scale as one per-sample affine warp (a single grid_sample), colour
jitter by per-sample factors, random erasing by per-sample rectangles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from cnnstudio.data.dataset import ImageDataset
from cnnstudio.data.errors import DataError
from cnnstudio.data.fit import LUMA_WEIGHTS
from cnnstudio.progress import Progress

Value = float | tuple[float, float]


@dataclass(frozen=True)
class AugmentInfo:
    """One kind of augmentation: its parameter, default, accepted range and one-line help.

    For "scale" the value is a (low, high) range of zoom factors.
    """

    name: str
    param: str
    default: Value
    minimum: float
    maximum: float
    help: str
    integer: bool = False


AUGMENTATIONS: dict[str, AugmentInfo] = {
    info.name: info
    for info in (
        AugmentInfo("flip", "p", 0.5, 0.0, 1.0, "mirror left-right with probability p"),
        AugmentInfo(
            "crop",
            "padding",
            4,
            1,
            128,
            "pad with black and crop back at a random offset: shifts of up to padding pixels",
            integer=True,
        ),
        AugmentInfo("rotate", "degrees", 15.0, 0.0, 180.0, "rotate by a random angle within ±degrees"),
        AugmentInfo(
            "scale",
            "range",
            (0.9, 1.1),
            0.1,
            4.0,
            "zoom by a random factor in low-high, e.g. scale:0.8-1.2 (scale:0.2 means the same)",
        ),
        AugmentInfo(
            "color",
            "strength",
            0.4,
            0.0,
            1.0,
            "multiply brightness, contrast and saturation by random factors within 1±strength",
        ),
        AugmentInfo(
            "erase", "p", 0.25, 0.0, 1.0, "with probability p, fill a random rectangle (2-33% of the image) with noise"
        ),
    )
}


@dataclass(frozen=True)
class AugmentOption:
    """One chosen augmentation and its parameter value."""

    name: str
    value: Value

    def __str__(self) -> str:
        if isinstance(self.value, tuple):
            return f"{self.name}:{_number(self.value[0])}-{_number(self.value[1])}"
        return f"{self.name}:{_number(self.value)}"


def _number(value: float) -> str:
    return f"{value:g}"


def _parse_value(info: AugmentInfo, text: str, item: str) -> Value:
    def bad(why: str) -> DataError:
        return DataError(f"Augmentation {item!r}: {why}. {info.name}:{info.param} — {info.help}.")

    try:
        if info.name == "scale":
            low_text, dash, high_text = text.partition("-")
            if dash:
                low, high = float(low_text), float(high_text)
            else:
                spread = float(text)
                if not 0 < spread < 1:
                    raise bad(f"a single scale value is a spread below 1, not {text}")
                low, high = 1 - spread, 1 + spread
            if not (info.minimum <= low <= high <= info.maximum):
                raise bad(f"the range must satisfy {info.minimum:g} ≤ low ≤ high ≤ {info.maximum:g}")
            return (low, high)
        value = float(text)
    except ValueError:
        raise bad(f"{text!r} is not a number") from None
    if info.integer and value != int(value):
        raise bad(f"{info.param} must be a whole number")
    if not info.minimum <= value <= info.maximum:
        raise bad(f"{info.param} must be between {info.minimum:g} and {info.maximum:g}")
    return int(value) if info.integer else value


def parse_augment(text: str) -> list[AugmentOption]:
    """Parse "flip,crop:4,rotate:15,erase:0.25" ("" or "none": no augmentation).

    A name without a value uses its default. Raises DataError on unknown names, bad values or a
    name given twice.
    """
    options: list[AugmentOption] = []
    if text.strip().lower() in ("", "none"):
        return options
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, colon, value_text = (s.strip() for s in item.partition(":"))
        info = AUGMENTATIONS.get(name.lower())
        if info is None:
            raise DataError(f"Unknown augmentation {name!r}. Choose from: {', '.join(AUGMENTATIONS)}.")
        if any(option.name == info.name for option in options):
            raise DataError(f"Augmentation {info.name!r} is given twice in {text!r}.")
        value = _parse_value(info, value_text, item) if colon else info.default
        options.append(AugmentOption(info.name, value))
    return options


def format_augment(options: list[AugmentOption]) -> str:
    """The text form of options, which parse_augment reads back ("none" when empty)."""
    return ",".join(str(option) for option in options) or "none"


def _scalar(value: Value) -> float:
    assert not isinstance(value, tuple)  # only "scale" takes a range; parse_augment guarantees it
    return float(value)


class BatchAugmenter:
    """Augments float batches [B, C, H, W] on the 0-1 scale, on the batch's device.

    Apply it before normalizing. Each sample gets its own random parameters. With a seed, the
    sequence of results is reproducible on a given device. The input batch is never modified.
    Nothing here reads values back to the host, so on a GPU it never stalls the training loop.
    """

    def __init__(self, options: list[AugmentOption], seed: int | None = None) -> None:
        # However the options were made, they obey the same rules as the text form.
        self.options = parse_augment(format_augment(options))
        values = {option.name: option.value for option in self.options}
        scale = values.get("scale")
        assert scale is None or isinstance(scale, tuple)  # parse_augment guarantees it
        self._flip = _scalar(values.get("flip", 0.0))
        self._padding = int(_scalar(values.get("crop", 0)))
        self._degrees = _scalar(values.get("rotate", 0.0))
        self._scale = scale
        self._color = _scalar(values.get("color", 0.0))
        self._erase = _scalar(values.get("erase", 0.0))
        self._seed = seed if seed is not None else int(torch.randint(0, 2**62, (1,)).item())
        self._generators: dict[torch.device, torch.Generator] = {}

    def _generator(self, device: torch.device) -> torch.Generator:
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self._seed)
        return self._generators[device]

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        if batch.dim() != 4 or not batch.is_floating_point():
            raise TypeError(f"expected a float batch [B, C, H, W], got {batch.dtype} {tuple(batch.shape)}")
        if len(batch) == 0:
            return batch
        g = self._generator(batch.device)
        x = batch
        if self._padding or self._degrees or self._scale is not None:
            x = self._warp(x, g)
        elif self._flip:
            flip = self._uniform(len(x), g, x) < self._flip
            x = torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)
        if self._color:
            x = self._jitter(x, g)
        if self._erase:
            x = self._random_erase(x, g)
        return x

    @staticmethod
    def _uniform(n: int, g: torch.Generator, like: torch.Tensor, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
        u = torch.rand(n, generator=g, device=like.device, dtype=like.dtype)
        return u * (high - low) + low

    def _warp(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """Flip, zoom, rotate and shift every sample by its own affine map, in one grid_sample.

        The map is built in pixel units around the image centre (so rotation is not distorted by
        a non-square image) and then expressed in grid_sample's [-1, 1] coordinates.
        """
        b, _, h, w = x.shape
        ones = torch.ones(b, device=x.device, dtype=x.dtype)
        flip = torch.where(self._uniform(b, g, x) < self._flip, -ones, ones)
        angle = self._uniform(b, g, x, -1.0, 1.0) * math.radians(self._degrees)
        scale = ones if self._scale is None else self._uniform(b, g, x, self._scale[0], self._scale[1])
        p = self._padding
        shift_x = torch.randint(-p, p + 1, (b,), generator=g, device=x.device).to(x.dtype)
        shift_y = torch.randint(-p, p + 1, (b,), generator=g, device=x.device).to(x.dtype)
        # Output pixel P samples the input at F·R(-angle)·(P - shift) / scale.
        cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
        m00, m01 = flip * cos, flip * sin
        m10, m11 = -sin, cos
        t0 = -(m00 * shift_x + m01 * shift_y)
        t1 = -(m10 * shift_x + m11 * shift_y)
        # Pixel units → normalized units: n = P / (size / 2).
        theta = torch.stack(
            [
                torch.stack([m00, m01 * h / w, t0 * 2 / w], dim=1),
                torch.stack([m10 * w / h, m11, t1 * 2 / h], dim=1),
            ],
            dim=1,
        )
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        # Whole-pixel shifts and flips sample exact pixel centres: nearest is exact and faster.
        mode = "bilinear" if self._degrees or self._scale is not None else "nearest"
        return F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)

    def _jitter(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """Per-sample brightness, contrast and saturation factors in 1 ± strength, clamped to 0-1."""
        b, c = x.shape[:2]
        k = self._color

        def factors() -> torch.Tensor:
            return self._uniform(b, g, x, 1 - k, 1 + k).view(b, 1, 1, 1)

        def gray(t: torch.Tensor) -> torch.Tensor:
            if c != 3:
                return t.mean(dim=1, keepdim=True)
            r, g_, b_ = LUMA_WEIGHTS
            return t[:, 0:1] * r + t[:, 1:2] * g_ + t[:, 2:3] * b_

        brightness, contrast, saturation = factors(), factors(), factors()
        x = (x * brightness).clamp_(0, 1)
        mean = gray(x).mean(dim=(2, 3), keepdim=True)
        x.sub_(mean).mul_(contrast).add_(mean).clamp_(0, 1)
        if c == 3:
            luma = gray(x)
            x.sub_(luma).mul_(saturation).add_(luma).clamp_(0, 1)
        return x

    def _random_erase(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """Fill one random rectangle (2-33% of the area, aspect 0.3-3.3) with noise in each sample
        chosen with probability p (the ranges of Zhong et al.'s Random Erasing).

        The noise is one field per batch that each sample's own rectangle cuts into: drawing a
        full batch of noise would cost more than all the other augmentations on a CPU.
        """
        b, c, h, w = x.shape
        chosen = (self._uniform(b, g, x) < self._erase).view(b, 1, 1)
        area = self._uniform(b, g, x, 0.02, 0.33) * (h * w)
        aspect = torch.exp(self._uniform(b, g, x, math.log(0.3), math.log(1 / 0.3)))
        eh = torch.sqrt(area * aspect).round().clamp(1, h).view(b, 1, 1)
        ew = torch.sqrt(area / aspect).round().clamp(1, w).view(b, 1, 1)
        top = (self._uniform(b, g, x).view(b, 1, 1) * (h - eh + 1)).floor()
        left = (self._uniform(b, g, x).view(b, 1, 1) * (w - ew + 1)).floor()
        rows = torch.arange(h, device=x.device, dtype=x.dtype).view(1, h, 1)
        cols = torch.arange(w, device=x.device, dtype=x.dtype).view(1, 1, w)
        inside = chosen & (rows >= top) & (rows < top + eh) & (cols >= left) & (cols < left + ew)
        noise = torch.rand((1, c, h, w), generator=g, device=x.device, dtype=x.dtype)
        return torch.where(inside.unsqueeze(1), noise, x)


def preview(dataset: ImageDataset, options: list[AugmentOption], n: int, seed: int) -> torch.Tensor:
    """n augmented images (uint8 [n, C, H, W]).

    The source images do not depend on the seed: the first image of each class (multi-label: of each first
    label), then the second of each, and so on (repeating when n exceeds the dataset), so options=[] gives the originals
    to show beside them and a new seed shows new random variations of the same images.
    """
    if len(dataset) == 0 or n <= 0:
        return torch.empty((0, *dataset.image_shape), dtype=torch.uint8)
    labels = torch.tensor([dataset.label(i) for i in range(len(dataset))]) if dataset.multilabel else dataset.labels
    rank = torch.empty_like(labels)
    for label in labels.unique():
        members = torch.nonzero(labels == label).flatten()
        rank[members] = torch.arange(len(members))
    order = torch.argsort(rank * (int(labels.max()) + 2) + labels, stable=True)
    chosen = order[torch.arange(n) % len(order)]
    return _augment_pixels(dataset.images[chosen], options, seed)


def preview_rows(
    dataset: ImageDataset,
    options: list[AugmentOption],
    columns: int,
    rows: int,
    seed: int,
    progress: Progress | None = None,
) -> list[np.ndarray]:
    """The GUI's live preview as pixels: a row of `columns` originals (see `preview`), then `rows` rows of
    augmented copies of them (none without options); each row is uint8 [columns, H, W, C]."""
    originals = preview(dataset, [], columns, seed=0)
    shown = [originals]
    if options and rows and len(originals):
        if progress is not None:
            progress("Augmenting the preview", 0.0)
        shown += list(_augment_pixels(originals.repeat(rows, 1, 1, 1), options, seed).split(len(originals)))
    return [row.permute(0, 2, 3, 1).numpy() for row in shown]


def _augment_pixels(images: torch.Tensor, options: list[AugmentOption], seed: int) -> torch.Tensor:
    """uint8 [N, C, H, W] images augmented and rounded back to uint8."""
    augmented = BatchAugmenter(options, seed=seed)(images.float().div_(255))
    return augmented.mul(255).round_().clamp_(0, 255).to(torch.uint8)
