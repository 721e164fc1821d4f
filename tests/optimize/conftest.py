"""A LeNet-5 trained for a few epochs on the bundled digits (a couple of seconds), shared by the module's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from cnnstudio.data import load_data
from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.events import Error
from cnnstudio.graph.templates import input_shape, load_template
from tests.engine.conftest import one_cpu_thread

__all__ = ["one_cpu_thread"]


def train_lenet(run_dir: Path, epochs: int = 5) -> Path:
    """Train LeNet-5 on digits into `run_dir` with the engine, as `cnnstudio train lenet5 --data digits` does,
    on one thread (as the engine tests run)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(run_dir, epochs)
    finally:
        torch.set_num_threads(threads)


def _train(run_dir: Path, epochs: int) -> Path:
    design = load_template("lenet5")
    config = TrainConfig(epochs=epochs, data="digits", device="cpu")
    data = load_data("digits", input_shape(design), val_fraction=config.val_fraction, seed=config.seed)
    errors = [event for event in train(design, data, config, run_dir) if isinstance(event, Error)]
    assert not errors, errors
    return run_dir


@pytest.fixture(scope="module")
def lenet_run(tmp_path_factory) -> Path:
    """The run folder of a LeNet-5 trained 5 epochs on digits (about 93 % validation accuracy)."""
    return train_lenet(tmp_path_factory.mktemp("runs") / "lenet")
