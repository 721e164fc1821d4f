"""`load_classifier`: the one place a model named by the user (`--model`, the GUI's model box) is resolved."""

from __future__ import annotations

from pathlib import Path

import torch

from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import resolve_device
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import load_design_classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.pretrained.torchvision_zoo import load_torchvision
from cnnstudio.progress import Progress

TORCHVISION_PREFIX = "torchvision:"
SPEC_HELP = (
    "a run directory, a checkpoint folder, a design file with its weights beside it "
    "(net.cnn.json + net.safetensors), efficientnet_lite0, or torchvision:NAME"
)


def load_classifier(
    spec: str, *, device: torch.device | str = "cpu", download: bool = False, progress: Progress | None = None
) -> Classifier:
    """Resolve `spec` to a ready Classifier on `device` ("cpu", "cuda", "auto", …).

    spec: "efficientnet_lite0" (bundled, offline), "torchvision:NAME" (weights from the torch cache;
    `download=True` fetches missing ones, reporting to progress(message, fraction)), a run directory
    or checkpoint folder written by the training engine, or a design file (.cnn.json) with its
    weights beside it. Raises ModelLoadError with a message for the user.
    """
    try:
        target = resolve_device(str(device))
    except ConfigError as error:
        raise ModelLoadError(str(error)) from None
    text = spec.strip()
    if text.lower().replace("-", "_") == efficientnet_lite.SPEC:
        return efficientnet_lite.load_efficientnet_lite0(target)
    if text.startswith(TORCHVISION_PREFIX):
        return load_torchvision(
            text[len(TORCHVISION_PREFIX) :].strip(), device=target, download=download, progress=progress
        )
    path = Path(text).expanduser()
    if path.is_dir():
        return load_run_classifier(path, target)
    if path.is_file():
        if path.name.endswith(".json"):
            return load_design_classifier(path, target)
        raise ModelLoadError(f"{path} is not a model CNN Studio can open; give {SPEC_HELP}")
    raise ModelLoadError(f"no model {spec!r}: there is no such file or folder; give {SPEC_HELP}")
