"""torchvision's pretrained ImageNet classifiers: their weights in the torch cache, and loading them.

Weights are only read from the cache unless a download is asked for (`download=True`), so nothing
touches the network by surprise. Each classifier gets its own preprocessing from its weights'
`transforms()` (resize and crop sizes, interpolation, antialiasing, mean, std), which reading needs
no download.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import weights_metadata
from cnnstudio.pretrained.download import fetch_checked
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.imagenet import imagenet_classes
from cnnstudio.progress import Progress
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.importer import (
    ImportResult,
    ModelImportError,
    import_torchvision,
    torchvision_spec,
    torchvision_weights,
    torchvision_weights_file,
)
from cnnstudio.pytorch.weights import WeightsFileError, load_into, load_state_dict_file

if TYPE_CHECKING:
    from torchvision.models import WeightsEnum

# GoogLeNet and Inception-v3 were trained on pixels scaled to [-1, 1]. torchvision converts ImageNet-
# normalized input inside the model (`transform_input=True`); designs are imported without that step
# (it is not a layer), so their input is normalized to [-1, 1] directly, which is the same thing.
_MINUS_ONE_TO_ONE = {"googlenet", "inception_v3"}


def default_weights(name: str) -> WeightsEnum:
    """The default ImageNet weights of a torchvision classifier; ModelLoadError for unknown names."""
    try:
        return torchvision_weights(name)
    except ModelImportError as error:
        raise ModelLoadError(str(error)) from None


def weights_path(name: str) -> Path:
    """Where the weights of `name` are (or would be) in the torch cache; ModelLoadError for unknown names."""
    try:
        return torchvision_weights_file(name)
    except ModelImportError as error:
        raise ModelLoadError(str(error)) from None


def is_cached(name: str) -> bool:
    return weights_path(name).is_file()


def download_weights(name: str, progress: Progress | None = None) -> Path:
    """Make sure the ImageNet weights of `name` are in the torch cache, downloading them if needed."""
    path = weights_path(name)
    if not path.is_file():
        fetch_checked(default_weights(name).url, path, f"the {name} weights", progress)
    return path


def weights_preprocessing(weights: WeightsEnum) -> Preprocessing:
    """The pipeline equal to `weights.transforms()` (torchvision's ImageClassification: resize the short
    side to resize_size with its interpolation, crop the centre crop_size, normalize)."""
    transforms = weights.transforms()
    crop, resize = transforms.crop_size[0], transforms.resize_size[0]
    return Preprocessing(
        (3, crop, crop),
        tuple(transforms.mean),
        tuple(transforms.std),
        crop_fraction=crop / resize,
        interpolation=transforms.interpolation.value,
        antialias=bool(transforms.antialias),
    )


def preprocessing_for(name: str) -> Preprocessing:
    """The preprocessing `name`'s default weights were evaluated with."""
    preprocessing = weights_preprocessing(default_weights(name))
    if name in _MINUS_ONE_TO_ONE:
        return dataclasses.replace(preprocessing, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    return preprocessing


def import_with_metadata(
    name: str, pretrained: str = "cached", progress: Progress | None = None
) -> tuple[ImportResult, dict[str, str]]:
    """torchvision's `name` as a design (see cnnstudio.pytorch.importer.import_torchvision), and, when it
    has pretrained weights, the metadata (ImageNet class names, this network's preprocessing) to store with
    them so the pair loads back as a classifier (cnnstudio.pretrained.designs).

    pretrained: "cached" (the weights when they are in the torch cache), "download" (fetch them first if
    they are not, reporting to progress(message, fraction)) or "none". Raises ModelImportError, also for
    a download that fails (saying why).
    """
    if pretrained == "download":
        try:
            download_weights(name, progress)
        except ModelLoadError as error:
            raise ModelImportError(str(error)) from None
        pretrained = "cached"
    imported = import_torchvision(name, pretrained=pretrained)
    metadata = weights_metadata(imagenet_classes(), preprocessing_for(name)) if imported.state_dict else {}
    return imported, metadata


def load_torchvision(
    name: str, *, device: torch.device | str = "cpu", download: bool = False, progress: Progress | None = None
) -> Classifier:
    """torchvision's `name` with its ImageNet weights, as a design when it can be one.

    Raises ModelLoadError when the weights are not cached and `download` is False (saying how to get
    them), or when the download fails.
    """
    weights = default_weights(name)
    path = weights_path(name)
    if not path.is_file():
        if not download:
            size = weights.meta.get("_file_size")
            raise ModelLoadError(
                f"the ImageNet weights of {name}{f' ({size:.0f} MB)' if size else ''} are not on this computer; "
                "download them (needs internet: --download on the command line), "
                f"or place {path.name} in {path.parent}"
            )
        download_weights(name, progress)
    classes = list(weights.meta["categories"])
    notes: list[str] = []
    try:
        result = import_torchvision(name, pretrained="cached")
    except ModelImportError as error:
        module, graph = _plain_module(name, path), None
        notes.append(f"shown as a PyTorch module, not a design: {error}")
    else:
        if result.state_dict is None:
            raise ModelLoadError(f"the cached weights of {name} at {path} could not be used")
        graph = result.graph
        module = build_module(graph, logits=True)
        load_into(module, result.state_dict, source=f"the {name} weights")
        notes.extend(result.notes)
    return Classifier(module.to(device), classes, preprocessing_for(name), name, graph, torchvision_spec(name), notes)


def _plain_module(name: str, path: Path) -> torch.nn.Module:
    """torchvision's own module with the cached weights (for networks a design cannot express)."""
    import torchvision

    module = torchvision.models.get_model(name, weights=None)
    try:
        load_into(module, load_state_dict_file(path), source=f"the cached weights {path.name}")
    except WeightsFileError as error:
        raise ModelLoadError(f"{error}; delete {path} to download the weights again") from None
    return module
