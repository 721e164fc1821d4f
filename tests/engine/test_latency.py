"""Measured latency: warm-up runs are not timed, the device is synchronised around each timed run, and the
figure says its batch, repeats and spread."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnstudio.engine import latency as latency_module
from cnnstudio.engine.latency import measure_interleaved, measure_latency


class Counting(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.grad_enabled: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.batches.append(x.shape[0])
        self.grad_enabled.append(torch.is_grad_enabled())
        return x.sum()


def test_warm_up_runs_are_not_timed_and_the_batch_is_stated(monkeypatch):
    module = Counting().train()
    clock = iter(float(tick) for tick in range(100))
    monkeypatch.setattr(latency_module.time, "perf_counter", lambda: next(clock))
    synced = []
    monkeypatch.setattr(latency_module, "synchronize", lambda device: synced.append(device))

    result = measure_latency(module, (3, 8, 8), torch.device("cpu"), batch=4, repeats=5, warmup=3)

    assert module.batches == [4] * 8 and not any(module.grad_enabled) and not module.training
    assert len(synced) == 2 * 8  # before and after every run, the warm-up included
    assert result.median_ms == pytest.approx(1000.0)  # each run took one tick of the fake clock
    assert result.spread_ms == pytest.approx(0.0)
    assert (result.batch, result.repeats, result.device) == (4, 5, "cpu")
    assert "batch 4" in str(result) and "median of 5" in str(result)


def test_a_real_module_gets_a_positive_figure_and_bad_counts_are_refused():
    result = measure_latency(nn.Conv2d(3, 4, 3), (3, 16, 16), torch.device("cpu"), repeats=3, warmup=1)
    assert result.median_ms > 0 and result.spread_ms >= 0
    with pytest.raises(ValueError, match="repeats"):
        measure_latency(nn.Identity(), (1,), torch.device("cpu"), repeats=0)


def test_interleaved_timing_takes_turns_and_gives_one_figure_per_module(monkeypatch):
    first, second = Counting(), Counting()
    order = []
    first.register_forward_hook(lambda *_: order.append("first"))
    second.register_forward_hook(lambda *_: order.append("second"))
    results = measure_interleaved([first, second], (2,), torch.device("cpu"), batch=3, repeats=4, warmup=1)
    assert order == ["first", "second"] * 5  # one run of each per round, warm-up round included
    assert [result.repeats for result in results] == [4, 4] and all(result.batch == 3 for result in results)
