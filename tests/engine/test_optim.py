import itertools
import math

import pytest
import torch

from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.model import head_nodes, prepare_model
from cnnstudio.engine.optim import LRSchedule, build_optimizer
from cnnstudio.pytorch import build_module

from .conftest import small_net


def factors(config: TrainConfig, steps_per_epoch: int = 10) -> list[float]:
    schedule = LRSchedule(config, steps_per_epoch)
    return [schedule.factor(step) for step in range(config.epochs * steps_per_epoch)]


def test_constant_schedule_with_warmup_ramps_up_then_holds():
    values = factors(TrainConfig(epochs=4, warmup_epochs=1))
    assert values[0] == pytest.approx(1 / 11)
    assert values == sorted(values) and values[10:] == [1.0] * 30


def test_step_schedule_decays_every_step_epochs():
    values = factors(TrainConfig(epochs=6, schedule="step", step_epochs=2, step_gamma=0.5))
    assert values[0] == values[19] == 1.0
    assert values[20] == values[39] == 0.5 and values[59] == 0.25


def test_cosine_falls_from_one_to_nearly_zero():
    values = factors(TrainConfig(epochs=5, schedule="cosine"))
    assert values[0] == 1.0 and values[-1] < 1e-2
    assert all(a >= b for a, b in itertools.pairwise(values))


def test_onecycle_starts_low_peaks_after_warmup_and_anneals():
    values = factors(TrainConfig(epochs=10, schedule="onecycle"))
    peak = values.index(max(values))
    assert values[0] < 0.1 and peak == 30 and max(values) == pytest.approx(1.0)
    assert values[-1] < 1e-3


def test_groups_split_head_and_keep_biases_out_of_weight_decay():
    graph = small_net()
    module = build_module(graph, logits=True)
    config = TrainConfig(lr=0.1, head_lr=0.01, weight_decay=5e-4)
    optimizer = build_optimizer(module, config, head_nodes(graph, set()), torch.device("cpu"))
    names = {id(p): name for name, p in module.named_parameters()}
    groups = {tuple(sorted(names[id(p)] for p in group["params"])): group for group in optimizer.param_groups}
    assert groups[("fc.weight",)]["lr"] == 0.01 and groups[("fc.weight",)]["weight_decay"] == 5e-4
    assert groups[("fc.bias",)]["lr"] == 0.01 and groups[("fc.bias",)]["weight_decay"] == 0
    assert groups[("conv.weight",)]["lr"] == 0.1 and groups[("conv.bias",)]["weight_decay"] == 0


def test_frozen_layers_are_left_out_and_the_head_follows_the_last_frozen_layer():
    graph = small_net(batchnorm=True)
    graph.set_trainable("conv", False)
    prepared = prepare_model(graph)
    assert prepared.frozen == {"conv"}
    assert prepared.head == {"bn", "relu", "pool", "flatten", "fc"}
    optimizer = build_optimizer(prepared.module, TrainConfig(), prepared.head, torch.device("cpu"))
    trained = {id(p) for group in optimizer.param_groups for p in group["params"]}
    assert id(prepared.module.conv.weight) not in trained and id(prepared.module.fc.weight) in trained


def test_kaiming_and_xavier_reinitialize_weights_with_zero_biases():
    for scheme in ("kaiming", "xavier"):
        module = prepare_model(small_net(), scheme).module
        assert torch.count_nonzero(module.fc.bias) == 0
        fan_in = module.conv.weight[0].numel()
        expected = math.sqrt(2 / fan_in) if scheme == "kaiming" else None
        if expected:
            assert module.conv.weight.std().item() == pytest.approx(expected, rel=0.5)


def test_matching_initial_weights_load_and_misfits_are_reported():
    source = build_module(small_net(classes=3), logits=True).state_dict()
    prepared = prepare_model(small_net(classes=2), initial_weights=source)
    assert torch.equal(prepared.module.conv.weight, source["conv.weight"])
    assert any("fc.weight" in note and "different shape" in note for note in prepared.notes)
    assert prepared.notes[0].startswith("started from given weights for 2 of 4 tensors")
