"""Helpers (no tests) for the Training tab's tests: real training runs made quickly in this process."""

from __future__ import annotations

import functools
from pathlib import Path

from cnnstudio.data import DataSplit
from cnnstudio.engine import TrainConfig, TrainControl, train
from cnnstudio.engine.launch import load_training_data
from cnnstudio.graph.templates import load_template


@functools.cache
def digits_for_lenet(seed: int = 0) -> DataSplit:
    graph = load_template("lenet5")
    return load_training_data("digits", graph, TrainConfig(data="digits", seed=seed))


def make_run(root: Path, name: str, *, epochs: int = 1, stop_early: bool = False, lr: float = 1e-3) -> Path:
    """Train LeNet-5 on digits into root/name, as the Training tab's worker would.

    stop_early: ask the run to stop at its first batch message, leaving a stopped, resumable run.
    """
    run_dir = root / name
    config = TrainConfig(epochs=epochs, batch_size=64, lr=lr, data="digits")
    control = TrainControl()
    for event in train(load_template("lenet5"), digits_for_lenet(), config, run_dir, control=control):
        if stop_early and event.kind == "batch":
            control.stop()
        assert event.kind != "error", event
    return run_dir
