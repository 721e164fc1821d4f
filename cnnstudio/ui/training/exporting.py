"""The Export menu's formats: how the menu names and describes each format cnnstudio.engine.exporting writes."""

from __future__ import annotations

from dataclasses import dataclass


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
