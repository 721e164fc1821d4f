"""Checkpoints: `best` and `last` folders in the run directory, written atomically, read without code.

    run/last/weights.safetensors   the network, keyed by node id (loads into the design directly)
    run/last/state.safetensors     optimizer tensors and the torch/CUDA random-number states
    run/last/state.json            position (epoch, batch, step), optimizer hyperparameters, scheduler,
                                   loss scaler, Python/NumPy RNG states, the config, the design, and
                                   the normalization the network was trained with

A checkpoint is written into a fresh hidden folder and then swapped in by two renames; a crash at
any moment leaves the previous checkpoint or the new one complete (`checkpoint_dir` recovers the
previous one if the crash fell between the renames). Nothing is ever unpickled.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.fileio import NoSpaceError, atomic_write_text, no_space_error
from cnnstudio.pytorch.weights import (
    WeightsFileError,
    load_state_dict_file,
    save_state_dict,
)

FORMAT = "cnnstudio.checkpoint"
VERSION = 1
WEIGHTS, STATE_TENSORS, STATE_JSON = "weights.safetensors", "state.safetensors", "state.json"
CHECKPOINT_TAGS = ("best", "last")


class CheckpointError(Exception):
    """A checkpoint that is missing, incomplete or unreadable; the message names it and why."""


@dataclass
class Progress:
    """Where a run stands, and what early stopping and `best` remember.

    `batch` > 0 means the run stopped inside epoch `epoch + 1` after that many batches; the
    partial epoch's running sums are kept so its summary comes out as if it had not stopped.
    """

    epoch: int = 0  # completed epochs
    batch: int = 0
    step: int = 0
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    train_seconds: float = 0.0
    elapsed: float = 0.0
    best_epoch: int | None = None
    best_loss: float | None = None  # the validation loss (the training loss without validation data)
    best_val_acc: float | None = None
    epochs_without_improvement: int = 0


@dataclass
class DataInfo:
    """What the network was trained on; evaluation normalizes new data the same way."""

    classes: list[str]
    mean: list[float]
    std: list[float]
    input_shape: list[int]


@dataclass
class Checkpoint:
    """Everything read back from a checkpoint folder."""

    path: Path
    weights: dict[str, torch.Tensor]
    config: TrainConfig
    design: dict[str, Any]
    data: DataInfo
    progress: Progress
    optimizer: dict[str, Any] | None = None  # torch optimizer state_dict
    scheduler: dict[str, Any] = field(default_factory=dict)
    scaler: dict[str, Any] | None = None
    rng: dict[str, Any] | None = None
    history: list[dict[str, Any]] | None = None  # metrics.json's entries of the completed epochs


def save_checkpoint(
    run_dir: str | os.PathLike,
    tag: str,
    *,
    model: torch.nn.Module,
    config: TrainConfig,
    design: dict[str, Any],
    data: DataInfo,
    progress: Progress,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: dict[str, Any] | None = None,
    scaler: torch.amp.GradScaler | None = None,
    history: list[dict[str, Any]] | None = None,
) -> Path:
    """Write checkpoint `tag` ("best" or "last") of the run; returns its folder.

    history: the metrics.json entries of the epochs completed so far. Kept in the checkpoint, they rebuild a
    metrics.json that was lost or is behind it (a run killed between the two writes at an epoch's end), so a
    resumed run's history stays whole (run_folders.restore_history).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{tag}.new-", dir=run_dir))
    try:
        tensors: dict[str, torch.Tensor] = {}
        state: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "progress": dataclasses.asdict(progress),
            "config": config.to_dict(),
            "design": design,
            "data": dataclasses.asdict(data),
            "scheduler": scheduler or {},
            "scaler": _plain(scaler.state_dict()) if scaler is not None and scaler.is_enabled() else None,
            "history": history,
        }
        if optimizer is not None:
            state["optimizer"], optimizer_tensors = _split_optimizer_state(optimizer.state_dict())
            tensors.update(optimizer_tensors)
        state["rng"], rng_tensors = _capture_rng()
        tensors.update(rng_tensors)
        save_state_dict(model.state_dict(), staging / WEIGHTS)
        save_state_dict(tensors, staging / STATE_TENSORS)
        atomic_write_text(staging / STATE_JSON, json.dumps(state, indent=1))
        return _swap_in(staging, run_dir / tag)
    except NoSpaceError as error:  # said of the checkpoint, not of the file in the staging folder
        shutil.rmtree(staging, ignore_errors=True)
        raise no_space_error(error.errno, run_dir / tag) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def checkpoint_dir(run_dir: str | os.PathLike, tag: str = "last") -> Path:
    """The folder of checkpoint `tag`, recovering it if a crash interrupted its replacement."""
    run_dir = Path(run_dir)
    target, previous = run_dir / tag, run_dir / f".{tag}.old"
    if not (target / STATE_JSON).is_file() and (previous / STATE_JSON).is_file():
        shutil.rmtree(target, ignore_errors=True)
        os.replace(previous, target)
    return target


def has_checkpoint(run_dir: str | os.PathLike, tag: str) -> bool:
    """Whether checkpoint `tag` can be loaded (including one a crash left as `.tag.old`, which loading
    recovers), checked without changing anything."""
    return any((Path(run_dir) / name / STATE_JSON).is_file() for name in (tag, f".{tag}.old"))


def trained_checkpoint(run_dir: str | os.PathLike) -> str | None:
    """The checkpoint a run hands on (to evaluate, inspect, export): "best" when it has one, else "last";
    None when it has neither."""
    return next((tag for tag in CHECKPOINT_TAGS if has_checkpoint(run_dir, tag)), None)


