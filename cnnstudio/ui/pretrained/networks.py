"""The pretrained networks as the dialogs show and open them: catalog rows in words, and a network as
a design with its weights (what the Designer opens) or as a ready classifier (what Inspect shows)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.catalog import PretrainedInfo
from cnnstudio.pretrained.designs import weights_metadata
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.imagenet import imagenet_classes
from cnnstudio.pretrained.resolve import TORCHVISION_PREFIX
from cnnstudio.pretrained.torchvision_zoo import import_with_metadata
from cnnstudio.pytorch.importer import ModelImportError


@dataclass(frozen=True)
class PretrainedDesign:
    """A pretrained network as a design: its graph, weights keyed by node id, and the safetensors
    metadata (class names, preprocessing) that makes the pair a classifier again."""

    title: str
    graph: NetworkGraph
    state_dict: dict[str, torch.Tensor]
    metadata: dict[str, str]


def torchvision_name(spec: str) -> str | None:
    """ "torchvision:resnet18" → "resnet18"; None for a spec that is not torchvision's."""
    return spec[len(TORCHVISION_PREFIX) :] if spec.startswith(TORCHVISION_PREFIX) else None


def open_design(spec: str) -> PretrainedDesign:
    """The network `spec` names as a design with its ImageNet weights (slow: run it off the GUI thread).

    Raises ModelLoadError when torchvision's weights are not downloaded yet or the network cannot be
    expressed as a design.
    """
    if spec == efficientnet_lite.SPEC:
        graph, state = efficientnet_lite.efficientnet_lite0_design()
        return PretrainedDesign(
            efficientnet_lite.NAME, graph, state, weights_metadata(imagenet_classes(), efficientnet_lite.PREPROCESSING)
        )
    name = torchvision_name(spec)
    if name is None:
        raise ModelLoadError(f"{spec!r} is not a pretrained network")
    try:
        imported, metadata = import_with_metadata(name, pretrained="cached")
    except ModelImportError as error:
        raise ModelLoadError(f"{name} cannot be opened as a design: {error}") from None
    if not imported.state_dict:
        raise ModelLoadError(f"the ImageNet weights of {name} are not on this computer yet; download them first")
    return PretrainedDesign(name, imported.graph, imported.state_dict, metadata)


def format_params(count: int) -> str:
    """11_689_512 → '11.7 M'."""
    return f"{count / 1e6:.1f} M" if count >= 1e6 else f"{count / 1e3:.0f} k"


def format_accuracy(value: float | None) -> str:
    return f"{value:.1f} %" if value is not None else "—"


def weights_state(info: PretrainedInfo) -> str:
    """Where the weights are: bundled with CNN Studio, downloaded, or how big the download is."""
    if info.spec == efficientnet_lite.SPEC:
        return "Bundled"
    if info.available:
        return "Downloaded"
    return f"Download {info.file_mb:.0f} MB" if info.file_mb else "Download"
