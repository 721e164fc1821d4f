import math
import threading

import pytest
import torch
from torch import nn

from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.launch import load_training_data
from cnnstudio.engine.lr_finder import SKIP_END, SKIP_START, find_lr, range_test, suggest
from cnnstudio.graph.templates import load_template
from cnnstudio.progress import Cancelled


def _regression():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    x = torch.randn(64, 4)
    y = x.sum(dim=1, keepdim=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    optimizer.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()  # the optimizer has state (moments, step counts) to restore

    def loss_of(module, batch):
        return nn.functional.mse_loss(module(batch[0]), batch[1])

    return model, optimizer, loss_of, lambda step: (x, y)


def _snapshot(model, optimizer):
    state = optimizer.state_dict()
    tensors = [value.clone() for entry in state["state"].values() for value in entry.values()]
    return [p.detach().clone() for p in model.parameters()], tensors, [g["lr"] for g in state["param_groups"]]


def _same(first, second):
    return all(
        len(a) == len(b) and all(torch.equal(x, y) if torch.is_tensor(x) else x == y for x, y in zip(a, b, strict=True))
        for a, b in zip(first, second, strict=True)
    )


def test_the_rate_grows_exponentially_the_loss_diverges_and_everything_is_restored():
    model, optimizer, loss_of, next_batch = _regression()
    before = _snapshot(model, optimizer)
    result = range_test(model, optimizer, loss_of, next_batch, start=1e-5, end=100.0, steps=60)
    assert result.diverged and len(result.lrs) < 60
    assert result.lrs[0] == pytest.approx(1e-5)
    ratios = [b / a for a, b in zip(result.lrs, result.lrs[1:], strict=False)]
    assert all(ratio == pytest.approx((100.0 / 1e-5) ** (1 / 59)) for ratio in ratios)
    assert result.smoothed[-1] > 4 * min(result.smoothed)
    assert result.suggestion is not None and 1e-5 < result.suggestion < result.lrs[-1]
    assert _same(_snapshot(model, optimizer), before)


def test_a_cancelled_test_restores_the_model_too():
    model, optimizer, loss_of, next_batch = _regression()
    before = _snapshot(model, optimizer)
    cancel = threading.Event()

    def batch_then_cancel(step):
        if step == 5:
            cancel.set()
        return next_batch(step)

    with pytest.raises(Cancelled):
        range_test(model, optimizer, loss_of, batch_then_cancel, cancel=cancel)
    assert _same(_snapshot(model, optimizer), before)


def test_the_suggestion_is_the_steepest_descent_of_the_smoothed_curve():
    lrs = [10 ** (-6 + 6 * i / 99) for i in range(100)]
    # falls fastest at 1e-3 (the middle of a logistic step in log10(lr)), then rises again
    curve = [2 - 1.5 / (1 + math.exp(-4 * (math.log10(lr) + 3))) + max(0.0, math.log10(lr) + 1) for lr in lrs]
    suggestion, notes = suggest(lrs, curve)
    assert notes == [] and suggestion == pytest.approx(1e-3, rel=0.15)
    assert suggest(lrs[: SKIP_START + SKIP_END + 2], curve[: SKIP_START + SKIP_END + 2])[0] is None
    assert "lowest after 1 of 100 steps" in suggest(lrs, sorted(curve))[1][0]


def test_bad_ranges_are_refused():
    model, optimizer, loss_of, next_batch = _regression()
    with pytest.raises(ValueError, match="0 < start < end"):
        range_test(model, optimizer, loss_of, next_batch, start=1.0, end=0.1)


def test_the_finder_on_the_xo_template():
    graph = load_template("xo")
    config = TrainConfig(data="xo:count=400")
    result = find_lr(graph, load_training_data(config.data, graph, config), config)
    assert result.suggestion is not None and 1e-4 < result.suggestion < 1.0
    assert result.lrs[0] == pytest.approx(1e-7)
