"""Training and evaluation, without Qt: the loop, checkpoints, metrics, devices, distributed runs.

    from cnnstudio.engine import TrainConfig, train
    for event in train(graph, data_split, TrainConfig(epochs=5), "runs/digits"):
        ...   # Started, BatchMetrics (≤ 10 Hz), EpochSummary, CheckpointWritten, Paused, Finished | Error

The GUI runs the same thing in a child process: TrainingProcess(TrainRequest(...)).
"""

import importlib
from typing import Any

# Attributes load on first use (PEP 562), so importing one submodule (engine.config for the
# command line's options) does not import torch and the datasets.
_NAMES = {  # submodule → the names it exports
    "checkpoint": "Checkpoint checkpoint_dir CheckpointError DataInfo load_checkpoint Progress save_checkpoint",
    "config": "ConfigError TrainConfig",
    "control": "TrainControl",
    "evaluate": "evaluate evaluate_run EvaluationReport load_trained Misclassified",
    "events": (
        "BatchMetrics CheckpointWritten EpochSummary Error Event "
        "event_from_dict Finished Paused Started to_dict to_json"
    ),
    "launch": "run_request TrainRequest",
    "loop": "resume RESUME_CHANGES train",
    "worker": "TrainingProcess",
}
_EXPORTS = {name: module for module, names in _NAMES.items() for name in names.split()}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"cnnstudio.engine.{_EXPORTS[name]}"), name)
