"""The search space of a sweep: which hyperparameters vary, over what, and how a trial's values become a
design and a TrainConfig (pure Python; no Optuna).

A space file (JSON) names each hyperparameter with its kind and range, and may fix training options for
every trial:

    {"format": "cnnstudio.space", "version": 1,
     "params": {"lr": {"kind": "float", "low": 1e-4, "high": 0.03, "log": true},
                "batch_size": {"kind": "categorical", "choices": [32, 64, 128]},
                "width": {"kind": "float", "low": 0.5, "high": 2.0, "log": true}},
     "fixed": {"epochs": 8}}

Kinds: "float" and "int" (low, high, optional log, optional step) and "categorical" (choices). Names:
any training option of TrainConfig (lr, batch_size, optimizer, weight_decay, schedule, epochs, momentum,
label_smoothing, warmup_epochs …), "augment" (an augmentation strength from 0 to 1, see
`augment_for_strength`) and the design knobs "width" (multiplier of the convolution channels) and
"dropout" (p of the Dropout layers; one is put before the classifier when the design has none).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.experiments.knobs import KNOBS, apply_knobs
from cnnstudio.graph import NetworkGraph

FORMAT, VERSION = "cnnstudio.space", 1
KINDS = ("float", "int", "categorical")
AUGMENT = "augment"  # a strength in [0, 1], not TrainConfig's augmentation text
# what a sweep may vary besides these: TrainConfig's options, except the ones that say which data and device
_NOT_SWEPT = frozenset({"data", "val_fraction", "device", "seed", "deterministic", "precision"})
TRAINING_NAMES = tuple(f.name for f in dataclasses.fields(TrainConfig) if f.name not in _NOT_SWEPT)
NAMES = (*TRAINING_NAMES, *KNOBS)

DEFAULT_SPACE: dict[str, Any] = {
    "format": FORMAT,
    "version": VERSION,
    "params": {
        "lr": {"kind": "float", "low": 1e-4, "high": 3e-2, "log": True},
        "batch_size": {"kind": "categorical", "choices": [32, 64, 128]},
        "optimizer": {"kind": "categorical", "choices": ["adam", "adamw", "sgd"]},
        "weight_decay": {"kind": "float", "low": 1e-6, "high": 1e-2, "log": True},
        "schedule": {"kind": "categorical", "choices": ["constant", "cosine", "onecycle"]},
        "augment": {"kind": "float", "low": 0.0, "high": 0.5},
        "width": {"kind": "float", "low": 0.5, "high": 2.0, "log": True},
        "dropout": {"kind": "float", "low": 0.0, "high": 0.5},
    },
    "fixed": {},
}


class SpaceError(ValueError):
    """A search space that cannot be used; the message names the file, the field and what it accepts."""


class Suggester(Protocol):
    """What a space needs of an Optuna trial."""

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float: ...

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int: ...

    def suggest_categorical(self, name: str, choices: Any) -> Any: ...


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] = ()

    def suggest(self, trial: Suggester) -> Any:
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        assert self.low is not None and self.high is not None
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log)

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "categorical":
            return {"kind": self.kind, "choices": list(self.choices)}
        entry: dict[str, Any] = {"kind": self.kind, "low": self.low, "high": self.high, "log": self.log}
        if self.step is not None:
            entry["step"] = self.step
        return entry


@dataclass(frozen=True)
class SearchSpace:
    params: tuple[Param, ...]
    fixed: dict[str, Any]

    def suggest(self, trial: Suggester) -> dict[str, Any]:
        """One trial's values, name → value."""
        return {param.name: param.suggest(trial) for param in self.params}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "params": {param.name: param.to_dict() for param in self.params},
            "fixed": dict(self.fixed),
        }


