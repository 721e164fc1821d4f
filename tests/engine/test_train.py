"""The training loop, observed through its events and the files it writes."""

import json

import pytest
import torch
from safetensors.torch import load_file

from cnnstudio.engine import TrainConfig, TrainControl, load_checkpoint, resume, train
from cnnstudio.engine import loop as loop_module
from cnnstudio.engine.model import prepare_model

from .conftest import of_kind, small_net, stripe_split


def test_a_small_design_ending_in_softmax_learns_and_reports_each_epoch(tmp_path):
    events = list(
        train(small_net(softmax=True), stripe_split(), TrainConfig(epochs=3, batch_size=32, lr=0.01), tmp_path)
    )
    kinds = [event.kind for event in events]
    assert kinds[0] == "started" and kinds[-1] == "finished"
    started, finished = events[0], events[-1]
    assert (started.train_size, started.val_size, started.steps_per_epoch) == (240, 60, 7)
    assert started.classes == ["horizontal", "vertical"] and started.params == started.trainable_params == 170
    epochs = of_kind(events, "epoch")
    assert [summary.epoch for summary in epochs] == [1, 2, 3]
    assert epochs[-1].val_acc == 1.0 and epochs[-1].train_loss < epochs[0].train_loss
    assert finished.reason == "completed" and finished.epochs_completed == 3 and finished.step == 21
    assert all(0 <= batch.accuracy <= 1 and batch.images_per_s > 0 for batch in of_kind(events, "batch"))


def test_metrics_json_and_checkpoints_are_written(tmp_path):
    events = list(train(small_net(), stripe_split(), TrainConfig(epochs=2, batch_size=32, lr=0.01), tmp_path))
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["status"] == "completed" and metrics["classes"] == ["horizontal", "vertical"]
    assert [entry["epoch"] for entry in metrics["epochs"]] == [1, 2]
    assert set(metrics["epochs"][0]) == {
        "epoch",
        "train_loss",
        "train_acc",
        "val_loss",
        "val_acc",
        "lr",
        "images_per_s",
        "seconds",
    }
    assert all(0 <= entry["val_acc"] <= 1 for entry in metrics["epochs"])
    written = [(event.tag, event.epoch) for event in of_kind(events, "checkpoint")]
    assert ("last", 2) in written and ("best", metrics["best_epoch"]) in written
    weights = load_file(tmp_path / "best" / "weights.safetensors")
    assert set(weights) == {"conv.weight", "conv.bias", "fc.weight", "fc.bias"}
    state = json.loads((tmp_path / "last" / "state.json").read_text())
    assert state["progress"]["epoch"] == 2 and state["design"]["name"] == "small"
    assert state["config"]["epochs"] == 2 and state["data"]["mean"] == [0.5]
    assert set(state["rng"]) == {"python", "numpy"} and state["optimizer"]["param_groups"]


def test_batch_messages_report_the_rate_of_torchs_onecycle_scheduler(tmp_path, monkeypatch):
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 0.0)
    config = TrainConfig(epochs=2, batch_size=16, lr=0.05, optimizer="sgd", schedule="onecycle")
    events = list(train(small_net(), stripe_split(), config, tmp_path))
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=30)
    expected = []
    for _ in range(30):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert [event.lr for event in of_kind(events, "batch")] == expected
    assert [summary.lr for summary in of_kind(events, "epoch")] == [expected[14], expected[29]]


def test_val_every_validates_every_n_batches_without_changing_the_training(tmp_path):
    config = TrainConfig(epochs=2, batch_size=16, lr=0.01, val_every=4)  # 15 batches an epoch
    events = list(train(small_net(dropout=True, batchnorm=True), stripe_split(), config, tmp_path / "often"))
    validations = of_kind(events, "validation")
    assert [(event.epoch, event.batch, event.step) for event in validations] == [
        (1, 4, 4), (1, 8, 8), (1, 12, 12), (2, 1, 16), (2, 5, 20), (2, 9, 24), (2, 13, 28)
    ]  # fmt: skip
    assert len(validations) + len(of_kind(events, "epoch")) == 9
    assert validations[3].position == pytest.approx(1 + 1 / 15)
    assert all(0 <= event.val_acc <= 1 and event.val_loss > 0 for event in validations)
    plain = list(
        train(small_net(dropout=True, batchnorm=True), stripe_split(), config.replace(val_every=0), tmp_path / "once")
    )
    assert not of_kind(plain, "validation") and losses(plain) == losses(events)
    often, once = (load_file(tmp_path / name / "last" / "weights.safetensors") for name in ("often", "once"))
    assert all(torch.equal(often[key], once[key]) for key in often)


