"""The cost/accuracy report: one row per variant of a network (the original first), each measured the
same way: learnables, the size of its saved file, CPU latency at batch 1 and 32 (engine/latency.py: warm,
median of repeated runs), validation accuracy and top-1 agreement with the original on the validation
images (engine/evaluate.py's class probabilities), and FLOPs where the design gives them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from cnnstudio.data import ImageDataset
from cnnstudio.engine.evaluate import class_probabilities
from cnnstudio.engine.latency import measure_interleaved
from cnnstudio.graph.describe import format_bytes, format_count
from cnnstudio.progress import CancelFlag, check_cancel

BATCHES = (1, 32)  # the batch sizes every row is timed at


@dataclass
class VariantRow:
    """One variant: `agreement` is the share of validation images on which its top-1 class is the original's
    (1.0 for the original); `flops` of one image, None where unknown (int8 runs integer operations);
    `path` the saved file or run folder; the latencies are medians, the `*_iqr_ms` their spread."""

    name: str
    params: int
    size_bytes: int
    latency_ms: float
    latency_ms_b32: float
    val_acc: float
    agreement: float
    flops: int | None
    path: str
    latency_iqr_ms: float = 0.0
    latency_iqr_ms_b32: float = 0.0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Bench:
    """What every variant is measured on: the validation images with the run's normalization, the input
    shape, and how the latency is timed."""

    dataset: ImageDataset
    mean: Sequence[float]
    std: Sequence[float]
    input_shape: tuple[int, ...]
    repeats: int = 20
    warmup: int = 3


@dataclass
class Variant:
    """A variant made and evaluated, not yet timed: its module and everything its row says but latency."""

    name: str
    module: nn.Module
    params: int
    size_bytes: int
    flops: int | None
    path: str
    val_acc: float
    agreement: float
    note: str = ""


def predictions(module: nn.Module, bench: Bench, cancel: CancelFlag | None = None) -> torch.Tensor:
    """The top-1 class `module` (raw class scores, run on the CPU) gives each validation image."""
    cpu = torch.device("cpu")
    probabilities = class_probabilities(module.eval(), bench.dataset, bench.mean, bench.std, device=cpu, cancel=cancel)
    return probabilities.argmax(dim=1).cpu()


def accuracy_and_agreement(predicted: torch.Tensor, bench: Bench, reference: torch.Tensor) -> tuple[float, float]:
    """The validation accuracy of `predicted` and its top-1 agreement with the original's `reference`."""
    accuracy = float((predicted == bench.dataset.labels).float().mean())
    return accuracy, float((predicted == reference).float().mean())


def timed_rows(variants: Sequence[Variant], bench: Bench, cancel: CancelFlag | None = None) -> list[VariantRow]:
    """The report's rows: every variant timed on the CPU at each of BATCHES, in turns (so that load from
    other programs falls on all alike), warm, the median of `bench.repeats` runs."""
    cpu = torch.device("cpu")
    modules = [variant.module for variant in variants]
    latencies = []
    for batch in BATCHES:
        check_cancel(cancel)
        latencies.append(
            measure_interleaved(
                modules, bench.input_shape, cpu, batch=batch, repeats=bench.repeats, warmup=bench.warmup
            )
        )
    return [
        VariantRow(
            variant.name,
            variant.params,
            variant.size_bytes,
            one.median_ms,
            many.median_ms,
            variant.val_acc,
            variant.agreement,
            variant.flops,
            variant.path,
            one.spread_ms,
            many.spread_ms,
            variant.note,
        )
        for variant, one, many in zip(variants, latencies[0], latencies[1], strict=True)
    ]


def format_table(rows: Sequence[VariantRow]) -> str:
    """The report as a plain-text table, with each variant's factors against the original (the first row)."""
    header = ("variant", "params", "size", "ms (b1)", "ms (b32)", "speed-up b32", "val acc", "agree", "FLOPs")
    base = rows[0] if rows else None
    lines = [header]
    for row in rows:
        speedup = base.latency_ms_b32 / row.latency_ms_b32 if base and row.latency_ms_b32 > 0 else float("nan")
        lines.append(
            (
                row.name,
                f"{row.params:,}",
                format_bytes(row.size_bytes),
                f"{row.latency_ms:.3f}",
                f"{row.latency_ms_b32:.2f}",
                f"{speedup:.2f}×",
                f"{row.val_acc:.2%}",
                f"{row.agreement:.2%}",
                format_count(row.flops) if row.flops is not None else "–",
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    text = [
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]
    text.insert(1, "  ".join("─" * width for width in widths))
    return "\n".join(text)
