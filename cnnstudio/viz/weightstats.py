"""Weight histograms per layer, and how the weights changed between two snapshots (e.g. two epochs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnstudio.viz.runtime import InspectError


@dataclass(frozen=True)
class Histogram:
    counts: np.ndarray  # (bins,)
    edges: np.ndarray  # (bins + 1,)


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    """Detached CPU copies of the model's floating-point parameters, keyed like its state_dict."""
    return {
        name: tensor.detach().to("cpu", copy=True)
        for name, tensor in model.named_parameters()
        if tensor.is_floating_point()
    }


def _tensors(source: nn.Module | Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    if isinstance(source, nn.Module):
        return snapshot(source)
    return {
        name: tensor.detach().cpu()
        for name, tensor in source.items()
        if isinstance(tensor, torch.Tensor) and tensor.is_floating_point()
    }


def histogram(values: torch.Tensor, bins: int = 50, value_range: tuple[float, float] | None = None) -> Histogram:
    values = values.detach().float().reshape(-1).cpu()
    low, high = value_range if value_range is not None else (float(values.min()), float(values.max()))
    if high <= low:
        low, high = low - 0.5, high + 0.5
    counts = torch.histc(values, bins=bins, min=low, max=high)
    return Histogram(counts.numpy().astype(np.int64), np.linspace(low, high, bins + 1))


def weight_histograms(source: nn.Module | Mapping[str, torch.Tensor], *, bins: int = 50) -> dict[str, Histogram]:
    """One histogram per weight tensor (`conv1.weight`, `conv1.bias` …) of a model or a state dict."""
    return {name: histogram(tensor, bins) for name, tensor in _tensors(source).items() if tensor.numel()}


@dataclass(frozen=True)
class WeightChange:
    name: str
    relative_change: float  # ‖after − before‖ / ‖before‖ (inf when before is all zero and after is not)
    mean_abs_change: float
    max_abs_change: float
    before: Histogram  # before and after share bin edges, so they can be drawn on one axis
    after: Histogram
    change: Histogram  # of after − before


def compare_weights(
    before: nn.Module | Mapping[str, torch.Tensor], after: nn.Module | Mapping[str, torch.Tensor], *, bins: int = 50
) -> list[WeightChange]:
    """How every weight tensor present in both snapshots changed, in the order of `after`.

    Tensors whose shapes differ (the design changed between the snapshots) are reported as an error
    naming them rather than silently skipped.
    """
    old, new = _tensors(before), _tensors(after)
    mismatched = [name for name in new if name in old and old[name].shape != new[name].shape]
    if mismatched:
        raise InspectError(f"the snapshots are of different networks: {', '.join(mismatched[:3])} changed shape")
    changes = []
    for name, tensor in new.items():
        if name not in old or not tensor.numel():
            continue
        previous = old[name].float()
        current = tensor.float()
        delta = current - previous
        norm = float(previous.norm())
        delta_norm = float(delta.norm())
        relative = delta_norm / norm if norm > 0 else (0.0 if delta_norm == 0 else float("inf"))
        shared = (min(float(previous.min()), float(current.min())), max(float(previous.max()), float(current.max())))
        changes.append(
            WeightChange(
                name,
                relative,
                float(delta.abs().mean()),
                float(delta.abs().max()),
                histogram(previous, bins, shared),
                histogram(current, bins, shared),
                histogram(delta, bins),
            )
        )
    return changes


@dataclass(frozen=True)
class TensorStats:
    name: str
    shape: tuple[int, ...]
    mean: float
    std: float
    histogram: Histogram


@dataclass(frozen=True)
class Weights:
    """A model's weight tensors, and how they changed since the previous model (when it had the same ones).

    snapshot: the model's weights as `snapshot` copies them (to compare the next model with);
    compared_with: the previous model's title ("" when there is no comparison).
    """

    snapshot: dict[str, torch.Tensor]
    stats: list[TensorStats]
    changes: dict[str, WeightChange]
    compared_with: str


def weight_summary(
    model: nn.Module, previous: Weights | None = None, previous_title: str = "", *, bins: int = 50
) -> Weights:
    """Every non-empty weight tensor of `model` with its mean, spread and histogram, and how each changed
    since `previous` (none when there is no previous model or it is a different network)."""
    current = snapshot(model)
    stats = [
        TensorStats(
            name,
            tuple(tensor.shape),
            float(tensor.float().mean()),
            float(tensor.float().std()) if tensor.numel() > 1 else 0.0,
            histogram(tensor, bins),
        )
        for name, tensor in current.items()
        if tensor.numel()
    ]
    changes: dict[str, WeightChange] = {}
    if previous is not None:
        try:
            changes = {change.name: change for change in compare_weights(previous.snapshot, current, bins=bins)}
        except InspectError:  # a different network: nothing to compare with
            changes = {}
    return Weights(current, stats, changes, previous_title if changes else "")
