"""Training and evaluation, without Qt: the loop, checkpoints, metrics, devices, distributed runs.

    from cnnstudio.engine import TrainConfig, train
    for event in train(graph, data_split, TrainConfig(epochs=5), "runs/digits"):
        ...   # Started, BatchMetrics (≤ 10 Hz), EpochSummary, CheckpointWritten, Paused, Finished | Error

The GUI runs the same thing in a child process: TrainingProcess(TrainRequest(...)).
"""

from cnnstudio.engine.checkpoint import (
    Checkpoint,
    CheckpointError,
    DataInfo,
    Progress,
    checkpoint_dir,
    load_checkpoint,
    save_checkpoint,
)
from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.evaluate import (
    EvaluationReport,
    Misclassified,
    evaluate,
    evaluate_run,
    load_trained,
)
from cnnstudio.engine.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochSummary,
    Error,
    Event,
    Finished,
    Paused,
    Started,
    event_from_dict,
    to_dict,
    to_json,
)
from cnnstudio.engine.launch import TrainRequest, run_request
from cnnstudio.engine.loop import RESUME_CHANGES, resume, train
from cnnstudio.engine.worker import TrainingProcess

__all__ = [
    "RESUME_CHANGES",
    "BatchMetrics",
    "Checkpoint",
    "CheckpointError",
    "CheckpointWritten",
    "ConfigError",
    "DataInfo",
    "EpochSummary",
    "Error",
    "EvaluationReport",
    "Event",
    "Finished",
    "Misclassified",
    "Paused",
    "Progress",
    "Started",
    "TrainConfig",
    "TrainControl",
    "TrainRequest",
    "TrainingProcess",
    "checkpoint_dir",
    "evaluate",
    "evaluate_run",
    "event_from_dict",
    "load_checkpoint",
    "load_trained",
    "resume",
    "run_request",
    "save_checkpoint",
    "to_dict",
    "to_json",
    "train",
]