def load_space(path: str | Path) -> SearchSpace:
    """The search space in a JSON file; SpaceError names what is wrong."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SpaceError(f"{path}: cannot read the search space ({error.strerror or error})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SpaceError(f"{path}: not a JSON search space ({error})") from None
    return parse_space(document, str(path))


def default_space() -> SearchSpace:
    return parse_space(copy.deepcopy(DEFAULT_SPACE), "the default search space")


def parse_space(document: Any, source: str = "the search space") -> SearchSpace:
    """Check a space document field by field."""
    if not isinstance(document, dict):
        raise SpaceError(f"{source}: expected a JSON object with 'params', not {type(document).__name__}")
    if document.get("format", FORMAT) != FORMAT:
        raise SpaceError(f"{source}: format must be {FORMAT!r}, not {document.get('format')!r}")
    if document.get("version", VERSION) != VERSION:
        raise SpaceError(
            f"{source}: version {document.get('version')!r} is not supported (this version reads {VERSION})"
        )
    unknown = sorted(set(document) - {"format", "version", "params", "fixed"})
    if unknown:
        raise SpaceError(f"{source}: unknown field(s) {', '.join(unknown)} (known: format, version, params, fixed)")
    entries = document.get("params", {})
    fixed = document.get("fixed", {})
    if not isinstance(entries, dict) or not isinstance(fixed, dict):
        raise SpaceError(f"{source}: 'params' and 'fixed' must be JSON objects (name → entry)")
    params = tuple(_parse_param(name, entry, f"{source}: params.{name}") for name, entry in entries.items())
    for name, value in fixed.items():
        where = f"{source}: fixed.{name}"
        if name not in TRAINING_NAMES:
            raise SpaceError(
                f"{where}: not a training option that a sweep may fix (known: {', '.join(TRAINING_NAMES)})"
            )
        if name in entries:
            raise SpaceError(f"{where}: {name} is also in params; put it in one of the two")
        _check_value(name, value, where)
    if not params:
        raise SpaceError(f"{source}: 'params' is empty; name at least one hyperparameter to vary")
    return SearchSpace(params, dict(fixed))


def _parse_param(name: str, entry: Any, where: str) -> Param:
    if name not in NAMES:
        raise SpaceError(f"{where}: unknown hyperparameter (known: {', '.join(NAMES)})")
    if not isinstance(entry, dict):
        raise SpaceError(f'{where}: expected an object such as {{"kind": "float", "low": 0.001, "high": 0.1}}')
    kind = entry.get("kind")
    if kind not in KINDS:
        raise SpaceError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    allowed = {"kind", "choices"} if kind == "categorical" else {"kind", "low", "high", "log", "step"}
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise SpaceError(
            f"{where}: unknown field(s) {', '.join(unknown)} for kind {kind} (known: {', '.join(sorted(allowed))})"
        )
    if kind == "categorical":
        choices = entry.get("choices")
        if not isinstance(choices, list) or not choices:
            raise SpaceError(f"{where}: choices must be a non-empty list")
        for choice in choices:
            _check_value(name, choice, f"{where}: choice {choice!r}")
        return Param(name, kind, choices=tuple(choices))
    low, high, log, step = entry.get("low"), entry.get("high"), entry.get("log", False), entry.get("step")
    number = int if kind == "int" else (int, float)
    for field, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, number) or not math.isfinite(value):
            raise SpaceError(
                f"{where}: {field} must be {'a whole number' if kind == 'int' else 'a number'}, not {value!r}"
            )
    if not low < high:
        raise SpaceError(f"{where}: low ({low}) must be below high ({high})")
    if not isinstance(log, bool):
        raise SpaceError(f"{where}: log must be true or false, not {log!r}")
    if log and low <= 0:
        raise SpaceError(f"{where}: a log scale needs low above 0, not {low}")
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, number) or step <= 0:
            raise SpaceError(
                f"{where}: step must be a positive {'whole ' if kind == 'int' else ''}number, not {step!r}"
            )
        if log:
            raise SpaceError(f"{where}: step and log cannot be combined")
    for value in (low, high):
        _check_value(name, value, where)
    return Param(name, kind, float(low), float(high), log, None if step is None else float(step))


def _check_value(name: str, value: Any, where: str) -> None:
    """Raise SpaceError when `value` is not a valid value of hyperparameter `name`."""
    if name == "width":
        valid = not isinstance(value, bool) and isinstance(value, int | float) and value > 0
        why = "the width multiplier must be a number above 0"
    elif name in ("dropout", AUGMENT):
        valid = (
            not isinstance(value, bool)
            and isinstance(value, int | float)
            and 0 <= value <= (1 if name == AUGMENT else 0.95)
        )
        why = f"{name} must lie in [0, {'1' if name == AUGMENT else '0.95'}]"
    else:
        try:
            TrainConfig(**{name: value})
        except (ConfigError, TypeError) as error:
            raise SpaceError(f"{where}: {error}") from None
        return
    if not valid:
        raise SpaceError(f"{where}: {why}, not {value!r}")


def augment_for_strength(strength: float) -> str:
    """Augmentation text for a strength from 0 (none) to 1: shifts, rotation and zoom growing together.

    No flips: they change the meaning of digits and letters, the data sweeps are most often run on.
    """
    if strength <= 0:
        return ""
    padding = max(1, round(4 * strength))
    zoom = 0.25 * strength
    return f"crop:{padding},rotate:{30 * strength:.3g},scale:{1 - zoom:.3g}-{1 + zoom:.3g}"


def trial_setup(
    graph: NetworkGraph, config: TrainConfig, fixed: dict[str, Any], values: dict[str, Any]
) -> tuple[NetworkGraph, TrainConfig]:
    """The design and training config of one trial: `config` with the space's fixed options and the trial's
    values, the design with its knobs. Raises ConfigError for a combination TrainConfig refuses."""
    options = {**fixed, **{name: value for name, value in values.items() if name in TRAINING_NAMES}}
    if AUGMENT in options:
        options[AUGMENT] = augment_for_strength(options[AUGMENT])
    knobs = {name: value for name, value in values.items() if name in KNOBS}
    return apply_knobs(graph, knobs), config.replace(**options)
