import json
import threading

import pytest

from cnnstudio.engine.tensorboard_log import CSV_COLUMNS, read_metrics_csv
from tests.engine.conftest import train_run

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _scalars(run_dir, tag):
    accumulator = event_accumulator.EventAccumulator(str(run_dir))
    accumulator.Reload()
    return [(event.step, event.value) for event in accumulator.Scalars(tag)]


def test_a_run_writes_tensorboard_scalars_and_a_csv_of_its_epochs(tmp_path):
    threads = threading.active_count()
    run_dir = train_run(tmp_path, "run", epochs=2)
    assert threading.active_count() == threads  # the event writer's thread ended with the run
    epochs = json.loads((run_dir / "metrics.json").read_text())["epochs"]
    validation = _scalars(run_dir, "accuracy/val")
    assert [step for step, _ in validation] == [1, 2]
    assert [value for _, value in validation] == pytest.approx([epoch["val_acc"] for epoch in epochs])
    assert [step for step, _ in _scalars(run_dir, "loss/train")] == [1, 2]
    assert _scalars(run_dir, "batch/loss")
    rows = read_metrics_csv(run_dir)
    assert [int(row["epoch"]) for row in rows] == [1, 2] and list(rows[0]) == list(CSV_COLUMNS)
    assert float(rows[1]["val_acc"]) == pytest.approx(epochs[1]["val_acc"])


def test_a_resumed_run_continues_its_csv_and_its_curves(tmp_path):
    from cnnstudio.engine import TrainConfig, resume
    from cnnstudio.engine.launch import load_training_data
    from cnnstudio.graph.templates import load_template

    run_dir = train_run(tmp_path, "run", epochs=1)
    graph = load_template("xo")
    config = TrainConfig(epochs=1, batch_size=32, data="xo:count=200")
    events = list(resume(run_dir, load_training_data(config.data, graph, config), changes={"epochs": 3}))
    assert events[-1].kind == "finished"
    assert [int(row["epoch"]) for row in read_metrics_csv(run_dir)] == [1, 2, 3]
    assert [step for step, _ in _scalars(run_dir, "accuracy/val")] == [1, 2, 3]


def test_a_run_that_fails_in_setup_writes_no_files(tmp_path):
    from cnnstudio.engine import TrainConfig, train
    from cnnstudio.engine.launch import load_training_data
    from cnnstudio.graph.templates import load_template

    graph = load_template("lenet5")
    data = load_training_data("xo:count=200", load_template("xo"), TrainConfig())
    events = list(train(graph, data, TrainConfig(), tmp_path / "run"))
    assert events[-1].kind == "error"
    assert not list((tmp_path / "run").glob("events.out.tfevents.*")) and not read_metrics_csv(tmp_path / "run")
