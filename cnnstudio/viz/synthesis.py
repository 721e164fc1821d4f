"""Pictures made by gradient ascent on the input: what a unit (a channel or a class) most wants to see,
and DeepDream (amplify what a layer sees in a given image).

Both are generators that yield a `SynthesisStep` as they go, so a GUI shows the picture forming and
cancels by simply not asking for the next step (or closing the generator).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.device import device_of
from cnnstudio.viz.activations import capture
from cnnstudio.viz.parameterization import ImageParameterization
from cnnstudio.viz.runtime import InspectError, as_batch, evaluating


@dataclass(frozen=True)
class SynthesisStep:
    step: int  # 1 … steps
    steps: int
    images: np.ndarray  # (N, H, W, 3) uint8, one per unit (DeepDream: one)
    objective: np.ndarray  # (N,) the target activation of the input that this step's gradient was taken at


def _to_uint8(pixels: torch.Tensor) -> np.ndarray:
    pixels = pixels.detach().float().clamp(0, 1)
    if pixels.shape[1] != 3:
        pixels = pixels.mean(dim=1, keepdim=True).expand(-1, 3, -1, -1)
    return (pixels * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def _unit_scores(output: torch.Tensor, units: Sequence[int]) -> torch.Tensor:
    """Row i's activation of unit units[i]: the channel's mean for maps, the value for vectors."""
    if output.dim() == 4:
        per_channel = output.mean(dim=(2, 3))
    elif output.dim() == 2:
        per_channel = output
    else:
        raise InspectError(f"cannot maximize a unit of an output shaped {tuple(output.shape[1:])}")
    if max(units) >= per_channel.shape[1] or min(units) < 0:
        raise InspectError(f"unit {max(units)} is out of range: the layer has {per_channel.shape[1]} channels/units")
    rows = torch.arange(len(units), device=output.device)
    return per_channel[rows, torch.as_tensor(list(units), device=output.device)]


def _layer_output(model: nn.Module, x: torch.Tensor, layer: str | None) -> torch.Tensor:
    if layer is None:
        return model(x)
    return capture(model, x, [layer], grad=True)[layer]


def maximize_activation(
    model: nn.Module,
    spec: Preprocessing,
    units: Sequence[int],
    layer: str | None = None,
    *,
    steps: int = 64,
    learning_rate: float = 0.05,
    parameterization: str = "fourier",
    jitter: int = 0,
    blur_every: int = 0,
    blur_sigma: float = 0.5,
    decay: float = 0.0,
    size: tuple[int, int] | None = None,
    seed: int = 0,
    every: int = 1,
) -> Iterator[SynthesisStep]:
    """Synthesize, for each unit in `units`, an input that maximizes it (all units optimized together as
    one batch): a channel of `layer`, or a class of the model's output when layer is None.

    The ascent moves each image's parameters by `learning_rate` (RMS) along its normalized gradient.
    Regularizers: `jitter` shifts the image by up to that many pixels at random before each step (robust
    patterns rather than pixel-exact adversarial ones); `blur_every` Gaussian-blurs a pixel
    parameterization every that many steps; `decay` penalizes the squared distance from grey.
    Without jitter the objective is deterministic and the ascent is safeguarded: a step that lowered an
    image's objective (activation minus the decay penalty) is undone and its step size halved, so the
    objective never decreases from one yielded step to the next (blurring, a deliberate change, is the
    exception); without decay that objective is the unit's activation itself.
    Each yield carries the images and the activations they give; yields every `every` steps and after
    the last.
    """
    units = list(units)
    if not units:
        raise InspectError("choose at least one channel or class to maximize")
    height, width = size or (spec.height, spec.width)
    generator = torch.Generator().manual_seed(seed)
    image = ImageParameterization(
        parameterization, (len(units), spec.channels, height, width), generator=generator, device=device_of(model)
    )
    parameter = image.parameter
    per_image = (len(units),) + (1,) * (parameter.dim() - 1)  # broadcasts one value per image
    rates = torch.full(per_image, learning_rate, device=parameter.device)
    kept = None  # the last accepted point: (parameter, gradient, objective, activation)
    with evaluating(model):
        for step in range(1, steps + 1):
            pixels = image()
            dy, dx = _random_shift(generator, jitter)
            view = torch.roll(pixels, shifts=(dy, dx), dims=(2, 3)) if jitter else pixels
            activation = _unit_scores(_layer_output(model, as_batch(spec.normalize(view), model), layer), units)
            objective = activation - decay * (pixels - 0.5).pow(2).flatten(1).sum(dim=1) if decay else activation
            (gradient,) = torch.autograd.grad(objective.sum(), parameter)
            activation, objective = activation.detach(), objective.detach()
            if kept is not None and not jitter:
                worse = objective < kept[2]
                if bool(worse.any()):  # undo those images' last step and halve their step size
                    with torch.no_grad():
                        parameter[worse] = kept[0][worse]
                        pixels = image()
                    for now, then in zip((gradient, objective, activation), kept[1:], strict=True):
                        now[worse] = then[worse]
                    rates[worse] /= 2
            kept = (parameter.detach().clone(), gradient, objective, activation)
            if step % every == 0 or step == steps:
                yield SynthesisStep(step, steps, _to_uint8(pixels), activation.cpu().numpy())
            with torch.no_grad():
                rms = gradient.flatten(1).pow(2).mean(dim=1).sqrt().view(per_image)
                parameter += rates * gradient / (rms + 1e-12)
            if blur_every and step % blur_every == 0:
                image.blur_(blur_sigma)
                kept = None


@dataclass(frozen=True)
class GallerySection:
    layer: str
    channels: int  # how many channels of the layer the gallery shows (0 … channels-1)


@dataclass(frozen=True)
class GalleryStep:
    """Pictures of some channels of one gallery section, and how far the whole gallery is."""

    section: int  # index into the sections
    first: int  # the channel of images[0]
    images: np.ndarray  # (n, h, w, 3) uint8
    step: int  # gradient steps done over the whole gallery, 1 … steps
    steps: int


def gallery_size(spec: Preprocessing, max_side: int) -> tuple[int, int]:
    """The network's input size scaled down (aspect kept) so that its longer side is at most `max_side`."""
    scale = min(1.0, max_side / max(spec.height, spec.width))
    return max(1, round(spec.height * scale)), max(1, round(spec.width * scale))


