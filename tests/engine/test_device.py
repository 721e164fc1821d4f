"""The devices offered to the user, and falling back to the CPU for one this computer does not have."""

from __future__ import annotations

import pytest
import torch

from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import available_device, device_choices, resolve_device


def test_every_cuda_gpu_is_offered_by_name_after_auto_and_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: f"Card {index}")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert device_choices() == [
        ("Auto (best available)", "auto"),
        ("CPU", "cpu"),
        ("GPU 0: Card 0", "cuda:0"),
        ("GPU 1: Card 1", "cuda:1"),
    ]
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert [value for _, value in device_choices()] == ["auto", "cpu", "mps"]


def test_a_device_this_computer_lacks_falls_back_to_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        resolve_device("cuda:1")
    assert available_device("cuda:1") == torch.device("cpu")
    assert available_device("auto") == torch.device("cpu")