def test_batch_messages_are_throttled(tmp_path, monkeypatch):
    config = TrainConfig(epochs=2, batch_size=16, lr=0.01)
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 0.0)
    every = of_kind(list(train(small_net(), stripe_split(), config, tmp_path / "b")), "batch")
    assert len(every) == 2 * 15 and every[-1].step == 30
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 1e9)
    throttled = of_kind(list(train(small_net(), stripe_split(), config, tmp_path / "a")), "batch")
    # the first batch of the run, and the last of each epoch, so the curves reach the end of the run
    assert [(event.epoch, event.batch) for event in throttled] == [(1, 1), (1, 15), (2, 15)]
    assert throttled[-1].step == 30 and throttled[-1].lr == config.lr
    assert throttled[1].loss == pytest.approx(sum(e.loss for e in every[1:15]) / 14)
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 0.0)


def run_until(events, control, predicate):
    """Consume events, asking the run to stop at the first one matching `predicate`."""
    seen = []
    for event in events:
        seen.append(event)
        if predicate(event):
            control.stop()
    return seen


def test_stop_takes_effect_before_the_next_batch_and_saves_the_position(tmp_path):
    control = TrainControl()
    events = run_until(
        train(small_net(), stripe_split(), TrainConfig(epochs=5, batch_size=16), tmp_path, control=control),
        control,
        lambda event: event.kind == "batch",
    )
    finished = events[-1]
    assert finished.kind == "finished" and finished.reason == "stopped" and finished.step == 1
    progress = load_checkpoint(tmp_path).progress
    assert (progress.epoch, progress.batch, progress.step) == (0, 1, 1)
    assert json.loads((tmp_path / "metrics.json").read_text())["status"] == "stopped"


class StopAfter:
    """A stop flag that turns on at its `count`-th look (the run looks once before each batch)."""

    def __init__(self, count: int) -> None:
        self.looks, self.count = 0, count

    def is_set(self) -> bool:
        self.looks += 1
        return self.looks >= self.count

    def set(self) -> None:
        self.count = 0

    def clear(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool:
        return self.is_set()


def test_a_stopped_run_reports_the_batches_since_its_last_message(tmp_path, monkeypatch):
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 1e9)
    control = TrainControl(stop=StopAfter(15 + 8))  # the 8th look of epoch 2: after its 7th batch
    events = list(train(small_net(), stripe_split(), TrainConfig(epochs=5, batch_size=16), tmp_path, control=control))
    batches = of_kind(events, "batch")
    assert [(event.epoch, event.batch, event.step) for event in batches] == [(1, 1, 1), (1, 15, 15), (2, 7, 22)]
    assert events[-1].reason == "stopped" and events[-1].step == 22
    assert load_checkpoint(tmp_path).progress.batch == 7


def test_pause_holds_the_run_at_a_batch_boundary(tmp_path):
    control = TrainControl()
    events = []
    for event in train(small_net(), stripe_split(), TrainConfig(epochs=1, batch_size=16), tmp_path, control=control):
        events.append(event)
        if event.kind == "batch" and event.step == 1:
            control.pause()
        elif event.kind == "paused" and event.paused:
            assert control.paused
            control.resume()
    paused = of_kind(events, "paused")
    assert [(event.paused, event.step) for event in paused] == [(True, 1), (False, 1)]
    assert events[-1].reason == "completed" and events[-1].step == 15


def losses(events):
    return [(event.epoch, event.train_loss, event.val_loss, event.val_acc) for event in of_kind(events, "epoch")]


