"""The pretrained classifiers CNN Studio offers, with the figures their publishers report.

Accuracy, parameters and compute come from torchvision's weights metadata (`_metrics`, `num_params`,
`_ops`; no download needed). torchvision's `_ops` ("GFLOPS") counts one multiply-add as one
operation, and EfficientNet-Lite0's figure is computed the same way (FlopCounterMode / 2) on its
original architecture. EfficientNet-Lite0's accuracy is the one Google published for it; torchvision
has no entry for it.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from torch.utils.flop_counter import FlopCounterMode

from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.torchvision_zoo import default_weights, is_cached
from cnnstudio.pytorch.importer import torchvision_spec

# Google's EfficientNet-Lite README (tensorflow/tpu, models/official/efficientnet/lite): 75.1 % top-1.
_LITE0_TOP1 = 75.1

# Shown in this order; any other torchvision classifier can still be named as torchvision:NAME.
TORCHVISION_CLASSIFIERS = (
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "squeezenet1_1",
    "googlenet",
    "resnet18",
    "resnet50",
    "densenet121",
    "regnet_y_400mf",
    "inception_v3",
    "alexnet",
    "vgg16",
)


@dataclass(frozen=True)
class PretrainedInfo:
    """A pretrained classifier as the model list and comparison table show it.

    spec: what load_classifier takes. top1/top5: ImageNet-1k validation accuracy in percent (None when
    not published). gflops: billions of multiply-adds per image at `input_size` (torchvision's `_ops`).
    available: usable now without downloading. accuracy_source: where the accuracy figure comes from.
    """

    spec: str
    title: str
    top1: float | None
    top5: float | None
    params: int
    gflops: float
    input_size: int
    file_mb: float | None
    available: bool
    accuracy_source: str


def pretrained_catalog() -> list[PretrainedInfo]:
    """EfficientNet-Lite0 (offline), then torchvision's classifiers (downloaded on demand)."""
    return [efficientnet_lite0_info()] + [torchvision_info(name) for name in TORCHVISION_CLASSIFIERS]


def torchvision_info(name: str) -> PretrainedInfo:
    weights = default_weights(name)
    meta = weights.meta
    metrics = meta["_metrics"]["ImageNet-1K"]
    return PretrainedInfo(
        spec=torchvision_spec(name),
        title=name,
        top1=metrics["acc@1"],
        top5=metrics["acc@5"],
        params=meta["num_params"],
        gflops=meta["_ops"],
        input_size=weights.transforms().crop_size[0],
        file_mb=meta.get("_file_size"),
        available=is_cached(name),
        accuracy_source=f"torchvision {weights}",
    )


@functools.cache
def efficientnet_lite0_info() -> PretrainedInfo:
    import torch

    model = efficientnet_lite.reference_model()
    channels, height, width = efficientnet_lite.INPUT_SHAPE
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        model(torch.zeros(1, channels, height, width))
    return PretrainedInfo(
        spec=efficientnet_lite.SPEC,
        title=efficientnet_lite.NAME,
        top1=_LITE0_TOP1,
        top5=None,
        params=sum(p.numel() for p in model.parameters()),
        gflops=counter.get_total_flops() / 2e9,
        input_size=height,
        file_mb=os.path.getsize(efficientnet_lite.weights_file()) / 2**20,
        available=True,
        accuracy_source="published by Google (TensorFlow EfficientNet-Lite)",
    )
