"""torch.compile as an option, with eager PyTorch as the fallback the user is told about.

Compilation is lazy: `torch.compile` returns at once and compiles on the first call, which is where a
missing C compiler or an operation the compiler cannot handle shows. `compile_module` therefore runs one
forward pass on an example input before it hands the compiled module out, and falls back to the eager
module, with the reason in words, when that pass fails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Compiled:
    """module: what to run (compiled, or the eager module after a failure); note: what happened, for the user."""

    module: nn.Module
    compiled: bool
    note: str
    seconds: float  # the time the first (compiling) call took


def compile_module(module: nn.Module, example: torch.Tensor, *, mode: str = "default") -> Compiled:
    """`module` compiled with torch.compile (`mode`: "default", "reduce-overhead" or "max-autotune"), checked on
    `example`; on any failure the eager module, with a note naming the cause."""
    start = time.perf_counter()
    try:
        compiled = torch.compile(module, mode=mode)
        with torch.no_grad():
            compiled(example)
    except Exception as error:  # the compiler's failures have no common type (missing compiler, lowering errors)
        return Compiled(module, False, f"torch.compile failed, running eager PyTorch instead: {_cause(error)}", 0.0)
    seconds = time.perf_counter() - start
    return Compiled(compiled, True, f"compiled with torch.compile (mode {mode}) in {seconds:.1f} s", seconds)


def _cause(error: Exception) -> str:
    """The first line of the compiler's message (its full reports run to pages)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
