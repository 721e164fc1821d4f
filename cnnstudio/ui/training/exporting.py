"""The Export menu's formats, and exporting the run the Training tab shows (cnnstudio.engine.exporting)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnnstudio.engine.exporting import export_run as engine_export_run
from cnnstudio.ui.training.run_folders import has_checkpoint


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str  # menu text
    extension: str
    file_filter: str
    description: str  # tooltip


EXPORT_FORMATS = (
    ExportFormat(
        "onnx",
        "ONNX model (.onnx)…",
        ".onnx",
        "ONNX models (*.onnx)",
        "For ONNX Runtime, TensorRT, OpenVINO and other inference engines (dynamic batch size)",
    ),
    ExportFormat(
        "pt2",
        "torch.export program (.pt2)…",
        ".pt2",
        "torch.export programs (*.pt2)",
        "A traced PyTorch program for deployment with ExecuTorch or AOTInductor",
    ),
    ExportFormat(
        "py",
        "PyTorch code and weights (.py + .pt)…",
        ".py",
        "Python files (*.py)",
        "Readable module source with a load() function, and its weights beside it",
    ),
    ExportFormat(
        "script",
        "Standalone training script (.py)…",
        ".py",
        "Python files (*.py)",
        "A script that trains this network with only torch and torchvision (torchrun for several GPUs)",
    ),
)


def export_run(run_dir: Path, key: str, path: Path) -> list[Path]:
    """Write the run's trained network (its best checkpoint, else its last) as format `key`.

    Returns the files written. Raises ExportError with a message for the user.
    """
    tag = "best" if has_checkpoint(run_dir, "best") else "last"
    return engine_export_run(run_dir, key, path, tag)
