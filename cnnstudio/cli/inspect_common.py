"""What every `cnnstudio inspect` action shares: the action's description, the model and image it looks at,
the class it is asked about, and how its results are printed and written (pictures atomically)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import torch
    from torch import nn

    from cnnstudio.data.pipeline import Preprocessing
    from cnnstudio.pretrained.predictions import Prediction


@dataclass(frozen=True)
class InspectedModel:
    module: nn.Module
    preprocessing: Preprocessing
    classes: list[str] | None
    name: str
    multilabel: bool = False  # the outputs are labels, each with its own sigmoid probability


@dataclass(frozen=True)
class Action:
    """One `cnnstudio inspect ACTION`: its help, its own arguments and what it runs.

    image: takes --image (and --resize); target: takes --class; output: the help of -o (None: no -o, the
    action prints its result); layer: takes --layer.
    """

    help: str
    run: Callable[[argparse.Namespace, InspectedModel], None]
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    image: bool = False
    target: bool = False
    output: str | None = "the PNG file to write"
    layer: bool = True


def open_model(text: str) -> InspectedModel:
    """Resolve --model with cnnstudio.pretrained.load_classifier (run directories, checkpoints, designs with
    weights beside them, efficientnet_lite0, torchvision:NAME)."""
    from cnnstudio.pretrained import load_classifier

    classifier = load_classifier(text)
    classes = list(classifier.classes) if classifier.classes else None
    return InspectedModel(classifier.module, classifier.preprocessing, classes, classifier.name, classifier.multilabel)


def image_input(args: argparse.Namespace, model: InspectedModel) -> torch.Tensor:
    """--image through the model's own pipeline (upright, fitted as the model was evaluated, or stretched)."""
    from cnnstudio.viz.runtime import InspectError

    if not args.image:
        raise InspectError(f"{args.action} needs --image")
    return model.preprocessing.with_fit(args.resize).tensor(args.image)


def blank_input(model: InspectedModel) -> torch.Tensor:
    import torch

    return torch.zeros(1, *model.preprocessing.input_shape)


def chosen_class(args: argparse.Namespace, model: InspectedModel, x: torch.Tensor) -> int | None:
    """--class as an index (None when not given), checked against the model's number of outputs."""
    import torch

    from cnnstudio.viz.images import class_index
    from cnnstudio.viz.runtime import evaluating

    if args.class_ is None:
        return None
    with evaluating(model.module), torch.no_grad():
        count = model.module(x).flatten(1).shape[1]
    return class_index(args.class_, model.classes, count)


def print_predictions(predictions: list[Prediction]) -> None:
    for prediction in predictions:
        print(f"  {prediction.prob:6.1%}  {prediction.label} ({prediction.index})")


def predictions_json(predictions: list[Prediction]) -> list[dict[str, Any]]:
    return [{"label": p.label, "index": p.index, "prob": round(p.prob, 6)} for p in predictions]


def print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2))


def save_picture(picture: np.ndarray, output: str, *, quiet: bool = False) -> None:
    """Write a uint8 picture atomically, in the format its file name ends with (.png, .jpg, …)."""
    from pathlib import Path

    from PIL import Image

    from cnnstudio.fileio import atomic_path
    from cnnstudio.viz.runtime import InspectError

    suffix = Path(output).suffix.lower()
    image_format = Image.registered_extensions().get(suffix)
    if image_format is None:
        raise InspectError(f"cannot write a picture as {output!r}: end the file name with .png or .jpg")
    with atomic_path(output) as tmp:
        Image.fromarray(picture).save(tmp, format=image_format)
    if not quiet:
        print(f"wrote {output} ({picture.shape[1]}×{picture.shape[0]})")
