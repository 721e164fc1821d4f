"""Classifiers from training runs: a run directory (its `best` checkpoint, else `last`) or one
checkpoint folder, read with the engine's own checkpoint functions (safetensors and JSON only)."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.checkpoint import (
    STATE_JSON,
    CheckpointError,
    checkpoint_dir,
    load_checkpoint,
)
from cnnstudio.graph import NetworkFileError, network_from_dict
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pytorch import BuildError, build_module
from cnnstudio.pytorch.weights import WeightsFileError, load_into


def load_run_classifier(path: str | os.PathLike, device: torch.device | str = "cpu") -> Classifier:
    """The network a run trained, with the classes and normalization it was trained with.

    Images were fitted to the network by the data layer (scale to cover, crop the centre, bilinear), which
    is the pipeline's default, so the preprocessing is the run's input shape and statistics.
    """
    given = Path(path)
    tag = "best" if (checkpoint_dir(given, "best") / STATE_JSON).is_file() else "last"
    try:
        checkpoint = load_checkpoint(given, tag)  # a checkpoint folder given directly is read as it is
        graph = network_from_dict(checkpoint.design, f"{checkpoint.path} (design)").graph
        module = build_module(graph, logits=True)
        load_into(module, checkpoint.weights, source=f"the weights in {checkpoint.path}")
        data = checkpoint.data
        preprocessing = Preprocessing(tuple(data.input_shape), tuple(data.mean), tuple(data.std))
    except (CheckpointError, NetworkFileError, WeightsFileError) as error:
        raise ModelLoadError(str(error)) from None
    except BuildError as error:
        raise ModelLoadError(f"{checkpoint.path}: the saved design has errors: {error}") from None
    except (TypeError, ValueError) as error:
        raise ModelLoadError(f"{checkpoint.path}: unusable data description ({error})") from None
    name = f"{graph.name} ({checkpoint.path.name} of {checkpoint.path.parent.name})"
    classes, spec = list(data.classes), checkpoint.config.data
    return Classifier(module.to(device), classes, preprocessing, name, graph, str(given), trained_on=spec)