def checkpoint_folders(run_dir: str | os.PathLike) -> list[Path]:
    """Every folder the checkpoints of a run occupy: best/ and last/, and what a crash left of replacing
    them (.tag.old, .tag.new-*)."""
    run_dir = Path(run_dir)
    names = [name for tag in CHECKPOINT_TAGS for name in (tag, f".{tag}.old")]
    staged = [path for tag in CHECKPOINT_TAGS for path in run_dir.glob(f".{tag}.new-*")]
    return [run_dir / name for name in names if (run_dir / name).is_dir()] + [path for path in staged if path.is_dir()]


def load_checkpoint(run_dir: str | os.PathLike, tag: str = "last") -> Checkpoint:
    """Read checkpoint `tag` of a run directory (or a checkpoint folder given directly)."""
    given = Path(run_dir)
    path = given if (given / STATE_JSON).is_file() else checkpoint_dir(given, tag)
    if not (path / STATE_JSON).is_file():
        if not given.is_dir():
            raise CheckpointError(f"{given}: no such run folder")
        raise CheckpointError(
            f"{given}: no '{tag}' checkpoint (expected {path / STATE_JSON}); "
            "is this the --out folder of a training run?"
        )
    try:
        state = json.loads((path / STATE_JSON).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path / STATE_JSON}: unreadable ({error})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path / STATE_JSON}: not a CNN Studio checkpoint")
    if state.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint version {state.get('version')!r} is not supported "
            f"(this CNN Studio reads version {VERSION})"
        )
    try:
        weights = load_state_dict_file(path / WEIGHTS)
        tensors = load_file(str(path / STATE_TENSORS))
        checkpoint = Checkpoint(
            path=path,
            weights=weights,
            config=TrainConfig.from_dict(state["config"]),
            design=state["design"],
            data=DataInfo(**state["data"]),
            progress=Progress(**state["progress"]),
            scheduler=state.get("scheduler") or {},
            scaler=state.get("scaler"),
            history=state.get("history"),
        )
        if state.get("optimizer") is not None:
            checkpoint.optimizer = _join_optimizer_state(state["optimizer"], tensors)
        if state.get("rng") is not None:
            checkpoint.rng = {**state["rng"], "tensors": {k: v for k, v in tensors.items() if k.startswith("rng.")}}
            _check_rng(checkpoint.rng, path)
    except (WeightsFileError, SafetensorError, OSError, ConfigError) as error:
        raise CheckpointError(f"{path}: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: damaged checkpoint ({type(error).__name__}: {error})") from None
    return checkpoint


def restore_rng(rng: dict[str, Any]) -> None:
    """Put the Python, NumPy, torch and CUDA generators back where the checkpoint captured them."""
    random.setstate(_python_state(rng))
    np.random.set_state(_numpy_state(rng))
    tensors = rng["tensors"]
    torch.set_rng_state(tensors["rng.torch"])
    cuda_states = [tensors[f"rng.cuda.{index}"] for index in range(sum(k.startswith("rng.cuda.") for k in tensors))]
    if cuda_states and torch.cuda.is_available() and len(cuda_states) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda_states)


def _check_rng(rng: dict[str, Any], path: Path) -> None:
    """Load the saved states into throwaway generators, so a damaged one is found when the checkpoint is read
    (as a CheckpointError) rather than when the run restores it; the process's own generators are untouched."""
    try:
        random.Random().setstate(_python_state(rng))
        np.random.RandomState().set_state(_numpy_state(rng))
        torch.Generator().set_state(rng["tensors"]["rng.torch"])
    except (LookupError, TypeError, ValueError, RuntimeError, OverflowError) as error:
        raise CheckpointError(
            f"{path}: damaged checkpoint (its random-number state cannot be restored: {type(error).__name__}: {error})"
        ) from None


def _python_state(rng: dict[str, Any]) -> tuple[Any, ...]:
    version, internal, gauss = rng["python"]
    return version, tuple(internal), gauss


def _numpy_state(rng: dict[str, Any]) -> tuple[Any, ...]:
    state = rng["numpy"]
    return (
        state["kind"],
        np.asarray(state["keys"], dtype=np.uint32),
        state["pos"],
        state["has_gauss"],
        state["cached_gaussian"],
    )


def _capture_rng() -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": [version, list(internal), gauss],
        "numpy": {
            "kind": kind,
            "keys": keys.tolist(),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
    }
    tensors = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        tensors.update({f"rng.cuda.{index}": value for index, value in enumerate(torch.cuda.get_rng_state_all())})
    return state, tensors


def _split_optimizer_state(state_dict: dict[str, Any]) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Optimizer state → (JSON part, tensors keyed 'optimizer.<param index>.<name>')."""
    tensors: dict[str, torch.Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for index, entry in state_dict["state"].items():
        plain[str(index)] = {}
        for name, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{index}.{name}"] = value
            else:
                plain[str(index)][name] = value
    return {"state": plain, "param_groups": _plain(state_dict["param_groups"])}, tensors


def _join_optimizer_state(plain: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {int(index): dict(values) for index, values in plain["state"].items()}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": plain["param_groups"]}


def _swap_in(staging: Path, target: Path) -> Path:
    """Replace folder `target` by `staging`: target → .tag.old, staging → target, drop the old one."""
    previous = target.with_name(f".{target.name}.old")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        os.replace(target, previous)
    os.replace(staging, target)
    shutil.rmtree(previous, ignore_errors=True)
    for leftover in target.parent.glob(f".{target.name}.new-*"):  # from runs killed mid-write
        shutil.rmtree(leftover, ignore_errors=True)
    return target


def _plain(value: Any) -> Any:
    """Tuples → lists and tensors → numbers, so a state dict becomes JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, torch.Tensor):
        return value.item()
    return value