def channel_gallery(
    model: nn.Module,
    spec: Preprocessing,
    sections: Sequence[GallerySection],
    *,
    steps: int = 48,
    chunk: int = 8,
    max_side: int = 112,
    every: int = 4,
) -> Iterator[GalleryStep]:
    """What each channel of each section responds to most: `maximize_activation` on `chunk` channels at a
    time (one batch), at most max_side pixels large (enough for a channel's pattern, and quick), yielding
    the pictures every `every` steps so a grid can fill in as it goes."""
    size = gallery_size(spec, max_side)
    jitter = max(1, min(size) // 32)
    total = sum(math.ceil(section.channels / chunk) for section in sections) * steps
    done = 0
    for index, section in enumerate(sections):
        for first in range(0, section.channels, chunk):
            units = range(first, min(first + chunk, section.channels))
            pictures = maximize_activation(
                model, spec, units, section.layer, steps=steps, jitter=jitter, size=size, every=every
            )
            try:
                for step in pictures:
                    yield GalleryStep(index, first, step.images, done + step.step, total)
            finally:
                pictures.close()
            done += steps


def _random_shift(generator: torch.Generator, jitter: int) -> tuple[int, int]:
    if not jitter:
        return 0, 0
    dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
    return dy, dx


def deep_dream(
    model: nn.Module,
    x: torch.Tensor,
    spec: Preprocessing,
    layer: str,
    *,
    channel: int | None = None,
    octaves: int = 3,
    octave_scale: float = 1.4,
    steps: int = 10,
    strength: float = 0.02,
    jitter: int = 8,
    seed: int = 0,
) -> Iterator[SynthesisStep]:
    """Amplify what `layer` (or one `channel` of it) responds to in image `x` (a model input).

    Works from a small copy of the image up to full size (`octaves` sizes, each `octave_scale` times
    larger), so patterns grow at several scales; the detail added at one octave is carried to the next.
    Each step moves the pixels by `strength` along the normalized gradient of the layer's mean squared
    activation (of the channel's mean activation). Yields after every step, at the image's full size.
    """
    if octaves < 1 or octave_scale <= 1 or steps < 1:
        raise InspectError("DeepDream needs octaves ≥ 1, an octave scale > 1 and steps ≥ 1")
    generator = torch.Generator().manual_seed(seed)
    base = spec.denormalize(as_batch(x, model)[:1].detach()).clamp(0, 1)
    full_size = tuple(base.shape[2:])
    sizes = [tuple(max(1, round(side / octave_scale**k)) for side in full_size) for k in reversed(range(octaves))]
    detail = torch.zeros_like(_resized(base, sizes[0]))
    total, done = octaves * steps, 0
    with evaluating(model):
        for size in sizes:
            octave_base = _resized(base, size)
            image = (octave_base + _resized(detail, size)).clamp(0, 1)
            for _ in range(steps):
                dy, dx = _random_shift(generator, jitter)
                shifted = torch.roll(image, shifts=(dy, dx), dims=(2, 3)).requires_grad_(True)
                try:
                    output = _layer_output(model, spec.normalize(shifted), layer)
                except RuntimeError as error:
                    raise InspectError(
                        f"the network cannot process the {size[0]}×{size[1]} octave "
                        f"({str(error).splitlines()[0]}); use fewer octaves"
                    ) from None
                objective = output.pow(2).mean() if channel is None else _unit_scores(output, [channel])[0]
                (gradient,) = torch.autograd.grad(objective, shifted)
                gradient = torch.roll(gradient, shifts=(-dy, -dx), dims=(2, 3))
                image = (image + strength * gradient / (gradient.abs().mean() + 1e-12)).clamp(0, 1).detach()
                done += 1
                shown = _to_uint8(_resized(image, full_size))
                yield SynthesisStep(done, total, shown, np.array([float(objective.detach())]))
            detail = image - octave_base


def _resized(images: torch.Tensor, size: tuple[int, ...]) -> torch.Tensor:
    if tuple(images.shape[2:]) == tuple(size):
        return images
    return F.interpolate(images, size=size, mode="bilinear", align_corners=False)
