"""The pretrained networks in words, as the dialogs and the Webcam tab's model list show them (opening one
as a design is the core's: `cnnstudio.pretrained.resolve.open_design`)."""

from __future__ import annotations

from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.catalog import PretrainedInfo


def format_params(count: int) -> str:
    """11_689_512 → '11.7 M'."""
    return f"{count / 1e6:.1f} M" if count >= 1e6 else f"{count / 1e3:.0f} k"


def format_accuracy(value: float | None) -> str:
    return f"{value:.1f} %" if value is not None else "—"


def with_size(text: str, info: PretrainedInfo) -> str:
    """'Download' → 'Download 45 MB': the size of the network's weights file (the text alone when unknown)."""
    return f"{text} {info.file_mb:.0f} MB" if info.file_mb else text


def weights_state(info: PretrainedInfo) -> str:
    """Where the weights are: bundled with CNN Studio, downloaded, or how big the download is."""
    if info.spec == efficientnet_lite.SPEC:
        return "Bundled"
    return "Downloaded" if info.available else with_size("Download", info)


def model_list_text(info: PretrainedInfo) -> str:
    """How a model list names a torchvision classifier: with its download size until it is cached."""
    return f"{info.title} · ImageNet" + ("" if info.available else f" ({with_size('download', info)})")
