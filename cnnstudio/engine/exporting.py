"""Exporting a trained run in every format the build package writes: what `cnnstudio export` and the
Training tab's Export menu both call.

The torch side (checkpoints, the exporters) is imported by the functions that use it, so that the command
line can offer EXPORT_FORMATS without importing torch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cnnstudio.engine.config import TrainConfig
from cnnstudio.graph import NetworkFileError, network_from_dict

if TYPE_CHECKING:
    from cnnstudio.engine.checkpoint import Checkpoint
    from cnnstudio.pytorch.export import ScriptSettings

EXPORT_FORMATS = ("onnx", "pt2", "py", "script")
# The datasets an exported training script loads by name; an image folder works too.
SCRIPT_DATASETS = ("mnist", "fashion-mnist", "cifar10")


def export_run(
    run_dir: str | Path,
    export_format: str,
    path: str | Path,
    checkpoint: str | None = None,
    *,
    note: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write checkpoint `checkpoint` of a run (None: the one it hands on, `best` else `last`) as
    `export_format` (one of EXPORT_FORMATS) at `path`.

    Returns the files written; `note(text)` hears remarks the user should know (e.g. that a training
    script cannot load the run's own dataset). Raises ExportError with a message for the user.
    """
    from cnnstudio.engine.checkpoint import CheckpointError, load_checkpoint, trained_checkpoint
    from cnnstudio.pytorch.export import (
        ExportError,
        export_onnx,
        export_program,
        export_python,
        write_training_script,
    )
    from cnnstudio.pytorch.weights import WeightsFileError

    path = Path(path)
    try:
        saved = load_checkpoint(run_dir, checkpoint or trained_checkpoint(run_dir) or "last")
        graph = network_from_dict(saved.design, f"{saved.path} (design)").graph
    except (CheckpointError, NetworkFileError) as error:
        raise ExportError(str(error)) from None
    try:
        if export_format == "onnx":
            export_onnx(graph, saved.weights, path)
        elif export_format == "pt2":
            export_program(graph, saved.weights, path)
        elif export_format == "py":
            return [path, export_python(graph, saved.weights, path)]
        elif export_format == "script":
            if script_data(saved.config) is None and note is not None:
                note(
                    f"the run's data {saved.config.data!r} is CNN Studio's own; the script defaults to cifar10, "
                    "pass --data mnist|fashion-mnist|cifar10|FOLDER when you run it"
                )
            write_training_script(graph, path, script_settings(saved))
        else:
            raise ExportError(f"unknown export format {export_format!r}; use one of {', '.join(EXPORT_FORMATS)}")
    except WeightsFileError as error:
        raise ExportError(f"{saved.path}: {error}") from None
    return [path]


def script_data(config: TrainConfig) -> str | None:
    """The run's data as an exported training script can load it: a torchvision set, an image folder or a
    MedMNIST .npz file (None for CNN Studio's own datasets)."""
    known = config.data in SCRIPT_DATASETS or (
        config.data and (Path(config.data).is_dir() or config.data.lower().endswith(".npz"))
    )
    return config.data if known else None


def script_settings(saved: Checkpoint) -> ScriptSettings:
    """The run's hyperparameters as the defaults of a standalone training script (cifar10 when the run's
    data is CNN Studio's own: the user passes --data when running it)."""
    from cnnstudio.pytorch.export import ScriptSettings

    config = saved.config
    return ScriptSettings(
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        optimizer=config.optimizer,
        momentum=config.momentum,
        weight_decay=config.weight_decay,
        label_smoothing=config.label_smoothing,
        flip="flip" in config.augment,
        data=script_data(config) or "cifar10",
        mean=tuple(saved.data.mean),
        std=tuple(saved.data.std),
    )
