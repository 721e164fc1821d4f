"""Running a model that someone else owns without disturbing it, and the cancel/progress conventions.

The inspector looks at whatever model the app holds: a freshly built design, an imported or pretrained
network, or the model being trained (which may be in train mode). Every view therefore runs the model in
eval mode (dropout off, BatchNorm on its running statistics, so the picture does not depend on the batch)
and restores each submodule's own mode afterwards.

Views register temporary hooks on the model and switch it to eval mode while they run, so give a
model to one view at a time (the GUI's inspector worker runs its jobs one after another) and never
inspect the very module another thread is training (inspect a copy refreshed from its checkpoints).

Long computations are either generators (the caller cancels by not asking for the next step, or by
closing the generator) or blocking functions that take `progress(fraction)` and `cancel` and raise
`Cancelled` when the flag is set (the conventions of `cnnstudio.progress`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from cnnstudio.engine.device import device_of


class InspectError(ValueError):
    """A view that cannot be computed for this model, input or setting; the message is for the user."""


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put `model` in eval mode for the block, then give every submodule back its own mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


def as_batch(x: torch.Tensor, model: nn.Module) -> torch.Tensor:
    """(C,H,W) or (N,C,H,W) → a float (N,C,H,W) batch on the model's device, in the model's dtype."""
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if x.dim() != 4:
        raise InspectError(f"expected images as (C, H, W) or (N, C, H, W), got shape {tuple(x.shape)}")
    parameter = next(iter(model.parameters()), None)
    dtype = parameter.dtype if parameter is not None and parameter.is_floating_point() else torch.float32
    return x.to(device=device_of(model), dtype=dtype)


def forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The model's output for `x` ((C,H,W) or (N,C,H,W)), in eval mode and without gradients; the model's
    own modes are given back afterwards."""
    with evaluating(model), torch.no_grad():
        return model(as_batch(x, model))


@contextmanager
def hooks_removed(handles: Iterable[RemovableHandle]) -> Iterator[None]:
    """Run the block with the hooks whose `handles` are given, then remove them (even if it raised)."""
    handles = list(handles)
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
