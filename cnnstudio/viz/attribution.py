"""Which parts of the input a prediction rests on: Grad-CAM, Grad-CAM++ and Score-CAM, occlusion
sensitivity, and saliency (plain or guided-backprop gradients).

Grad-CAM, occlusion, saliency and guided backprop come from captum (PyTorch's own attribution library):
its implementations handle the hook bookkeeping (e.g. guided backprop's ReLU backward overrides, batched
occlusion windows and their averaging) that is easy to get subtly wrong. Grad-CAM++ and Score-CAM are not
in captum: Grad-CAM++ is computed here from the layer's activations and gradients (Chattopadhyay et al.,
2018, eq. 19), Score-CAM, which needs no gradients, from the class scores of the input masked by each map.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnstudio.pretrained.predictions import probabilities
from cnnstudio.progress import CancelFlag, FractionProgress, Progress, check_cancel
from cnnstudio.viz.activations import (
    LayerInfo,
    capture,
    default_target_layer,
    model_layers,
    module_for,
    spatial_layers,
)
from cnnstudio.viz.colormaps import colorize, quantize
from cnnstudio.viz.runtime import InspectError, as_batch, evaluating, forward

CAM_METHODS = ("gradcam", "gradcam++")
SALIENCY_METHODS = ("gradient", "guided")
METHODS = (*CAM_METHODS, "scorecam", "occlusion", *SALIENCY_METHODS)
OCCLUSION_MEMORY = 512 << 20  # bytes that the occluded copies of one forward pass may take
# Measured on EfficientNet-Lite0 on a CPU: 16 copies a pass run fastest; 55 take 40 % longer per copy (their
# activations no longer fit the caches), 8 or 32 about the same as 16.
MAX_OCCLUSION_BATCH = 16


@dataclass(frozen=True)
class Attribution:
    heat: np.ndarray  # (H, W) at the input's size, in [0, 1]: 1 = most important (for overlays)
    raw: np.ndarray  # the method's own map before upsampling and normalization (signed for occlusion)
    target: int  # the class explained
    method: str
    layer: str | None = None


def _single_input(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    x = as_batch(x, model)
    if x.shape[0] != 1:
        raise InspectError(f"attribution explains one image at a time, not {x.shape[0]}")
    return x


def _target(model: nn.Module, x: torch.Tensor, target: int | None) -> int:
    with torch.no_grad():
        scores = model(x).flatten(1)
    if target is None:
        return int(scores[0].argmax())
    if not 0 <= target < scores.shape[1]:
        raise InspectError(f"class {target} is out of range: the model has {scores.shape[1]} outputs")
    return target


def _normalized(values: torch.Tensor) -> np.ndarray:
    """Non-negative part scaled to [0, 1] (all zero stays all zero)."""
    values = values.detach().float().clamp_min(0)
    peak = float(values.max())
    return (values / peak if peak > 0 else values).cpu().numpy()


def grad_cam(
    model: nn.Module, x: torch.Tensor, layer: str, target: int | None = None, *, method: str = "gradcam"
) -> Attribution:
    """Class-activation map of `layer` (a layer with (C, h, w) output) for class `target` (None: the
    predicted class), upsampled bilinearly to the input size."""
    from captum.attr import LayerAttribution, LayerGradCam

    if method not in CAM_METHODS:
        raise InspectError(f"method must be one of {', '.join(CAM_METHODS)}, not {method!r}")
    module = module_for(model, layer)
    with evaluating(model):
        x = _single_input(model, x)
        target = _target(model, x, target)
        if method == "gradcam":
            cam = LayerGradCam(model, module).attribute(x, target=target, relu_attributions=True)
        else:
            cam = _grad_cam_plus_plus(model, module, x, target)
    if cam.dim() != 4:
        raise InspectError(f"{layer} outputs shape {tuple(cam.shape[1:])}, not 2-D maps; choose a convolution layer")
    upsampled = LayerAttribution.interpolate(cam, tuple(x.shape[2:]), interpolate_mode="bilinear")
    return Attribution(_normalized(upsampled[0, 0]), cam[0, 0].detach().cpu().numpy(), target, method, layer)


def _grad_cam_plus_plus(model: nn.Module, module: nn.Module, x: torch.Tensor, target: int) -> torch.Tensor:
    store: dict[str, torch.Tensor] = {}

    def keep(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        store.setdefault("activation", output)

    handle = module.register_forward_hook(keep)
    try:
        with torch.enable_grad():
            score = model(x).flatten(1)[0, target]
            activation = store["activation"]
            if activation.dim() != 4:
                raise InspectError(f"the layer outputs shape {tuple(activation.shape[1:])}, not 2-D maps")
            (gradient,) = torch.autograd.grad(score, activation)
    finally:
        handle.remove()
    activation, gradient = activation.detach(), gradient.detach()
    # With exp(score) as the class score, its higher derivatives are powers of the first (eq. 19).
    squared, cubed = gradient.pow(2), gradient.pow(3)
    denominator = 2 * squared + activation.sum(dim=(2, 3), keepdim=True) * cubed
    alpha = squared / torch.where(denominator != 0, denominator, torch.ones_like(denominator))
    weights = (alpha * gradient.clamp_min(0)).sum(dim=(2, 3), keepdim=True)
    return (weights * activation).sum(dim=1, keepdim=True).clamp_min(0)


def score_cam(
    model: nn.Module,
    x: torch.Tensor,
    layer: str,
    target: int | None = None,
    *,
    batch: int = 16,
    progress: FractionProgress | None = None,
    cancel: CancelFlag | None = None,
) -> Attribution:
    """Score-CAM (Wang et al., 2020), a class-activation map without gradients: each map of `layer`,
    upsampled to the input and scaled to [0, 1], masks the input (0 is the mean colour of a normalized
    model); the class score of each masked input, softmaxed over the maps, weighs the maps.

    One forward pass per map, `batch` at a time: a layer with many maps (1,280 in EfficientNet's last)
    takes a while. `progress(fraction)` is called after each batch; a set `cancel` raises Cancelled.
    """
    from captum.attr import LayerAttribution

    if batch < 1:
        raise InspectError("the batch must hold at least one masked image")
    with evaluating(model):
        x = _single_input(model, x)
        target = _target(model, x, target)
        maps = capture(model, x, [layer])[layer]
        if maps.dim() != 4:
            raise InspectError(
                f"{layer} outputs shape {tuple(maps.shape[1:])}, not 2-D maps; choose a convolution layer"
            )
        maps = maps[0].detach()
        masks = LayerAttribution.interpolate(maps[:, None], tuple(x.shape[2:]), interpolate_mode="bilinear")[:, 0]
        low = masks.flatten(1).amin(dim=1).view(-1, 1, 1)
        span = masks.flatten(1).amax(dim=1).view(-1, 1, 1) - low
        masks = torch.where(span > 0, (masks - low) / span.clamp_min(torch.finfo(masks.dtype).tiny), 0.0)
        scores = []
        with torch.no_grad():
            for start in range(0, len(masks), batch):
                check_cancel(cancel)
                chunk = masks[start : start + batch, None] * x
                scores.append(model(chunk).flatten(1)[:, target].float())
                if progress is not None:
                    progress(min(start + batch, len(masks)) / len(masks))
    weights = torch.softmax(torch.cat(scores), dim=0).to(maps.dtype)
    cam = (weights.view(-1, 1, 1) * maps).sum(dim=0).clamp_min(0)
    upsampled = LayerAttribution.interpolate(cam[None, None], tuple(x.shape[2:]), interpolate_mode="bilinear")
    return Attribution(_normalized(upsampled[0, 0]), cam.cpu().numpy(), target, "scorecam", layer)


def occlusion_batch(model: nn.Module, x: torch.Tensor) -> int:
    """How many occluded copies of x one forward pass takes: as many as fit OCCLUSION_MEMORY, counting for
    each copy four times its largest layer output or input (a pass without gradients holds a layer's input and output
    and a residual branch at once), at most MAX_OCCLUSION_BATCH. EfficientNet-Lite0 at 224²: 16 (27 fit);
    VGG-16: 10."""
    shape = tuple(x.shape[-3:])
    per_copy = 4 * max(math.prod(size) for size in [shape, *(layer.shape for layer in model_layers(model, shape))])
    return max(1, min(MAX_OCCLUSION_BATCH, OCCLUSION_MEMORY // (per_copy * x.element_size())))


def occlusion(
    model: nn.Module,
    x: torch.Tensor,
    target: int | None = None,
    *,
    patch: int = 16,
    stride: int = 8,
    baseline: float = 0.0,
    batch: int | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> Attribution:
    """How much the class score drops when a patch×patch square (of value `baseline` in the model's
    input space; 0 is the mean colour for a normalized model) covers each position.

    The occluded copies run `batch` at a time (default: occlusion_batch, which bounds the memory), in the
    channels-last layout, in which the CPU's convolutions run about a third faster. `progress(message, fraction)` is
    called after each pass with the positions done and an estimate of the time left; a set `cancel` flag
    raises Cancelled between passes.
    """
    from captum.attr import Occlusion

    if patch < 1 or stride < 1:
        raise InspectError("patch and stride must be at least 1 pixel")
    with evaluating(model):
        x = _single_input(model, x)
        channels, height, width = x.shape[1:]
        if patch > min(height, width):
            raise InspectError(f"the patch ({patch}) is larger than the image ({height}×{width})")
        target = _target(model, x, target)
        batch = batch or occlusion_batch(model, x)
        positions = ((height - patch) // stride + 1) * ((width - patch) // stride + 1)
        done = -1  # captum's first pass is the image itself
        started = time.monotonic()

        def forward(inputs: torch.Tensor) -> torch.Tensor:
            nonlocal done, started
            check_cancel(cancel)
            with torch.no_grad():
                scores = model(inputs.contiguous(memory_format=torch.channels_last))
            if done < 0:
                done, started = 0, time.monotonic()
            else:
                done = min(done + batch, positions)
            if progress is not None:
                left = (time.monotonic() - started) / done * (positions - done) if done else None
                progress(_occlusion_message(done, positions, left), done / positions)
            return scores

        attribution = Occlusion(forward).attribute(
            x,
            sliding_window_shapes=(channels, patch, patch),
            strides=(channels, stride, stride),
            baselines=baseline,
            target=target,
            perturbations_per_eval=batch,
        )
    raw = attribution[0].mean(dim=0)
    return Attribution(_normalized(raw), raw.cpu().numpy(), target, "occlusion")


def _occlusion_message(done: int, positions: int, left: float | None) -> str:
    """ "Occlusion: 110 of 729 positions, about 0:42 left"."""
    from cnnstudio.engine.console import duration

    estimate = f", about {duration(left)} left" if left is not None and done < positions else ""
    return f"Occlusion: {done} of {positions} positions{estimate}"


def saliency(model: nn.Module, x: torch.Tensor, target: int | None = None, *, method: str = "gradient") -> Attribution:
    """|∂score/∂pixel| (max over colour channels). "guided" is guided backprop: only positive gradients
    pass back through ReLU modules, which gives crisper edges; for networks without nn.ReLU modules
    (e.g. ReLU6 or functional activations) it equals the plain gradient."""
    from captum.attr import GuidedBackprop, Saliency

    if method not in SALIENCY_METHODS:
        raise InspectError(f"method must be one of {', '.join(SALIENCY_METHODS)}, not {method!r}")
    with evaluating(model):
        x = _single_input(model, x)
        target = _target(model, x, target)
        inputs = x.detach().clone().requires_grad_(True)
        if method == "gradient":
            gradients = Saliency(model).attribute(inputs, target=target, abs=True)
        else:
            with warnings.catch_warnings():  # captum announces every time that it hooks the ReLUs
                warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
                gradients = GuidedBackprop(model).attribute(inputs, target=target).abs()
    raw = gradients[0].amax(dim=0)
    return Attribution(_normalized(raw), raw.detach().cpu().numpy(), target, method)


@dataclass(frozen=True)
class Explained:
    """An attribution of one class as the inspector shows it: the map, the class's probability for the
    input, and the model's layers (the choices of a layer-based method)."""

    attribution: Attribution
    probability: float
    layers: list[LayerInfo]


def explain_class(
    model: nn.Module,
    x: torch.Tensor,
    method: str,
    target: int,
    *,
    layer: str | None = None,
    patch: int = 16,
    stride: int = 8,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    multilabel: bool = False,
) -> Explained:
    """Attribute class `target` for input x (1, C, H, W) with `method` (one of METHODS); of a multi-label
    model (`multilabel`), label `target`: its score is that label's logit, its probability its sigmoid. The CAM methods
    use `layer` when the model has a spatial layer of that name, else the last one; occlusion covers the
    input with a `patch`-pixel square every `stride` pixels. Score-CAM and occlusion report progress
    (occlusion with the time left) and can be cancelled."""
    if method not in METHODS:
        raise InspectError(f"unknown attribution method {method!r}; choose one of {', '.join(METHODS)}")
    layers = model_layers(model, tuple(x.shape[-3:]))
    if method in (*CAM_METHODS, "scorecam"):
        names = [info.name for info in spatial_layers(layers)]
        layer = layer if layer in names else default_target_layer(layers)
        if method == "scorecam":
            fraction = None if progress is None else (lambda value: progress("", value))
            attribution = score_cam(model, x, layer, target, progress=fraction, cancel=cancel)
        else:
            attribution = grad_cam(model, x, layer, target, method=method)
    elif method == "occlusion":
        attribution = occlusion(model, x, target, patch=patch, stride=stride, progress=progress, cancel=cancel)
    else:
        attribution = saliency(model, x, target, method=method)
    probability = float(probabilities(forward(model, x), multilabel=multilabel)[0, attribution.target])
    return Explained(attribution, probability, layers)


def raw_picture(raw: np.ndarray, signed: bool) -> tuple[np.ndarray, float, float, str]:
    """A method's own map in colour: a signed map (occlusion's score changes) on the blue–white–red scale
    centred on zero, others on viridis from 0. Returns the picture, the value range its colours span
    and the colour map used."""
    values = torch.from_numpy(np.asarray(raw, dtype=np.float32))
    if signed:
        high = float(values.abs().max())
        low, colormap = -high, "diverging"
    else:
        low, high, colormap = 0.0, float(values.max()), "viridis"
    return colorize(quantize(values, low, high), colormap), low, high, colormap
