"""Optimizer and learning-rate schedule for a run.

The schedules are torch's own schedulers, stepped once per batch, so the names mean what PyTorch users
know: "onecycle" is `OneCycleLR` (momentum cycled as torch does), "cosine" `CosineAnnealingLR`, "step"
`StepLR`; a warm-up is a `LinearLR` chained before them by `SequentialLR`; "constant" keeps the rate
(after the warm-up, if any). A checkpoint keeps the scheduler's state, so a resumed run continues on
exactly the same curve.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import nn
from torch.optim import lr_scheduler

from cnnstudio.engine.config import TrainConfig

# OneCycleLR's share of the run spent warming up when warmup_epochs is 0 (torch's default pct_start)
ONECYCLE_WARMUP_SHARE = 0.3


def build_optimizer(
    model: nn.Module, config: TrainConfig, head: set[str], device: torch.device
) -> torch.optim.Optimizer:
    """The configured optimizer over the trainable parameters.

    Parameter groups: the head (when `config.head_lr` is set) and the rest, each split so that
    biases and normalization scales/shifts (1-D tensors) get no weight decay — decaying them only
    hurts. Every group records whether it is the `head`.
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


def base_rate(group: dict[str, Any], config: TrainConfig) -> float:
    """The rate `config` gives a parameter group before any schedule."""
    return config.head_lr if group["head"] and config.head_lr is not None else config.lr


def reported_lr(optimizer: torch.optim.Optimizer) -> float:
    """The learning rate the next step uses: the body's (config.lr's) group, or the head's when only the head
    trains. This is the rate the events and the plots show."""
    groups = optimizer.param_groups
    return float(next((group for group in groups if not group["head"]), groups[0])["lr"])


def build_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, steps_per_epoch: int
) -> lr_scheduler.LRScheduler:
    """The torch scheduler of `config.schedule` over the whole run, stepped after every optimizer step.

    The warm-up (`warmup_epochs`, rounded to whole steps) is a LinearLR from 1/(W+1) of the rate up to
    it; for onecycle it is OneCycleLR's own rising phase instead (`pct_start`, 30 % when 0).
    """
    total = config.epochs * steps_per_epoch
    for group in optimizer.param_groups:
        group["lr"] = group["initial_lr"] = base_rate(group, config)
    if config.schedule == "onecycle":
        return _one_cycle(optimizer, config, total, steps_per_epoch)
    warmup = min(total - 1, round(config.warmup_epochs * steps_per_epoch))
    main: lr_scheduler.LRScheduler | None = None
    if config.schedule == "cosine":
        main = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - warmup)
    elif config.schedule == "step":
        every = config.step_epochs or max(1, round(config.epochs / 3))
        main = lr_scheduler.StepLR(optimizer, step_size=every * steps_per_epoch, gamma=config.step_gamma)
    if warmup < 1:
        return main or lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
    ramp = lr_scheduler.LinearLR(optimizer, start_factor=1 / (warmup + 1), end_factor=1.0, total_iters=warmup)
    if main is None:
        return ramp
    return lr_scheduler.SequentialLR(optimizer, [ramp, main], milestones=[warmup])


def _one_cycle(
    optimizer: torch.optim.Optimizer, config: TrainConfig, total: int, steps_per_epoch: int
) -> lr_scheduler.OneCycleLR:
    """OneCycleLR with torch's defaults (rate from max/25 up to max, then down to max/25e4; momentum, or
    Adam's beta1, from 0.95 down to 0.85 and back) where the optimizer has a momentum to cycle."""
    pct_start = ONECYCLE_WARMUP_SHARE
    if total >= 3:
        # OneCycleLR divides by zero when its rising phase ends at step 0 or at the last step
        wanted = round(config.warmup_epochs * steps_per_epoch) or round(ONECYCLE_WARMUP_SHARE * total)
        pct_start = min(max(wanted, 2), total - 1) / total
    cycles = config.optimizer in ("adam", "adamw") or (config.optimizer == "sgd" and config.momentum > 0)
    return lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=[base_rate(group, config) for group in optimizer.param_groups],
        total_steps=total,
        pct_start=pct_start,
        cycle_momentum=cycles,
    )


def scheduler_state(scheduler: lr_scheduler.LRScheduler, config: TrainConfig, steps_per_epoch: int) -> dict[str, Any]:
    """What a checkpoint keeps of the schedule: the scheduler's state and the settings it was built for."""
    return {**_shape(config, steps_per_epoch), "step": scheduler.last_epoch, "state": scheduler.state_dict()}


def _shape(config: TrainConfig, steps_per_epoch: int) -> dict[str, Any]:
    """The settings that fix a run's schedule and may differ when it resumes."""
    return {"schedule": config.schedule, "epochs": config.epochs, "lr": config.lr, "steps_per_epoch": steps_per_epoch}


def restore_scheduler(
    scheduler: lr_scheduler.LRScheduler,
    config: TrainConfig,
    steps_per_epoch: int,
    saved: dict[str, Any],
    step: int,
) -> lr_scheduler.LRScheduler:
    """The schedule of a resumed run, at optimizer step `step` (after the optimizer's state was loaded).

    The same settings continue the saved scheduler exactly. A run resumed with more epochs or another
    rate (or a checkpoint without scheduler state) gets the schedule of its new settings, advanced to `step`.
    """
    same = all(saved.get(key) == value for key, value in _shape(config, steps_per_epoch).items())
    if same and isinstance(saved.get("state"), dict):
        scheduler.load_state_dict(saved["state"])
        return scheduler
    scheduler = build_scheduler(scheduler.optimizer, config, steps_per_epoch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "lr_scheduler.step() before optimizer.step()"
        for _ in range(step):
            scheduler.step()
    return scheduler
