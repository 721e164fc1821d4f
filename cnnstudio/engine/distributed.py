"""Data-parallel training across processes (`torchrun --nproc_per_node=N -m cnnstudio train …`).

Every process holds the whole dataset and trains on its own slice of each epoch's permutation
(see batches.DeviceData); DistributedDataParallel averages the gradients. Rank 0 alone writes
checkpoints and metrics and reports progress. Backends: NCCL between CUDA GPUs, gloo on CPUs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from cnnstudio.engine.device import resolve_device


@dataclass(frozen=True)
class DistContext:
    """This process's place in a data-parallel run."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def all_reduce(self, tensor: torch.Tensor, op: dist.ReduceOp.RedOpType = dist.ReduceOp.SUM) -> torch.Tensor:
        """Reduce in place across processes (no-op for a single process); returns the tensor."""
        if self.world_size > 1:
            dist.all_reduce(tensor, op=op)
        return tensor

    def barrier(self) -> None:
        if self.world_size > 1:
            dist.barrier()


def launched_distributed() -> bool:
    """True inside a process started by torchrun with more than one process."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_distributed(device_spec: str = "auto") -> DistContext:
    """Join the process group torchrun set up (env:// rendezvous) and pick this rank's device."""
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    device = resolve_device(device_spec)
    if device.type == "cuda":
        device = torch.device("cuda", local_rank % torch.cuda.device_count())
        torch.cuda.set_device(device)
    elif device.type != "cpu":
        device = torch.device("cpu")  # MPS has no collective backend
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", rank=rank, world_size=world_size)
    return DistContext(rank, world_size, local_rank, device)


def shutdown_distributed() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()
