"""Classifiers stored as a design with its weights beside it: `net.cnn.json` + `net.safetensors`.

What a classifier needs beyond the network — its class names and its preprocessing — travels in the
safetensors file's own metadata (string key/value pairs in the header, which every safetensors
reader ignores or shows), so the design file format is unchanged and the pair stays self-contained:

    cnnstudio.classes        JSON list of class names
    cnnstudio.mean / .std    JSON lists, per channel, on the 0–1 pixel scale
    cnnstudio.crop_fraction  share of the scaled image the centre crop keeps
    cnnstudio.fit            "crop" or "stretch"
    cnnstudio.interpolation  a torchvision InterpolationMode value ("bilinear", "bicubic", …)
    cnnstudio.antialias      "true" or "false"

(the fields of cnnstudio.data.pipeline.Preprocessing). Files written before the last three existed read
with their defaults: crop, bilinear, antialiased, which is how those files were always used.

Weights written without that metadata (e.g. by `cnnstudio import`) still load: a network with 1,000
outputs is taken to be an ImageNet classifier (every pretrained network CNN Studio imports is one),
anything else gets its output numbers as labels and plain 0–1 pixels.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import torch

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph import NetworkFileError, errors_only, load_network, save_network
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.imagenet import (
    IMAGENET_CLASS_COUNT,
    IMAGENET_MEAN,
    IMAGENET_STD,
    imagenet_classes,
)
from cnnstudio.pytorch import analyze, build_module
from cnnstudio.pytorch.weights import (
    WeightsFileError,
    load_into,
    load_matching,
    load_state_dict_file,
    read_metadata,
    save_state_dict,
    weights_path_for,
)

CLASSES_KEY = "cnnstudio.classes"
MEAN_KEY = "cnnstudio.mean"
STD_KEY = "cnnstudio.std"
CROP_KEY = "cnnstudio.crop_fraction"
FIT_KEY = "cnnstudio.fit"
INTERPOLATION_KEY = "cnnstudio.interpolation"
ANTIALIAS_KEY = "cnnstudio.antialias"
_IMAGENET_CROP_FRACTION = 224 / 256
_BOOLEANS = {"true": True, "false": False}


def weights_metadata(classes: list[str], preprocessing: Preprocessing) -> dict[str, str]:
    """The safetensors metadata that makes a design's weights a classifier: class names and preprocessing."""
    return {
        CLASSES_KEY: json.dumps(list(classes), ensure_ascii=False),
        MEAN_KEY: json.dumps(list(preprocessing.mean)),
        STD_KEY: json.dumps(list(preprocessing.std)),
        CROP_KEY: repr(preprocessing.crop_fraction),
        FIT_KEY: preprocessing.fit,
        INTERPOLATION_KEY: preprocessing.interpolation,
        ANTIALIAS_KEY: "true" if preprocessing.antialias else "false",
    }


def save_classifier(classifier: Classifier, path: str | os.PathLike) -> Path:
    """Write `classifier` as a design file at `path` and its weights (with classes and preprocessing)
    beside it; both atomically. Returns the weights file's path."""
    if classifier.graph is None:
        raise ModelLoadError(f"{classifier.name} is not a design, so it cannot be saved as one")
    weights = weights_path_for(path)
    save_network(classifier.graph, path)
    save_state_dict(
        classifier.module.state_dict(), weights, weights_metadata(classifier.classes, classifier.preprocessing)
    )
    return weights


def load_design_classifier(path: str | os.PathLike, device: torch.device | str = "cpu") -> Classifier:
    """A design file and the weights beside it as a Classifier (random weights, with a note, if none).

    Weights that do not fit the design exactly are an error here (a file pair that disagrees).
    """
    path = Path(path)
    try:
        graph = load_network(path).graph
    except NetworkFileError as error:
        raise ModelLoadError(str(error)) from None
    module, outputs = _built(graph, f"{path}: the design")
    weights = weights_path_for(path)
    if not weights.is_file():
        note = f"no weights at {weights}: the network is untrained (random weights)"
        return _assemble(graph, module, outputs, {}, None, device, str(path), [note], trained=False, origin=weights)
    try:
        load_into(module, load_state_dict_file(weights), source=str(weights))
        metadata = read_metadata(weights)
    except WeightsFileError as error:
        raise ModelLoadError(str(error)) from None
    return _assemble(graph, module, outputs, metadata, None, device, str(path), [], trained=True, origin=weights)