@pytest.mark.parametrize(("schedule", "optimizer"), [("cosine", "adam"), ("onecycle", "sgd")])
def test_resume_mid_epoch_matches_an_uninterrupted_deterministic_run(tmp_path, monkeypatch, schedule, optimizer):
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 0.0)  # a message after every batch
    config = TrainConfig(
        epochs=3,
        batch_size=16,
        lr=0.01,
        schedule=schedule,
        optimizer=optimizer,
        warmup_epochs=0.5,
        augment="flip,crop:1",
        deterministic=True,
        seed=3,
    )
    split = stripe_split()
    graph = small_net(dropout=True, batchnorm=True)
    reference = list(train(graph, split, config, tmp_path / "whole"))

    control = TrainControl()
    first = run_until(
        train(graph, split, config, tmp_path / "parts", control=control),
        control,
        lambda event: event.kind == "batch" and event.epoch == 2,
    )
    assert first[-1].reason == "stopped" and load_checkpoint(tmp_path / "parts").progress.batch == 1
    rest = list(resume(tmp_path / "parts", split))
    assert rest[0].kind == "started" and rest[0].start_epoch == 1 and rest[-1].reason == "completed"
    assert losses(first) + losses(rest) == losses(reference)
    rates = [(event.step, event.lr) for event in of_kind(first, "batch") + of_kind(rest, "batch")]
    assert rates == [(event.step, event.lr) for event in of_kind(reference, "batch")]
    whole = load_file(tmp_path / "whole" / "last" / "weights.safetensors")
    parts = load_file(tmp_path / "parts" / "last" / "weights.safetensors")
    assert all(torch.equal(whole[key], parts[key]) for key in whole)
    metrics = json.loads((tmp_path / "parts" / "metrics.json").read_text())
    assert [entry["epoch"] for entry in metrics["epochs"]] == [1, 2, 3] and metrics["status"] == "completed"


def test_a_diverging_run_stops_at_once_and_keeps_the_last_good_checkpoint(tmp_path):
    split = stripe_split()
    good = list(train(small_net(), split, TrainConfig(epochs=2, batch_size=16, optimizer="sgd", lr=0.01), tmp_path))
    assert good[-1].reason == "completed"
    before = (tmp_path / "last" / "weights.safetensors").read_bytes()

    events = list(resume(tmp_path, split, changes={"epochs": 4, "lr": 1e30}))
    error = events[-1]
    assert error.kind == "error" and error.error == "non_finite"
    assert "diverged at epoch 3, batch 2" in error.message and "NaN or infinite" in error.message
    assert "last good checkpoint" in error.message and "lower the learning rate" in error.hint
    assert "clip" in error.hint
    assert not of_kind(events, "checkpoint") and not of_kind(events, "epoch")
    assert (tmp_path / "last" / "weights.safetensors").read_bytes() == before
    assert json.loads((tmp_path / "metrics.json").read_text())["status"] == "failed"

    recovered = list(resume(tmp_path, split, changes={"epochs": 3, "lr": 0.001}))
    assert recovered[-1].reason == "completed" and recovered[-1].epochs_completed == 3


def test_a_huge_learning_rate_from_the_start_fails_with_advice(tmp_path):
    events = list(train(small_net(), stripe_split(), TrainConfig(epochs=2, optimizer="sgd", lr=1e30), tmp_path))
    assert events[-1].kind == "error" and events[-1].error == "non_finite"
    assert "no checkpoint had been written yet" in events[-1].message
    assert not (tmp_path / "last").exists()


def test_a_non_finite_loss_stops_before_the_update_is_applied(tmp_path, monkeypatch):
    def poison(module, inputs, output):
        return output * float("nan") if module.training else output

    def prepare(*args, **kwargs):
        prepared = prepare_model(*args, **kwargs)
        prepared.module.register_forward_hook(poison)
        return prepared

    monkeypatch.setattr(loop_module, "prepare_model", prepare)
    events = list(train(small_net(), stripe_split(), TrainConfig(), tmp_path))
    error = events[-1]
    assert error.error == "non_finite" and "epoch 1, batch 1: the loss became NaN or infinite" in error.message
    assert [event.kind for event in events] == ["started", "error"]


