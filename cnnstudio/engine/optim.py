"""Optimizer and learning-rate schedule for a run.

The schedule is a pure function of the optimizer step (`LRSchedule.factor`), applied to every
parameter group's own base rate before each step. That makes the scheduler's whole state one
integer, the GUI can draw the curve before training, and resuming needs nothing else.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from cnnstudio.engine.config import TrainConfig

# one-cycle (Smith & Topin): start at lr / 25, warm up over 30 % of the run unless warmup_epochs is set
ONECYCLE_START = 1 / 25
ONECYCLE_WARMUP_SHARE = 0.3


def build_optimizer(
    model: nn.Module, config: TrainConfig, head: set[str], device: torch.device
) -> torch.optim.Optimizer:
    """The configured optimizer over the trainable parameters.

    Parameter groups: the head (when `config.head_lr` is set) and the rest, each split so that
    biases and normalization scales/shifts (1-D tensors) get no weight decay — decaying them only
    hurts. Every group records its `base_lr` for the schedule and whether it is the `head`.
    Parameter names start with the node id (`conv1.weight`), which is how `head` (a set of node
    ids) selects them. On CUDA the fused implementations are used (one kernel for all parameters).
    """
    groups: dict[tuple[bool, bool], list[nn.Parameter]] = {}
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        in_head = config.head_lr is not None and name.split(".", 1)[0] in head
        decays = config.weight_decay > 0 and parameter.ndim > 1
        groups.setdefault((in_head, decays), []).append(parameter)
    if not groups:
        raise ValueError("the network has no trainable parameters (every layer with weights is frozen)")
    param_groups = []
    for (in_head, decays), params in groups.items():
        lr = config.head_lr if in_head else config.lr
        param_groups.append(
            {
                "params": params,
                "lr": lr,
                "base_lr": lr,
                "head": in_head,
                "weight_decay": config.weight_decay if decays else 0.0,
            }
        )
    fused = {"fused": True} if device.type == "cuda" else {}
    if config.optimizer == "sgd":
        return torch.optim.SGD(param_groups, lr=config.lr, momentum=config.momentum, nesterov=config.nesterov, **fused)
    if config.optimizer == "adam":
        return torch.optim.Adam(param_groups, lr=config.lr, **fused)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(param_groups, lr=config.lr, **fused)
    return torch.optim.RMSprop(param_groups, lr=config.lr)


def set_base_rates(optimizer: torch.optim.Optimizer, config: TrainConfig) -> None:
    """Give every group the base rate of `config` (a resumed run may continue at a new rate)."""
    for group in optimizer.param_groups:
        group["base_lr"] = config.head_lr if group["head"] and config.head_lr is not None else config.lr


class LRSchedule:
    """The learning-rate multiplier at each optimizer step of the run."""

    def __init__(self, config: TrainConfig, steps_per_epoch: int) -> None:
        self.kind = config.schedule
        self.steps_per_epoch = steps_per_epoch
        self.total = config.epochs * steps_per_epoch
        warmup = config.warmup_epochs
        if self.kind == "onecycle" and warmup == 0:
            warmup = ONECYCLE_WARMUP_SHARE * config.epochs
        self.warmup = min(self.total - 1, round(warmup * steps_per_epoch))
        self.step_epochs = config.step_epochs or max(1, round(config.epochs / 3))
        self.gamma = config.step_gamma

    def factor(self, step: int) -> float:
        """Multiplier for optimizer step `step` (0-based)."""
        if step < self.warmup:
            start = ONECYCLE_START if self.kind == "onecycle" else 0.0
            return start + (1 - start) * (step + 1) / (self.warmup + 1)
        if self.kind == "step":
            return self.gamma ** ((step // self.steps_per_epoch) // self.step_epochs)
        if self.kind in ("cosine", "onecycle"):
            progress = (step - self.warmup) / max(1, self.total - self.warmup)
            return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
        return 1.0

    def apply(self, optimizer: torch.optim.Optimizer, step: int) -> float:
        """Set every group's rate for `step`; returns the multiplier."""
        factor = self.factor(step)
        for group in optimizer.param_groups:
            group["lr"] = group["base_lr"] * factor
        return factor
