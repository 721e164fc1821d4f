"""The devices the form offers: auto, the CPU, each CUDA GPU by name, and Apple's GPU when present."""

from __future__ import annotations

import torch


def device_choices() -> list[tuple[str, str]]:
    """(label, TrainConfig.device value) pairs, auto first."""
    choices = [("Auto (best available)", "auto"), ("CPU", "cpu")]
    for index in range(torch.cuda.device_count()):
        choices.append((f"GPU {index}: {torch.cuda.get_device_name(index)}", f"cuda:{index}"))
    if torch.backends.mps.is_available():
        choices.append(("Apple GPU (MPS)", "mps"))
    return choices
