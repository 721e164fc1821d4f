"""The one place a model named by the user (`--model`, the GUI's model lists) is resolved: `load_classifier`
makes any spec a ready classifier, `open_design` a pretrained network a design with its weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import resolve_device
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import load_design_classifier, weights_metadata
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.pretrained.imagenet import imagenet_classes
from cnnstudio.pretrained.torchvision_zoo import import_with_metadata, load_torchvision
from cnnstudio.progress import Progress
from cnnstudio.pytorch.importer import TORCHVISION_PREFIX, ModelImportError, torchvision_name

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
    name = torchvision_name(text)
    if name is not None:
        return load_torchvision(name, device=target, download=download, progress=progress)
    path = Path(text).expanduser()
    if path.is_dir():
        return load_run_classifier(path, target)
    if path.is_file():
        if path.name.endswith(".json"):
            return load_design_classifier(path, target)
        raise ModelLoadError(f"{path} is not a model CNN Studio can open; give {SPEC_HELP}")
    raise ModelLoadError(f"no model {spec!r}: there is no such file or folder; give {SPEC_HELP}")


@dataclass(frozen=True)
class PretrainedDesign:
    """A pretrained network as a design: its graph, weights keyed by node id, and the safetensors
    metadata (class names, preprocessing) that makes the pair a classifier again."""

    title: str
    graph: NetworkGraph
    state_dict: dict[str, torch.Tensor]
    metadata: dict[str, str]


def open_design(spec: str) -> PretrainedDesign:
    """The pretrained network `spec` names (efficientnet_lite0 or torchvision:NAME) as a design with its
    ImageNet weights (slow: seconds).

    Raises ModelLoadError when torchvision's weights are not downloaded yet or the network cannot be
    expressed as a design.
    """
    if spec == efficientnet_lite.SPEC:
        graph, state = efficientnet_lite.efficientnet_lite0_design()
        metadata = weights_metadata(imagenet_classes(), efficientnet_lite.PREPROCESSING)
        return PretrainedDesign(efficientnet_lite.NAME, graph, state, metadata)
    name = torchvision_name(spec)
    if name is None:
        raise ModelLoadError(
            f"{spec!r} is not a pretrained network; use {efficientnet_lite.SPEC} or {TORCHVISION_PREFIX}NAME"
        )
    try:
        imported, metadata = import_with_metadata(name, pretrained="cached")
    except ModelImportError as error:
        raise ModelLoadError(f"{name} cannot be opened as a design: {error}") from None
    if not imported.state_dict:
        raise ModelLoadError(f"the ImageNet weights of {name} are not on this computer yet; download them first")
    return PretrainedDesign(name, imported.graph, imported.state_dict, metadata)
