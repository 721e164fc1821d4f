"""Measured latency, the one way the app states speed: warm-up runs first, the device synchronised around
each timed run (CUDA and MPS run asynchronously, so an unsynchronised timer measures only the launch), the
median of repeated runs with its spread, and the batch size said with the figure."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Latency:
    """median_ms: the median time of one forward pass of `batch` inputs; spread_ms: the interquartile range of
    the timed runs (how much the figure moved between runs)."""

    median_ms: float
    spread_ms: float
    batch: int
    repeats: int
    device: str

    def __str__(self) -> str:
        return (
            f"{self.median_ms:.2f} ms (batch {self.batch}, median of {self.repeats} on {self.device}, "
            f"IQR {self.spread_ms:.2f} ms)"
        )


def synchronize(device: torch.device) -> None:
    """Wait until `device` has finished the work queued on it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def measure_latency(
    module: nn.Module,
    input_shape: tuple[int, ...],
    device: torch.device,
    *,
    batch: int = 1,
    repeats: int = 10,
    warmup: int = 2,
) -> Latency:
    """Time `module` (put in eval mode on `device`, no autograd) on a batch of zeros of `input_shape`."""
    return measure_interleaved([module], input_shape, device, batch=batch, repeats=repeats, warmup=warmup)[0]


def measure_interleaved(
    modules: Sequence[nn.Module],
    input_shape: tuple[int, ...],
    device: torch.device,
    *,
    batch: int = 1,
    repeats: int = 10,
    warmup: int = 2,
) -> list[Latency]:
    """Time several modules as measure_latency does, in turns (one run of each per round), so that load from
    other programs during the measurement falls on all of them alike and their ratios stay fair."""
    if repeats < 1 or batch < 1 or warmup < 0:
        raise ValueError(
            f"repeats and batch must be at least 1 and warmup at least 0 (got {repeats}, {batch}, {warmup})"
        )
    prepared = [module.eval().to(device) for module in modules]
    x = torch.zeros(batch, *input_shape, device=device)
    times: list[list[float]] = [[] for _ in prepared]
    with torch.inference_mode():
        for index in range(warmup + repeats):
            for module, record in zip(prepared, times, strict=True):
                synchronize(device)
                start = time.perf_counter()
                module(x)
                synchronize(device)
                if index >= warmup:
                    record.append((time.perf_counter() - start) * 1000.0)
    return [_summary(record, batch, repeats, device) for record in times]


def _summary(times: list[float], batch: int, repeats: int, device: torch.device) -> Latency:
    quartiles = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return Latency(statistics.median(times), quartiles[2] - quartiles[0], batch, repeats, str(device))
