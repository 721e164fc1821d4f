import json
import math

import pytest
import torch
from torch.optim import lr_scheduler

from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.model import head_nodes, prepare_model
from cnnstudio.engine.optim import build_optimizer, build_scheduler, restore_scheduler, scheduler_state
from cnnstudio.pytorch import build_module

from .conftest import small_net

STEPS = 10  # optimizer steps per epoch in the schedule tests


def optimizer_for(config: TrainConfig) -> torch.optim.Optimizer:
    """An optimizer over a small network with a separate head group when `config.head_lr` is set."""
    graph = small_net()
    module = build_module(graph, logits=True)
    return build_optimizer(module, config, head_nodes(graph, set()), torch.device("cpu"))


def trace(optimizer: torch.optim.Optimizer, scheduler, steps: int) -> list[tuple[float, ...]]:
    """Every group's (lr, momentum or beta1) before each of `steps` optimizer steps."""
    values = []
    for _ in range(steps):
        values.append(
            tuple(
                value
                for group in optimizer.param_groups
                for value in (group["lr"], group["betas"][0] if "betas" in group else group["momentum"])
            )
        )
        optimizer.step()
        scheduler.step()
    return values


def torch_scheduler(name: str, optimizer: torch.optim.Optimizer) -> lr_scheduler.LRScheduler:
    """The torch scheduler of each case in SCHEDULE_CASES, built directly (4 epochs of STEPS steps)."""
    L = lr_scheduler
    if name == "constant":
        return L.ConstantLR(optimizer, factor=1.0, total_iters=0)
    if name == "constant+warmup":
        return L.LinearLR(optimizer, start_factor=1 / 6, total_iters=5)
    if name == "step":
        return L.StepLR(optimizer, step_size=2 * STEPS, gamma=0.5)
    if name == "step+warmup":
        return L.SequentialLR(
            optimizer, [L.LinearLR(optimizer, 1 / 6, total_iters=5), L.StepLR(optimizer, 2 * STEPS, 0.5)], [5]
        )
    if name == "cosine":
        return L.CosineAnnealingLR(optimizer, T_max=4 * STEPS)
    if name == "cosine+warmup":
        ramp = L.LinearLR(optimizer, 1 / 16, total_iters=15)
        return L.SequentialLR(optimizer, [ramp, L.CosineAnnealingLR(optimizer, T_max=4 * STEPS - 15)], [15])
    if name == "onecycle":
        return L.OneCycleLR(optimizer, max_lr=0.1, total_steps=4 * STEPS)
    return L.OneCycleLR(optimizer, max_lr=[0.1, 0.1, 0.01, 0.01], total_steps=4 * STEPS, pct_start=0.25)


SCHEDULE_CASES = {
    "constant": {},
    "constant+warmup": {"warmup_epochs": 0.5},
    "step": {"schedule": "step", "step_epochs": 2, "step_gamma": 0.5},
    "step+warmup": {"schedule": "step", "step_epochs": 2, "step_gamma": 0.5, "warmup_epochs": 0.5},
    "cosine": {"schedule": "cosine"},
    "cosine+warmup": {"schedule": "cosine", "warmup_epochs": 1.5},
    "onecycle": {"schedule": "onecycle", "optimizer": "sgd"},
    "onecycle+head+adam": {"schedule": "onecycle", "head_lr": 0.01, "warmup_epochs": 1, "weight_decay": 1e-4},
}


@pytest.mark.parametrize("name", SCHEDULE_CASES)
def test_each_schedule_steps_exactly_as_the_torch_scheduler_built_directly(name):
    config = TrainConfig(epochs=4, lr=0.1, **SCHEDULE_CASES[name])
    ours = optimizer_for(config)
    theirs = optimizer_for(config)
    ours_trace = trace(ours, build_scheduler(ours, config, STEPS), 4 * STEPS)
    assert ours_trace == trace(theirs, torch_scheduler(name, theirs), 4 * STEPS)
    assert len(set(ours_trace)) > 1 or name == "constant"


def test_onecycle_starts_at_a_25th_of_the_rate_and_cycles_the_momentum():
    config = TrainConfig(epochs=10, lr=0.1, schedule="onecycle", optimizer="sgd")
    optimizer = optimizer_for(config)
    values = trace(optimizer, build_scheduler(optimizer, config, STEPS), 10 * STEPS)
    rates, momenta = [value[0] for value in values], [value[1] for value in values]
    assert rates[0] == pytest.approx(4e-3) and rates.index(max(rates)) == 29 and max(rates) == pytest.approx(0.1)
    assert momenta[0] == pytest.approx(0.95) and min(momenta) == pytest.approx(0.85) and momenta[29] == min(momenta)
    assert rates[-1] < 1e-5


def test_plain_sgd_and_rmsprop_keep_their_momentum_under_onecycle():
    for optimizer_name in ("sgd", "rmsprop"):
        config = TrainConfig(epochs=2, schedule="onecycle", optimizer=optimizer_name, momentum=0.0)
        optimizer = optimizer_for(config)
        assert {value[1] for value in trace(optimizer, build_scheduler(optimizer, config, STEPS), 20)} == {0.0}


@pytest.mark.parametrize(("epochs", "steps", "warmup"), [(1, 1, 0), (1, 2, 0), (1, 3, 0), (2, 5, 0.2), (1, 10, 1)])
def test_onecycle_on_tiny_runs_never_divides_by_zero(epochs, steps, warmup):
    config = TrainConfig(epochs=epochs, schedule="onecycle", warmup_epochs=warmup)
    optimizer = optimizer_for(config)
    rates = [value[0] for value in trace(optimizer, build_scheduler(optimizer, config, steps), epochs * steps)]
    assert all(0 < rate <= config.lr for rate in rates)


def test_a_restored_scheduler_continues_the_saved_one_and_new_settings_rebuild_it():
    config = TrainConfig(epochs=3, lr=0.1, schedule="cosine", warmup_epochs=1)
    optimizer = optimizer_for(config)
    scheduler = build_scheduler(optimizer, config, STEPS)
    whole = trace(optimizer, scheduler, 30)
    optimizer = optimizer_for(config)
    scheduler = build_scheduler(optimizer, config, STEPS)
    trace(optimizer, scheduler, 12)
    saved, optimizer_state = scheduler_state(scheduler, config, STEPS), optimizer.state_dict()
    assert saved["step"] == 12 and saved["schedule"] == "cosine"
    resumed = optimizer_for(config)
    fresh = build_scheduler(resumed, config, STEPS)
    resumed.load_state_dict(optimizer_state)
    restored = restore_scheduler(fresh, config, STEPS, json.loads(json.dumps(saved)), 12)
    assert restored is fresh and trace(resumed, restored, 18) == whole[12:]

    longer = config.replace(epochs=5)
    resumed = optimizer_for(config)
    resumed.load_state_dict(optimizer_state)
    rebuilt = restore_scheduler(build_scheduler(resumed, config, STEPS), longer, STEPS, saved, 12)
    reference = optimizer_for(longer)
    assert trace(resumed, rebuilt, 38) == trace(reference, build_scheduler(reference, longer, STEPS), 50)[12:]


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
