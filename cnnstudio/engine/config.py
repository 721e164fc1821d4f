"""TrainConfig: every choice a training run makes, as plain JSON-able data.

A run's config is saved in its checkpoints, so a resumed run trains exactly as the original did and
`cnnstudio evaluate DIR` knows which data and normalization the network was trained with.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "cosine", "onecycle")
PRECISIONS = ("auto", "off", "bf16", "fp16")
INITS = ("default", "kaiming", "xavier")
# test-time augmentation of an evaluation (cnnstudio.engine.evaluate); here so that the command line offers
# the choices without importing torch
TTA_MODES = ("none", "flip", "crops", "flip+crops")


class ConfigError(ValueError):
    """A training option with an invalid value; the message names the option and what it accepts."""


@dataclass
class TrainConfig:
    """How to train. Defaults train the shipped templates well on the bundled data.

    Learning-rate schedule: `schedule` is one of torch's schedulers, stepped every batch (see optim.py);
    `warmup_epochs` (may be fractional) ramps the rate up linearly from near zero first (LinearLR).
    `step` (StepLR) multiplies it by `step_gamma` every `step_epochs` epochs (0: every third of the run);
    `cosine` is CosineAnnealingLR down to zero; `onecycle` is OneCycleLR, rising from lr/25 for
    `warmup_epochs` (30 % of the run when 0), then annealing to nearly zero, with SGD's momentum (or
    Adam's beta1) cycled from 0.95 to 0.85 and back instead of `momentum`.

    `head_lr`: a separate learning rate for the head — the layers after the last frozen layer, or the
    classifier layer when nothing is frozen (fine-tuning a pretrained network).
    `val_every`: validate also after every this many batches (as Deep Network Designer's
    ValidationFrequency), for curves of short runs; 0 validates at the end of each epoch only.
    `patience`: stop when the validation loss has not improved for this many epochs (None: never).
    `precision`: "auto" uses bf16 on CUDA GPUs that support it, else fp16 with loss scaling; fp32 on
    CPU and Apple GPUs. `deterministic`: reproducible results on the same machine (slower on GPUs).
    `compile`: run the training steps through torch.compile (off by default: on small networks and CPUs the
    compile time rarely pays, see benchmarks/compile.py); a run whose model cannot be compiled trains in eager
    PyTorch and says why in Started.notes.
    `pos_weight`: multi-label runs weight each label's positives by its negatives-to-positives ratio in the
    training images (BCEWithLogitsLoss's pos_weight), so rare labels count; single-label runs ignore it.
    `augment`: the augmentation text understood by `cnnstudio.data.augment.parse_augment`.
    `data`, `val_fraction`: which data the run used (recorded so evaluation can load the same split).
    """

    epochs: int = 10
    batch_size: int = 64
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    schedule: str = "constant"
    warmup_epochs: float = 0.0
    step_epochs: int = 0
    step_gamma: float = 0.1
    head_lr: float | None = None
    label_smoothing: float = 0.0
    pos_weight: bool = False
    grad_clip: float | None = None
    patience: int | None = None
    val_every: int = 0
    seed: int = 0
    deterministic: bool = False
    device: str = "auto"
    precision: str = "auto"
    compile: bool = False
    init: str = "default"
    augment: str = ""
    data: str = ""
    val_fraction: float = 0.2

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ConfigError for the first invalid option."""
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("schedule", self.schedule, SCHEDULES)
        _choice("precision", self.precision, PRECISIONS)
        _choice("init", self.init, INITS)
        _integer("epochs", self.epochs, 1)
        _integer("batch_size", self.batch_size, 1)
        _integer("step_epochs", self.step_epochs, 0)
        _integer("seed", self.seed, 0)
        _integer("val_every", self.val_every, 0)
        if self.patience is not None:
            _integer("patience", self.patience, 1)
        _number("lr", self.lr, low=0.0, low_open=True)
        if self.head_lr is not None:
            _number("head_lr", self.head_lr, low=0.0)
        _number("momentum", self.momentum, low=0.0, high=1.0, high_open=True)
        _number("weight_decay", self.weight_decay, low=0.0)
        _number("warmup_epochs", self.warmup_epochs, low=0.0)
        _number("step_gamma", self.step_gamma, low=0.0, high=1.0, low_open=True)
        _number("label_smoothing", self.label_smoothing, low=0.0, high=1.0, high_open=True)
        _number("val_fraction", self.val_fraction, low=0.0, high=1.0, high_open=True)
        if self.grad_clip is not None:
            _number("grad_clip", self.grad_clip, low=0.0, low_open=True)
        if self.nesterov and (self.optimizer != "sgd" or self.momentum == 0):
            raise ConfigError("nesterov needs the sgd optimizer with a momentum above 0")
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
        if not isinstance(self.augment, str) or not isinstance(self.data, str):
            raise ConfigError("augment and data must be text")
        for name in ("nesterov", "deterministic", "compile", "pos_weight"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """The config from saved values; unknown keys are refused so typos do not pass silently."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown training option(s): {', '.join(unknown)}")
        return cls(**values)

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def _integer(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")


def _number(
    name: str, value: Any, *, low: float, high: float = math.inf, low_open: bool = False, high_open: bool = False
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        upper = "∞" if math.isinf(high) else f"{high:g}"
        raise ConfigError(f"{name} must lie in {left}{low:g}, {upper}{right}, not {value!r}")
