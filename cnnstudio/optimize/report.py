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
from cnnstudio.engine.latency import measure_latency
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


@dataclass
class Measured:
    """A variant's row and its top-1 predictions (the original's are what the others agree with)."""

    row: VariantRow
    predictions: torch.Tensor


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


def measure_variant(
    name: str,
    module: nn.Module,
    bench: Bench,
    *,
    params: int,
    size_bytes: int,
    flops: int | None,
    path: str,
    reference: torch.Tensor | None = None,
    note: str = "",
    cancel: CancelFlag | None = None,
) -> Measured:
    """Time and evaluate `module` (on the CPU; raw class scores) against the original's predictions
    `reference` (None: this is the original)."""
    cpu = torch.device("cpu")
    latencies = []
    for batch in BATCHES:
        check_cancel(cancel)
        latencies.append(
            measure_latency(module, bench.input_shape, cpu, batch=batch, repeats=bench.repeats, warmup=bench.warmup)
        )
    check_cancel(cancel)
    probabilities = class_probabilities(module.eval(), bench.dataset, bench.mean, bench.std, device=cpu, cancel=cancel)
    predictions = probabilities.argmax(dim=1).cpu()
    accuracy = float((predictions == bench.dataset.labels).float().mean())
    agreement = 1.0 if reference is None else float((predictions == reference).float().mean())
    row = VariantRow(
        name,
        params,
        size_bytes,
        latencies[0].median_ms,
        latencies[1].median_ms,
        accuracy,
        agreement,
        flops,
        path,
        latencies[0].spread_ms,
        latencies[1].spread_ms,
        note,
    )
    return Measured(row, predictions)


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
