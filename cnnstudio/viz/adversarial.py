"""Adversarial examples: a perturbation too small to see that changes the prediction (FGSM, PGD)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from cnnstudio.data.pipeline import Preprocessing, display_image
from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.progress import CancelFlag, FractionProgress, check_cancel
from cnnstudio.viz.images import predict
from cnnstudio.viz.runtime import InspectError, as_batch, evaluating


@dataclass(frozen=True)
class AdversarialExample:
    adversarial: torch.Tensor  # (1, C, H, W) model input
    image: np.ndarray  # (H, W, 3) uint8 adversarial picture
    perturbation: np.ndarray  # (H, W, 3) uint8: grey = unchanged, the change magnified to the full range
    magnification: float  # how much the perturbation picture is magnified
    linf: float  # largest change of a pixel, in [0, 1] pixel units
    before: list[Prediction]
    after: list[Prediction]
    label: int  # the class pushed away from (untargeted) or towards (targeted)
    targeted: bool


def _log_probabilities(output: torch.Tensor) -> torch.Tensor:
    """Log-probabilities from scores, or from the probabilities of a network that ends with a Softmax."""
    output = output.flatten(1)
    sums = output.sum(dim=1)
    if bool((output >= 0).all()) and torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        return output.clamp_min(1e-12).log()
    return F.log_softmax(output, dim=1)


def adversarial_example(
    model: nn.Module,
    x: torch.Tensor,
    spec: Preprocessing,
    *,
    epsilon: float = 2 / 255,
    steps: int = 1,
    step_size: float | None = None,
    label: int | None = None,
    target: int | None = None,
    classes: Sequence[str] | None = None,
    progress: FractionProgress | None = None,
    cancel: CancelFlag | None = None,
) -> AdversarialExample:
    """Perturb image `x` (a model input) by at most `epsilon` per pixel (pixels in [0, 1]).

    steps=1 is FGSM (Goodfellow et al., 2015): one step of size epsilon along the sign of the loss
    gradient. steps>1 is PGD (Madry et al., 2018): steps of `step_size` (default 2.5·epsilon/steps),
    each projected back into the epsilon box. Untargeted (default): increase the loss of `label` (None:
    the predicted class). With `target`: decrease the loss of that class instead.
    """
    if epsilon <= 0 or steps < 1:
        raise InspectError("epsilon must be positive and steps at least 1")
    with evaluating(model):
        x = as_batch(x, model)[:1].detach()
        before = predict(model, x, classes)
        count = _log_probabilities(model(x).detach()).shape[1]
        chosen = target if target is not None else (label if label is not None else before[0].index)
        if not 0 <= chosen < count:
            raise InspectError(f"class {chosen} is out of range: the model has {count} outputs")
        step_size = epsilon if steps == 1 else (step_size or 2.5 * epsilon / steps)
        original = spec.denormalize(x).clamp(0, 1)
        pixels = original.clone()
        wanted = torch.tensor([chosen], device=x.device)
        for step in range(steps):
            check_cancel(cancel)
            pixels.requires_grad_(True)
            loss = F.nll_loss(_log_probabilities(model(spec.normalize(pixels))), wanted)
            (gradient,) = torch.autograd.grad(loss, pixels)
            direction = -gradient.sign() if target is not None else gradient.sign()
            with torch.no_grad():
                pixels = pixels + step_size * direction
                pixels = (original + (pixels - original).clamp(-epsilon, epsilon)).clamp(0, 1)
            if progress is not None:
                progress((step + 1) / steps)
        adversarial = spec.normalize(pixels.detach())
        after = predict(model, adversarial, classes)
    change = (pixels - original).detach()
    linf = float(change.abs().max())
    magnification = 0.5 / linf if linf > 0 else 1.0
    shown = Preprocessing(spec.input_shape, (0.0,), (1.0,))  # pixels as they are
    return AdversarialExample(
        adversarial,
        display_image(pixels.detach(), shown),
        display_image((0.5 + change * magnification).clamp(0, 1), shown),
        magnification,
        linf,
        before,
        after,
        chosen,
        target is not None,
    )
