"""The per-step check for non-finite loss or gradients, and the shared stop decision of data-parallel runs.

Checking a GPU value on the host after every step would stall the pipeline. Here each step's flags
are copied asynchronously into pinned memory and read one step later, when the copy is done and the
GPU is already busy with the next step: a diverged run stops within one step at no cost. On the CPU
the flags are read at once, so the bad update is never applied.
"""

from __future__ import annotations

import torch

from cnnstudio.engine.distributed import DistContext


class StepGuard:
    """observe(step flags) → the flags of the latest step whose flags can be read without waiting.

    The non-finite flag is a small code (0 fine; see loop._nonfinite_code); processes of a
    data-parallel run combine their flags by maximum, so all of them decide alike.
    """

    def __init__(self, device: torch.device, dist: DistContext | None = None) -> None:
        self._dist = dist
        self._deferred = device.type == "cuda"
        self.lag = 1 if self._deferred else 0  # how many steps behind the flags that observe() returns are
        self._pending: tuple[torch.Tensor, torch.cuda.Event] | None = None
        self._buffers = [torch.zeros(2, pin_memory=True), torch.zeros(2, pin_memory=True)] if self._deferred else []
        self._turn = 0

    def observe(self, nonfinite: torch.Tensor, stop: bool = False) -> tuple[int, bool]:
        """Record this step's flags; returns (non-finite code, stop requested by any process)."""
        flags = torch.stack([nonfinite.float(), torch.full((), float(stop), device=nonfinite.device)])  # no host copy
        if self._dist is not None:
            self._dist.all_reduce(flags, torch.distributed.ReduceOp.MAX)
        if not self._deferred:
            code, stop_all = flags.tolist()
            return int(code), stop_all > 0
        buffer = self._buffers[self._turn]
        self._turn ^= 1
        buffer.copy_(flags, non_blocking=True)
        event = torch.cuda.Event()
        event.record()
        previous, self._pending = self._pending, (buffer, event)
        return self._read(previous)

    def flush(self) -> tuple[int, bool]:
        """The flags of the last step (waits for it); call before trusting the weights."""
        pending, self._pending = self._pending, None
        return self._read(pending)

    @staticmethod
    def _read(entry: tuple[torch.Tensor, torch.cuda.Event] | None) -> tuple[int, bool]:
        if entry is None:
            return 0, False
        buffer, event = entry
        event.synchronize()
        code, stop = buffer.tolist()
        return int(code), stop > 0
