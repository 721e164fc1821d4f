"""Choosing where and in which precision to train: CUDA → Apple MPS → CPU, bf16/fp16/fp32; where a module is."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from cnnstudio.engine.config import ConfigError


@dataclass(frozen=True)
class Precision:
    """The autocast dtype (None: fp32) and whether fp16 needs loss scaling."""

    dtype: torch.dtype | None
    scaled: bool

    @property
    def name(self) -> str:
        return {torch.bfloat16: "bf16", torch.float16: "fp16"}.get(self.dtype, "fp32")


def resolve_device(spec: str = "auto") -> torch.device:
    """'auto' picks CUDA, then Apple MPS, then the CPU; an explicit device must be available."""
    if spec == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(spec)
    except (RuntimeError, ValueError):
        raise ConfigError(f"unknown device {spec!r}; use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(f"device {spec!r}: no CUDA GPU is available here; use --device cpu or auto")
        index = torch.cuda.current_device() if device.index is None else device.index
        if index >= torch.cuda.device_count():
            raise ConfigError(f"device {spec!r}: there are only {torch.cuda.device_count()} CUDA GPU(s)")
        return torch.device("cuda", index)
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(f"device {spec!r}: Apple MPS is not available here; use --device cpu or auto")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"device {spec!r} is not supported; use auto, cpu, cuda, cuda:N or mps")
    return device


def available_device(spec: str) -> torch.device:
    """`spec` resolved where this computer has it, else the CPU (a choice remembered from another computer)."""
    try:
        return resolve_device(spec)
    except ConfigError:
        return torch.device("cpu")


def device_choices() -> list[tuple[str, str]]:
    """The devices a user can choose here: (label, TrainConfig.device value) pairs, auto first, then the
    CPU, each CUDA GPU by name, and Apple's GPU when present."""
    choices = [("Auto (best available)", "auto"), ("CPU", "cpu")]
    for index in range(torch.cuda.device_count()):
        choices.append((f"GPU {index}: {torch.cuda.get_device_name(index)}", f"cuda:{index}"))
    if torch.backends.mps.is_available():
        choices.append(("Apple GPU (MPS)", "mps"))
    return choices


def device_of(module: nn.Module) -> torch.device:
    """Where a module's parameters (or, without any, its buffers) are; the CPU for a module with neither."""
    for tensor in module.parameters():
        return tensor.device
    for tensor in module.buffers():
        return tensor.device
    return torch.device("cpu")


def device_name(device: torch.device) -> str:
    """For the status bar: 'cpu', 'cuda:0 (NVIDIA H100 80GB HBM3)', 'mps (Apple GPU)'."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return "cpu"


def resolve_precision(setting: str, device: torch.device) -> Precision:
    """Mixed precision for `setting` on `device`; explicit choices the device cannot do are refused."""
    if setting == "off":
        return Precision(None, False)
    if device.type != "cuda":
        if setting == "auto":
            return Precision(None, False)
        raise ConfigError(f"precision {setting} needs a CUDA GPU; on {device.type} use auto or off")
    if setting == "bf16" or (setting == "auto" and torch.cuda.is_bf16_supported()):
        if not torch.cuda.is_bf16_supported():
            raise ConfigError("this GPU does not support bf16; use precision fp16 or auto")
        return Precision(torch.bfloat16, False)
    return Precision(torch.float16, True)


@contextlib.contextmanager
def backend_settings(device: torch.device, deterministic: bool) -> Iterator[None]:
    """cudnn autotuning for speed, or deterministic algorithms; restored afterwards.

    Restoring matters because the engine also runs inside the GUI's worker process and in tests,
    where a later run must not inherit this run's global switches.
    """
    saved = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.backends.cudnn.benchmark,
        torch.backends.cudnn.deterministic,
    )
    saved_workspace = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
    try:
        if deterministic:
            if device.type == "cuda" and saved_workspace is None:
                os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"  # required by deterministic cuBLAS
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
            torch.backends.cudnn.deterministic = True
        elif device.type == "cuda":
            torch.backends.cudnn.benchmark = True
        yield
    finally:
        torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved[2], saved[3]
        if saved_workspace is None:
            os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)


def is_out_of_memory(error: BaseException) -> bool:
    """CUDA, MPS and CPU allocators report exhaustion differently; this recognizes all three."""
    if isinstance(error, torch.OutOfMemoryError):
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


def release_memory(device: torch.device) -> None:
    """Give cached blocks back after an out-of-memory error so the process stays usable."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()
