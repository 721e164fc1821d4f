"""From a request (design, data spec, config, run folder) to a running training: shared by the
`cnnstudio train` command and the GUI's worker process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from cnnstudio.data import DataError, DataSplit, load_data
from cnnstudio.engine.checkpoint import CheckpointError, load_checkpoint
from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.events import Error, Event
from cnnstudio.engine.loop import resume, train
from cnnstudio.graph import NetworkFileError, NetworkGraph, network_from_dict
from cnnstudio.graph.templates import input_shape
from cnnstudio.progress import Progress as DataProgress


@dataclass
class TrainRequest:
    """What to train.

    A new run: design (a NetworkGraph.to_dict()), data (a load_data spec, or a DataSplit for data
    that exists only in the app, e.g. captured images), config, run_dir, optionally initial_weights.
    resume=True continues the run in run_dir: design and config come from its checkpoint, data
    defaults to the dataset it was trained on, and `changes` may set loop.RESUME_CHANGES.
    """

    run_dir: str
    design: dict[str, Any] | None = None
    data: str | DataSplit = ""
    config: TrainConfig | None = None
    resume: bool = False
    changes: dict[str, Any] = field(default_factory=dict)
    initial_weights: Mapping[str, torch.Tensor] | None = None
    data_root: str | None = None


def load_training_data(
    spec: str,
    graph: NetworkGraph,
    config: TrainConfig,
    *,
    root: str | Path | None = None,
    progress: DataProgress | None = None,
) -> DataSplit:
    """The data of `spec` fitted to the design's input, split with the run's seed and validation share."""
    return load_data(
        spec, input_shape(graph), val_fraction=config.val_fraction, seed=config.seed, root=root, progress=progress
    )


def run_request(request: TrainRequest, control: TrainControl | None = None) -> Iterator[Event]:
    """Load what the request names and train (or resume); problems become an Error event."""
    try:
        if request.resume:
            saved = load_checkpoint(request.run_dir, "last")
            config, design = saved.config.replace(**request.changes), saved.design
        elif request.config is None or request.design is None:
            raise ConfigError("a new training run needs a design and a config")
        else:
            config, design = request.config, request.design
        graph = network_from_dict(design, "the design").graph
        data = (
            request.data
            if isinstance(request.data, DataSplit)
            else load_training_data(request.data or config.data, graph, config, root=request.data_root)
        )
    except CheckpointError as error:
        yield Error("checkpoint", f"cannot resume: {error}")
        return
    except NetworkFileError as error:
        yield Error("design", str(error))
        return
    except (DataError, ConfigError) as error:
        yield Error("config" if isinstance(error, ConfigError) else "data", str(error))
        return
    if request.resume:
        yield from resume(request.run_dir, data, changes=request.changes, control=control)
    else:
        yield from train(graph, data, config, request.run_dir, control=control, initial_weights=request.initial_weights)
