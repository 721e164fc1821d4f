"""The messages a training run emits: small, flat, JSON-serializable dataclasses.

The GUI runs training in a worker process and follows these messages; `cnnstudio train --json`
prints one per line. Every message turns into a dict with an "event" key (`to_dict`) and back
(`event_from_dict`), so they cross process boundaries and files unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Started:
    """The run is set up: what trains, where, and on how much data."""

    kind: ClassVar[str] = "started"
    run_dir: str
    device: str
    precision: str
    epochs: int
    start_epoch: int  # epochs already done (resume), 0 for a new run
    steps_per_epoch: int
    batch_size: int
    train_size: int
    val_size: int
    classes: list[str]
    params: int
    trainable_params: int
    world_size: int = 1
    notes: list[str] = field(default_factory=list)  # e.g. weights that were or were not loaded
    task: str = "single-label"  # "multi-label": accuracies in the events are macro AUROCs


@dataclass
class BatchMetrics:
    """Progress within an epoch, emitted at most 10 times a second; loss/accuracy since the last one."""

    kind: ClassVar[str] = "batch"
    epoch: int  # 1-based
    batch: int  # batches done in this epoch
    batches: int  # batches per epoch
    step: int  # optimizer steps since the run began
    loss: float
    accuracy: float  # fraction
    lr: float
    images_per_s: float
    elapsed: float  # seconds since the run (or the resumed part of it) began
    eta: float  # seconds until the last epoch ends


@dataclass
class EpochSummary:
    """One finished epoch. Accuracies are fractions; val_* are None without a validation set."""

    kind: ClassVar[str] = "epoch"
    epoch: int
    epochs: int
    train_loss: float
    train_acc: float
    val_loss: float | None
    val_acc: float | None
    lr: float
    images_per_s: float  # training images per second (validation time excluded)
    seconds: float  # this epoch, training and validation
    elapsed: float
    eta: float
    best: bool  # the validation loss is the best so far


@dataclass
class Validation:
    """An intermediate validation, every `TrainConfig.val_every` batches (the one at the end of an epoch is
    in its EpochSummary): the validation loss and accuracy after batch `batch` of `batches` in `epoch`."""

    kind: ClassVar[str] = "validation"
    epoch: int  # 1-based
    batch: int
    batches: int
    step: int
    val_loss: float
    val_acc: float

    @property
    def position(self) -> float:
        """Where it sits on the epoch axis (as a batch message at the same batch)."""
        return self.epoch - 1 + self.batch / self.batches


@dataclass
class CheckpointWritten:
    kind: ClassVar[str] = "checkpoint"
    tag: str  # "best" or "last"
    path: str  # the checkpoint folder
    epoch: int  # epochs completed
    step: int


@dataclass
class Paused:
    """The run paused (True) or continued (False) at a batch boundary."""

    kind: ClassVar[str] = "paused"
    paused: bool
    epoch: int
    step: int


@dataclass
class Finished:
    """The run ended without an error.

    reason: "completed" (all epochs), "early_stopped" (validation loss stopped improving) or
    "stopped" (asked to stop; `last` holds the exact position, resume continues from there).
    """

    kind: ClassVar[str] = "finished"
    reason: str
    epochs_completed: int
    step: int
    best_epoch: int | None
    best_val_loss: float | None
    best_val_acc: float | None
    seconds: float
    run_dir: str


@dataclass
class Error:
    """The run could not go on. `message` says what happened, `hint` what to try.

    error: "non_finite" (loss or gradients became NaN/inf), "out_of_memory", "data" (data does not
    fit the network), "checkpoint" (cannot resume), "dependency" (a module is missing), "disk_full" (a checkpoint or
    metrics.json could not be written; the previous one is kept), "internal" (a bug: `details` has the
    traceback).
    """

    kind: ClassVar[str] = "error"
    error: str
    message: str
    hint: str = ""
    details: str = ""


Event = Started | BatchMetrics | Validation | EpochSummary | CheckpointWritten | Paused | Finished | Error
EVENT_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (Started, BatchMetrics, Validation, EpochSummary, CheckpointWritten, Paused, Finished, Error)
}


def to_dict(event: Event) -> dict[str, Any]:
    """{"event": kind, **fields}."""
    return {"event": event.kind, **dataclasses.asdict(event)}


def to_json(event: Event) -> str:
    """One line of JSON (non-finite numbers become null, so every line is standard JSON)."""
    return json.dumps(_finite(to_dict(event)), ensure_ascii=False)


def event_from_dict(data: dict[str, Any]) -> Event:
    """The event a `to_dict` result (or a parsed `--json` line) describes."""
    values = dict(data)
    kind = values.pop("event", None)
    if kind not in EVENT_TYPES:
        raise ValueError(f"not a training event: {kind!r}")
    return EVENT_TYPES[kind](**values)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
