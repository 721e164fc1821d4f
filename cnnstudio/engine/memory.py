"""Will a training step fit in memory? A check before the first batch, so an absurd batch size gets a message
with the batch size that would fit instead of an allocator failure — or, on a CPU, instead of the operating
system killing the process when it runs out of memory.

The estimate counts what a step keeps at once: every layer's output for the whole batch, twice (the
activations saved for the backward pass and their gradients), and the weights four times (weights,
gradients and two optimizer moments). It is a rough upper bound; the check only refuses what is clearly
too large.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil
import torch

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch import analyze

ACTIVATION_COPIES = 2
WEIGHT_COPIES = 4
USABLE_SHARE = 0.9  # of the memory that is free now


@dataclass(frozen=True)
class MemoryEstimate:
    per_image: int  # bytes of activations (and their gradients) per image in the batch
    fixed: int  # bytes for weights, gradients and optimizer state

    def for_batch(self, batch_size: int) -> int:
        return self.fixed + self.per_image * batch_size

    def largest_batch(self, available: int) -> int:
        return max(0, (available - self.fixed) // max(1, self.per_image))


def estimate_training_memory(graph: NetworkGraph) -> MemoryEstimate:
    analysis = analyze(graph)
    return MemoryEstimate(analysis.activation_bytes * ACTIVATION_COPIES, analysis.param_bytes * WEIGHT_COPIES)


def available_memory(device: torch.device) -> int | None:
    """Bytes that can still be allocated on `device` (None when the platform does not say)."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type != "cpu":
        return None
    try:
        # psutil's "available" is what can be allocated without swapping, on Linux, macOS and Windows alike
        return int(psutil.virtual_memory().available)
    except (OSError, RuntimeError, psutil.Error):
        return None


def memory_shortfall(graph: NetworkGraph, batch_size: int, device: torch.device) -> tuple[str, str] | None:
    """(message, hint) when a training step of `batch_size` images clearly cannot fit on `device`, else None."""
    available = available_memory(device)
    if available is None:
        return None
    usable = int(available * USABLE_SHARE)
    estimate = estimate_training_memory(graph)
    needed = estimate.for_batch(batch_size)
    if needed <= usable:
        return None
    largest = estimate.largest_batch(usable)
    message = (
        f"a batch of {batch_size} images needs about {_gib(needed)} for training, but only "
        f"{_gib(available)} is free on {device}"
    )
    if largest >= 1:
        hint = f"use a batch size of at most {largest}, or a smaller input size or network"
    else:
        hint = "even one image does not fit: use a smaller input size or network, or a device with more memory"
    return message, hint


def _gib(size: int) -> str:
    return f"{size / 2**30:.1f} GiB"
