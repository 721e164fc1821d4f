"""Classifiers stored as a design with its weights beside it: `net.cnn.json` + `net.safetensors`.

What a classifier needs beyond the network — its class names and its preprocessing — travels in the
safetensors file's own metadata (string key/value pairs in the header, which every safetensors
reader ignores or shows), so the design file format is unchanged and the pair stays self-contained:

    cnnstudio.classes        JSON list of class names
    cnnstudio.mean / .std    JSON lists, per channel, on the 0–1 pixel scale
    cnnstudio.crop_fraction  share of the scaled image the centre crop keeps

Weights written without that metadata (e.g. by `cnnstudio import`) still load: a network with 1,000
outputs is taken to be an ImageNet classifier (every pretrained network CNN Studio imports is one),
anything else gets its output numbers as labels and plain 0–1 pixels.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from cnnstudio.build import analyze, build_module
from cnnstudio.build.weights import (
    WeightsFileError,
    load_into,
    load_state_dict_file,
    weights_path_for,
)
from cnnstudio.fileio import atomic_path
from cnnstudio.graph import NetworkFileError, errors_only, load_network, save_network
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.models.classifier import Classifier
from cnnstudio.models.errors import ModelLoadError
from cnnstudio.models.imagenet import (
    IMAGENET_CLASS_COUNT,
    IMAGENET_MEAN,
    IMAGENET_STD,
    imagenet_classes,
)
from cnnstudio.models.preprocess import Preprocessing

CLASSES_KEY = "cnnstudio.classes"
MEAN_KEY = "cnnstudio.mean"
STD_KEY = "cnnstudio.std"
CROP_KEY = "cnnstudio.crop_fraction"
_IMAGENET_CROP_FRACTION = 224 / 256


def save_classifier(classifier: Classifier, path: str | os.PathLike) -> Path:
    """Write `classifier` as a design file at `path` and its weights (with classes and preprocessing)
    beside it; both atomically. Returns the weights file's path."""
    if classifier.graph is None:
        raise ModelLoadError(f"{classifier.name} is not a design, so it cannot be saved as one")
    weights = weights_path_for(path)
    prep = classifier.preprocessing
    metadata = {
        CLASSES_KEY: json.dumps(list(classifier.classes), ensure_ascii=False),
        MEAN_KEY: json.dumps(list(prep.mean)),
        STD_KEY: json.dumps(list(prep.std)),
        CROP_KEY: repr(prep.crop_fraction),
    }
    tensors = {key: value.detach().to("cpu").contiguous() for key, value in classifier.module.state_dict().items()}
    save_network(classifier.graph, path)
    with atomic_path(weights) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)
    return weights


def load_design_classifier(path: str | os.PathLike, device: torch.device | str = "cpu") -> Classifier:
    """A design file and the weights beside it as a Classifier (random weights, with a note, if none)."""
    path = Path(path)
    try:
        loaded = load_network(path)
    except NetworkFileError as error:
        raise ModelLoadError(str(error)) from None
    graph = loaded.graph
    analysis = analyze(graph)
    if not analysis.valid:
        problems = "; ".join(str(problem) for problem in errors_only(analysis.problems))
        raise ModelLoadError(f"{path}: the design has errors: {problems}")
    module = build_module(graph, logits=True, analysis=analysis)
    outputs = math.prod(analysis.nodes[analysis.output_id].output_shape)
    weights = weights_path_for(path)
    notes: list[str] = []
    metadata: dict[str, str] = {}
    if weights.is_file():
        try:
            load_into(module, load_state_dict_file(weights), source=str(weights))
        except WeightsFileError as error:
            raise ModelLoadError(str(error)) from None
        metadata = _metadata(weights)
    else:
        notes.append(f"no weights at {weights}: the network is untrained (random weights)")
    shape = _input_shape(graph)
    imagenet = not metadata and weights.is_file() and outputs == IMAGENET_CLASS_COUNT and shape[0] == 3
    classes = _classes(metadata, outputs, imagenet, weights)
    preprocessing = _preprocessing(shape, metadata, imagenet, weights)
    return Classifier(module.to(device), classes, preprocessing, graph.name, graph, str(path), notes)


def _metadata(weights: Path) -> dict[str, str]:
    try:
        with safe_open(str(weights), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except (SafetensorError, OSError) as error:
        raise ModelLoadError(f"{weights}: the metadata cannot be read ({error})") from None


def _json_list(metadata: dict[str, str], key: str, weights: Path) -> list | None:
    if key not in metadata:
        return None
    try:
        value = json.loads(metadata[key])
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list):
        raise ModelLoadError(f"{weights}: the metadata {key} is not a JSON list")
    return value


def _classes(metadata: dict[str, str], outputs: int, imagenet: bool, weights: Path) -> list[str]:
    names = _json_list(metadata, CLASSES_KEY, weights)
    if names is None:
        return imagenet_classes() if imagenet else [str(index) for index in range(outputs)]
    if len(names) != outputs:
        raise ModelLoadError(f"{weights} names {len(names)} classes but the network has {outputs} outputs")
    return [str(name) for name in names]


def _input_shape(graph: NetworkGraph) -> tuple[int, int, int]:
    node = next(node for node in graph.nodes.values() if node.type == "Input")
    return int(node.param("channels")), int(node.param("height")), int(node.param("width"))


def _preprocessing(shape: tuple[int, int, int], metadata: dict[str, str], imagenet: bool,
                   weights: Path) -> Preprocessing:
    if imagenet:
        return Preprocessing(shape, IMAGENET_MEAN, IMAGENET_STD, _IMAGENET_CROP_FRACTION)
    mean = _json_list(metadata, MEAN_KEY, weights) or [0.0]
    std = _json_list(metadata, STD_KEY, weights) or [1.0]
    try:
        fraction = float(metadata.get(CROP_KEY, 1.0))
        return Preprocessing(shape, tuple(map(float, mean)), tuple(map(float, std)), fraction)
    except (ValueError, TypeError) as error:
        raise ModelLoadError(f"{weights}: unusable preprocessing in its metadata ({error})") from None
