"""The learning-rate range test ("LR finder", Smith 2015; fastai's lr_find): train for some hundred batches
while the learning rate grows exponentially from tiny to huge, record the smoothed loss, stop when it
diverges, and suggest the rate where the smoothed loss falls fastest. The model and the optimizer are
restored afterwards, so the test leaves no trace on what it measured.

    result = find_lr(graph, load_data("digits", (1, 28, 28)), TrainConfig())
    result.suggestion   # e.g. 0.0021 → TrainConfig(lr=result.suggestion)
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from cnnstudio.data import DataSplit
from cnnstudio.data.augment import parse_augment
from cnnstudio.engine.batches import DeviceData, batch_augmenter
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.device import resolve_device
from cnnstudio.engine.model import prepare_model, set_train_mode
from cnnstudio.engine.optim import build_optimizer
from cnnstudio.graph import NetworkGraph
from cnnstudio.progress import CancelFlag, FractionProgress, check_cancel

START_LR, END_LR, STEPS = 1e-7, 10.0, 100
# weight of the running average of the loss (bias-corrected); fastai's 0.98 lags some 50 steps behind, so
# far that over a hundred steps its steepest descent lies beyond the rates that train well
SMOOTHING = 0.95
DIVERGENCE = 4.0  # stop once the smoothed loss exceeds this multiple of its best value
SKIP_START, SKIP_END = 10, 5  # points left out of the suggestion: the start is noisy, the end diverging

Batch = tuple[torch.Tensor, torch.Tensor]


@dataclass
class LRFinderResult:
    """The range test's curve and its suggestion (None when the curve is too short to read one)."""

    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    suggestion: float | None
    diverged: bool  # the test stopped early because the loss exploded
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "suggestion": self.suggestion,
            "diverged": self.diverged,
            "lrs": self.lrs,
            "losses": self.losses,
            "smoothed": self.smoothed,
            "notes": self.notes,
        }


def range_test(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_of: Callable[[nn.Module, Batch], torch.Tensor],
    next_batch: Callable[[int], Batch],
    *,
    start: float = START_LR,
    end: float = END_LR,
    steps: int = STEPS,
    cancel: CancelFlag | None = None,
    progress: FractionProgress | None = None,
) -> LRFinderResult:
    """Run the range test on `model` with `optimizer`; both are restored to their state before it.

    next_batch(step) gives the batch of each step, loss_of(model, batch) its loss. Every parameter group
    gets the same rate (scaled by its `base_lr` relative to the largest, e.g. a slower body under a head).
    """
    if not 0 < start < end or steps < 2:
        raise ValueError(f"the range test needs 0 < start < end and at least 2 steps, not {start}, {end}, {steps}")
    saved_model = copy.deepcopy(model.state_dict())
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    bases = [group.get("base_lr", group["lr"]) for group in optimizer.param_groups]
    top = max(bases) or 1.0
    ratio = (end / start) ** (1 / (steps - 1))
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    average, best, diverged = 0.0, math.inf, False
    try:
        for step in range(steps):
            check_cancel(cancel)
            lr = start * ratio**step
            for group, base in zip(optimizer.param_groups, bases, strict=True):
                group["lr"] = lr * base / top
            loss = loss_of(model, next_batch(step))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            value = float(loss.detach())
            if not math.isfinite(value):
                diverged = True
                break
            average = SMOOTHING * average + (1 - SMOOTHING) * value
            current = average / (1 - SMOOTHING ** (step + 1))
            lrs.append(lr)
            losses.append(value)
            smoothed.append(current)
            best = min(best, current)
            if progress is not None:
                progress((step + 1) / steps)
            if step > 0 and current > DIVERGENCE * best:
                diverged = True
                break
    finally:
        model.load_state_dict(saved_model)
        optimizer.load_state_dict(saved_optimizer)
    suggestion, notes = suggest(lrs, smoothed)
    return LRFinderResult(lrs, losses, smoothed, suggestion, diverged, notes)


def suggest(lrs: list[float], smoothed: list[float]) -> tuple[float | None, list[str]]:
    """The rate at the steepest descent of the smoothed loss against log(lr) before its minimum (a fall
    after a spike in the diverging part is no good rate), skipping the noisy start; (None, why) when too
    few points remain."""
    lowest = int(np.argmin(smoothed)) if smoothed else 0
    end = min(len(smoothed) - SKIP_END, lowest + 1)
    usable = end - SKIP_START
    if usable < 3:
        return None, [
            f"the smoothed loss was lowest after {lowest + 1} of {len(smoothed)} steps, too early to suggest a "
            "rate: start the test at a lower rate, or check the network and the data if the loss never fell"
        ]
    curve = np.asarray(smoothed[SKIP_START:end])
    slopes = np.gradient(curve, np.log10(lrs[SKIP_START:end]))
    return float(lrs[SKIP_START + int(slopes.argmin())]), []


def find_lr(
    graph: NetworkGraph,
    data: DataSplit,
    config: TrainConfig,
    *,
    start: float = START_LR,
    end: float = END_LR,
    steps: int = STEPS,
    cancel: CancelFlag | None = None,
    progress: FractionProgress | None = None,
) -> LRFinderResult:
    """The range test of `graph` on the training images of `data`, with the optimizer, batch size,
    augmentation, weight decay and initialization of `config` (its rate and schedule are what it varies).

    Raises cnnstudio.pytorch.BuildError for a design with errors, ValueError for data it cannot take.
    """
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    prepared = prepare_model(graph, config.init)
    module = prepared.module.to(device)
    set_train_mode(module, prepared.frozen)
    optimizer = build_optimizer(module, config, prepared.head, device)
    train_data = DeviceData(data.train, data.mean, data.std, device)
    batch_size = min(config.batch_size, train_data.shard_size)
    per_epoch = train_data.steps(config.batch_size)
    augment = parse_augment(config.augment)
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)

    def next_batch(step: int) -> Batch:
        epoch, batch = divmod(step, per_epoch)
        order = train_data.order(config.seed, epoch)
        indices = order[batch * batch_size : (batch + 1) * batch_size]
        return train_data.batch(indices, batch_augmenter(augment, config.seed, epoch, batch))

    def loss_of(model: nn.Module, batch: Batch) -> torch.Tensor:
        images, labels = batch
        loss: torch.Tensor = criterion(model(images), labels)
        return loss

    return range_test(
        module, optimizer, loss_of, next_batch, start=start, end=end, steps=steps, cancel=cancel, progress=progress
    )
