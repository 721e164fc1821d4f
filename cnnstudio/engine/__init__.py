"""Training and evaluation, without Qt: the loop, checkpoints, metrics, devices, distributed runs.

    from cnnstudio.engine import TrainConfig, train
    for event in train(graph, data_split, TrainConfig(epochs=5), "runs/digits"):
        ...   # Started, BatchMetrics (≤ 10 Hz), EpochSummary, CheckpointWritten, Paused, Finished | Error

The GUI runs the same thing in a child process: TrainingProcess(TrainRequest(...)).
"""

import importlib
from typing import Any

# name → submodule. Attributes load on first use (PEP 562), so importing one submodule (engine.config for the
# command line's options) does not import torch and the datasets.
_EXPORTS = {
    "BatchMetrics": "events",
    "Checkpoint": "checkpoint",
    "checkpoint_dir": "checkpoint",
    "CheckpointError": "checkpoint",
    "CheckpointWritten": "events",
    "ConfigError": "config",
    "DataInfo": "checkpoint",
    "EpochSummary": "events",
    "Error": "events",
    "evaluate": "evaluate",
    "evaluate_run": "evaluate",
    "EvaluationReport": "evaluate",
    "Event": "events",
    "event_from_dict": "events",
    "Finished": "events",
    "load_checkpoint": "checkpoint",
    "load_trained": "evaluate",
    "Misclassified": "evaluate",
    "Paused": "events",
    "Progress": "checkpoint",
    "resume": "loop",
    "RESUME_CHANGES": "loop",
    "run_request": "launch",
    "save_checkpoint": "checkpoint",
    "Started": "events",
    "to_dict": "events",
    "to_json": "events",
    "train": "loop",
    "TrainConfig": "config",
    "TrainControl": "control",
    "TrainingProcess": "worker",
    "TrainRequest": "launch",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"cnnstudio.engine.{_EXPORTS[name]}"), name)
