"""Exporting a trained run in the engine's formats, as `cnnstudio export RUN --format …` does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnnstudio.build.export import (
    ExportError,
    ScriptSettings,
    export_onnx,
    export_program,
    export_python,
    write_training_script,
)
from cnnstudio.build.weights import WeightsFileError
from cnnstudio.engine.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from cnnstudio.graph import NetworkFileError, network_from_dict
from cnnstudio.ui.training.runs import has_checkpoint

# The datasets an exported training script loads by name (as in `cnnstudio export --format script`).
SCRIPT_DATASETS = ("mnist", "fashion-mnist", "cifar10")


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str  # menu text
    extension: str
    file_filter: str
    description: str  # tooltip


EXPORT_FORMATS = (
    ExportFormat("onnx", "ONNX model (.onnx)…", ".onnx", "ONNX models (*.onnx)",
                 "For ONNX Runtime, TensorRT, OpenVINO and other inference engines (dynamic batch size)"),
    ExportFormat("pt2", "torch.export program (.pt2)…", ".pt2", "torch.export programs (*.pt2)",
                 "A traced PyTorch program for deployment with ExecuTorch or AOTInductor"),
    ExportFormat("py", "PyTorch code and weights (.py + .pt)…", ".py", "Python files (*.py)",
                 "Readable module source with a load() function, and its weights beside it"),
    ExportFormat("script", "Standalone training script (.py)…", ".py", "Python files (*.py)",
                 "A script that trains this network with only torch and torchvision (torchrun for several GPUs)"),
)


def export_run(run_dir: Path, key: str, path: Path) -> list[Path]:
    """Write the run's trained network (its best checkpoint, else its last) as format `key`.

    Returns the files written. Raises ExportError with a message for the user.
    """
    tag = "best" if has_checkpoint(run_dir, "best") else "last"
    try:
        saved = load_checkpoint(run_dir, tag)
        graph = network_from_dict(saved.design, f"{saved.path} (design)").graph
    except (CheckpointError, NetworkFileError) as error:
        raise ExportError(str(error)) from None
    try:
        if key == "onnx":
            export_onnx(graph, saved.weights, path)
        elif key == "pt2":
            export_program(graph, saved.weights, path)
        elif key == "py":
            return [path, export_python(graph, saved.weights, path)]
        elif key == "script":
            write_training_script(graph, path, script_settings(saved))
        else:
            raise ExportError(f"unknown export format {key!r}")
    except WeightsFileError as error:
        raise ExportError(f"{saved.path}: {error}") from None
    return [path]


def script_settings(saved: Checkpoint) -> ScriptSettings:
    """The run's hyperparameters as the defaults of a standalone training script.

    CNN Studio's own datasets (digits, xo, shapes) are unknown to the script: it then defaults to
    cifar10 and the user passes --data when running it.
    """
    config = saved.config
    data = config.data if config.data in SCRIPT_DATASETS or (config.data and Path(config.data).is_dir()) \
        else "cifar10"
    return ScriptSettings(epochs=config.epochs, batch_size=config.batch_size, lr=config.lr,
                          optimizer=config.optimizer, momentum=config.momentum, weight_decay=config.weight_decay,
                          label_smoothing=config.label_smoothing, flip="flip" in config.augment, data=data,
                          mean=tuple(saved.data.mean), std=tuple(saved.data.std))
