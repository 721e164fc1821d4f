"""Compare pretrained networks: published accuracy and size against the latency measured on this machine.

Latency needs no download: torchvision's architectures are built with random weights (`weights=None`),
which compute exactly as much as the trained ones, so the time is the same. EfficientNet-Lite0 is
timed as CNN Studio runs it (its design, with its real weights).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from torch import nn

from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import resolve_device
from cnnstudio.engine.latency import Latency, measure_latency
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.catalog import (
    PretrainedInfo,
    efficientnet_lite0_info,
    pretrained_catalog,
    torchvision_info,
)
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.progress import Progress
from cnnstudio.pytorch.importer import torchvision_module, torchvision_name


@dataclass(frozen=True)
class ComparisonRow:
    """One network in the comparison table (and one point of its accuracy-versus-latency plot).

    latency: one forward pass of a single image on `device`, measured here.
    """

    info: PretrainedInfo
    latency: Latency

    @property
    def latency_ms(self) -> float:
        return self.latency.median_ms

    @property
    def device(self) -> str:
        return self.latency.device


def info_for(spec: str) -> PretrainedInfo:
    if spec == efficientnet_lite.SPEC:
        return efficientnet_lite0_info()
    name = torchvision_name(spec)
    if name is not None:
        return torchvision_info(name)
    raise ModelLoadError(f"{spec!r} is not a pretrained network; use {efficientnet_lite.SPEC} or torchvision:NAME")


def timing_module(spec: str) -> nn.Module:
    """The network to time: random-weight torchvision architectures, EfficientNet-Lite0 as CNN Studio runs it."""
    if spec == efficientnet_lite.SPEC:
        return efficientnet_lite.load_efficientnet_lite0().module
    return torchvision_module(info_for(spec).title)


def compare_pretrained(
    specs: Sequence[str] | None = None, *, device: str = "cpu", repeats: int = 10, progress: Progress | None = None
) -> list[ComparisonRow]:
    """The comparison table for `specs` (default: the whole pretrained catalog), in the given order."""
    try:
        target = resolve_device(device)
    except ConfigError as error:
        raise ModelLoadError(str(error)) from None
    specs = list(specs) if specs is not None else [info.spec for info in pretrained_catalog()]
    rows = []
    for position, spec in enumerate(specs):
        info = info_for(spec)
        if progress is not None:
            progress(f"Timing {info.title} on {target}", position / len(specs))
        latency = measure_latency(timing_module(spec), (3, info.input_size, info.input_size), target, repeats=repeats)
        rows.append(ComparisonRow(info, latency))
    if progress is not None:
        progress("Timing done", 1.0)
    return rows