def test_out_of_memory_becomes_an_error_with_a_suggestion(tmp_path, monkeypatch):
    def exhausted(module, inputs):
        if module.training:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    def prepare(*args, **kwargs):
        prepared = prepare_model(*args, **kwargs)
        prepared.module.register_forward_pre_hook(exhausted)
        return prepared

    monkeypatch.setattr(loop_module, "prepare_model", prepare)
    events = list(train(small_net(), stripe_split(), TrainConfig(batch_size=100000), tmp_path))
    error = events[-1]
    assert error.kind == "error" and error.error == "out_of_memory"
    assert "batch size 100000" in error.message and "lower the batch size" in error.hint


def test_early_stopping_ends_when_validation_loss_stops_improving(tmp_path):
    events = list(
        train(small_net(), stripe_split(), TrainConfig(epochs=10, optimizer="sgd", lr=1e-20, patience=2), tmp_path)
    )
    finished = events[-1]
    assert finished.reason == "early_stopped" and finished.epochs_completed == 3 and finished.best_epoch == 1


def test_frozen_layers_keep_weights_and_batchnorm_statistics(tmp_path):
    graph = small_net(batchnorm=True)
    graph.set_trainable("conv", False)
    graph.set_trainable("bn", False)
    start = prepare_model(graph).module.state_dict()
    start["bn.running_mean"] = torch.full((4,), 0.25)
    events = list(
        train(graph, stripe_split(), TrainConfig(epochs=2, batch_size=32, lr=0.05), tmp_path, initial_weights=start)
    )
    assert (events[0].params, events[0].trainable_params) == (178, 130)
    trained = load_file(tmp_path / "last" / "weights.safetensors")
    for key in ("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"):
        assert torch.equal(trained[key], start[key]), key
    assert not torch.equal(trained["fc.weight"], start["fc.weight"])


@pytest.mark.parametrize(
    "classes, words, hint",
    [
        (3, "outputs 2 class scores but the data has 3 classes", "set the output size of fc to 3"),
    ],
)
def test_a_network_that_does_not_fit_the_classes_is_refused(tmp_path, classes, words, hint):
    events = list(train(small_net(classes=2), stripe_split(classes=classes), TrainConfig(), tmp_path))
    assert [event.kind for event in events] == ["error"]
    assert events[0].error == "data" and words in events[0].message and hint in events[0].hint


def test_images_of_another_size_are_refused(tmp_path):
    events = list(train(small_net(size=12), stripe_split(size=8), TrainConfig(), tmp_path))
    assert events[-1].error == "data" and "the images are 1×8×8 but the network takes 1×12×12" in events[-1].message


def test_invalid_augmentation_and_device_become_config_errors(tmp_path):
    bad_augment = list(train(small_net(), stripe_split(), TrainConfig(augment="wobble"), tmp_path))
    assert bad_augment[-1].error == "config" and "wobble" in bad_augment[-1].message
    bad_device = list(train(small_net(), stripe_split(), TrainConfig(device="tpu"), tmp_path))
    assert bad_device[-1].error == "config" and "tpu" in bad_device[-1].message


def test_a_design_with_errors_is_reported_per_node(tmp_path):
    graph = small_net()
    graph.set_param("conv", "kernel_size", 11)
    events = list(train(graph, stripe_split(), TrainConfig(), tmp_path))
    assert events[-1].error == "design" and "conv" in events[-1].message


def test_resume_refuses_settings_that_would_change_the_run(tmp_path):
    list(train(small_net(), stripe_split(), TrainConfig(epochs=1), tmp_path))
    events = list(resume(tmp_path, stripe_split(), changes={"optimizer": "sgd"}))
    assert events[-1].error == "config" and "optimizer cannot change" in events[-1].message
    missing = list(resume(tmp_path / "nowhere", stripe_split()))
    assert missing[-1].error == "checkpoint" and "no such run folder" in missing[-1].message