def classifier_from_design(
    graph: NetworkGraph,
    weights: Mapping[str, torch.Tensor] | None = None,
    metadata: Mapping[str, str] | None = None,
    *,
    classes: Sequence[str] | None = None,
    device: torch.device | str = "cpu",
) -> Classifier:
    """The design as a Classifier, with `weights` where they fit.

    Tensors whose name or shape no longer fit (the user edited the design) are skipped and those layers
    keep random weights; `notes` says which. Class names and preprocessing come from `metadata` (see the
    module docstring), else `classes` when their number fits the output, else output numbers (or the
    ImageNet names for a 1,000-way network with weights). Raises ModelLoadError for a design with errors.
    """
    module, outputs = _built(graph, f"the design {graph.name!r}")
    notes: list[str] = []
    if weights:
        left = load_matching(module, dict(weights))
        if left:
            layers = sorted({key.rsplit(".", 1)[0] for key in left})
            notes.append(
                f"{len(layers)} layer(s) have no fitting weights and are random: {', '.join(layers[:6])}"
                + (" …" if len(layers) > 6 else "")
            )
    else:
        notes.append("the network is untrained (random weights)")
    return _assemble(
        graph,
        module,
        outputs,
        dict(metadata or {}),
        classes,
        device,
        "",
        notes,
        trained=bool(weights),
        origin="the design's weights",
    )


def _assemble(
    graph: NetworkGraph,
    module: torch.nn.Module,
    outputs: int,
    metadata: dict[str, str],
    classes: Sequence[str] | None,
    device: torch.device | str,
    source: str,
    notes: list[str],
    *,
    trained: bool,
    origin: str | Path,
) -> Classifier:
    shape = _input_shape(graph)
    imagenet = not metadata and trained and outputs == IMAGENET_CLASS_COUNT and shape[0] == 3
    names = _classes(metadata, outputs, imagenet, origin)
    if classes is not None and CLASSES_KEY not in metadata and not imagenet and len(classes) == outputs:
        names = [str(name) for name in classes]
    preprocessing = _preprocessing(shape, metadata, imagenet, origin)
    return Classifier(module.to(device), names, preprocessing, graph.name, graph, source, notes)


def _built(graph: NetworkGraph, described: str) -> tuple[torch.nn.Module, int]:
    """The design's module (logits) and its number of outputs; ModelLoadError when it has errors.

    described: how the message names the design ("net.cnn.json: the design").
    """
    analysis = analyze(graph)
    if not analysis.valid:
        problems = "; ".join(str(problem) for problem in errors_only(analysis.problems))
        raise ModelLoadError(f"{described} has errors: {problems}")
    module = build_module(graph, logits=True, analysis=analysis)
    return module, math.prod(analysis.nodes[analysis.output_id].output_shape)


def _json_list(metadata: dict[str, str], key: str, origin: str | Path) -> list | None:
    if key not in metadata:
        return None
    try:
        value = json.loads(metadata[key])
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list):
        raise ModelLoadError(f"{origin}: the metadata {key} is not a JSON list")
    return value


def _classes(metadata: dict[str, str], outputs: int, imagenet: bool, origin: str | Path) -> list[str]:
    names = _json_list(metadata, CLASSES_KEY, origin)
    if names is None:
        return imagenet_classes() if imagenet else [str(index) for index in range(outputs)]
    if len(names) != outputs:
        raise ModelLoadError(f"{origin} names {len(names)} classes but the network has {outputs} outputs")
    return [str(name) for name in names]


def _input_shape(graph: NetworkGraph) -> tuple[int, int, int]:
    node = next(node for node in graph.nodes.values() if node.type == "Input")
    return int(node.param("channels")), int(node.param("height")), int(node.param("width"))


def imagenet_preprocessing(shape: tuple[int, int, int]) -> Preprocessing:
    """The preprocessing assumed for ImageNet weights stored without metadata (resize 256, crop 224)."""
    return Preprocessing(shape, IMAGENET_MEAN, IMAGENET_STD, _IMAGENET_CROP_FRACTION)


def _preprocessing(
    shape: tuple[int, int, int], metadata: dict[str, str], imagenet: bool, origin: str | Path
) -> Preprocessing:
    if imagenet:
        return imagenet_preprocessing(shape)
    mean = _json_list(metadata, MEAN_KEY, origin) or [0.0]
    std = _json_list(metadata, STD_KEY, origin) or [1.0]
    antialias = metadata.get(ANTIALIAS_KEY, "true")
    try:
        if antialias not in _BOOLEANS:
            raise ValueError(f"{ANTIALIAS_KEY} is {antialias!r}, not true or false")
        return Preprocessing(
            shape,
            tuple(map(float, mean)),
            tuple(map(float, std)),
            float(metadata.get(CROP_KEY, 1.0)),
            fit=metadata.get(FIT_KEY, "crop"),
            interpolation=metadata.get(INTERPOLATION_KEY, "bilinear"),
            antialias=_BOOLEANS[antialias],
        )
    except (ValueError, TypeError) as error:
        raise ModelLoadError(f"{origin}: unusable preprocessing in its metadata ({error})") from None
